//! Logs and metrics: how the stack's logs are written and kept (JSON lines, request IDs,
//! rotation), and the opt-in monitoring stack (`--monitoring`: django-prometheus in
//! gunicorn's multiprocess mode, Prometheus, exporters, alert rules, Grafana).
//! docs/logging.md and docs/monitoring.md explain the choices.

use super::Server;
use crate::detect::Facts;
use crate::options::Options;
use serde::Serialize;

/// django-prometheus, added to the image when the project does not declare it (it brings
/// prometheus-client). 2.5.0 supports Django 4.2 to 6.0.
pub const DJANGO_PROMETHEUS: &str = "django-prometheus==2.5.0";

/// The gunicorn configuration file the image ships.
pub const GUNICORN_CONFIG: &str = "docker/gunicorn.conf.py";

#[derive(Debug, Clone, Serialize)]
pub struct Logging {
    /// The header that carries the request ID from nginx to the app (and back to the client).
    pub request_id_header: String,
    /// Docker's json-file rotation, on every service: the size of one file...
    pub max_size: String,
    /// ...and how many files a container keeps.
    pub max_file: u32,
    /// Which layer writes the one access log line per request.
    pub access_log: String,
    /// Where the logs are shipped (`--log-store`, with monitoring); absent: they stay in
    /// Docker's rotated files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<LogStore>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogStore {
    /// `loki`.
    pub kind: String,
    /// The store's image (Loki).
    pub image: String,
    /// The shipper's image (Vector), which reads Docker's json-file logs.
    pub shipper_image: String,
    /// How long the store keeps lines.
    pub retention_hours: u32,
    /// Docker's folder of container logs on the host, mounted read-only into the shipper.
    pub docker_logs_dir: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Monitoring {
    /// The port gunicorn's master serves every worker's metrics on (never proxied by nginx).
    pub metrics_port: u16,
    /// prometheus_client's multiprocess folder, on the /tmp tmpfs, emptied as gunicorn starts.
    pub multiproc_dir: String,
    /// nginx's stub_status port (internal: not published, not in the public server).
    pub stub_status_port: u16,
    pub scrape_interval_seconds: u32,
    pub images: MonitoringImages,
    /// Published on the host's loopback only (operators reach them through SSH tunnels).
    pub prometheus_port: u16,
    pub grafana_port: u16,
    pub alertmanager_port: u16,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonitoringImages {
    pub prometheus: String,
    pub grafana: String,
    pub nginx_exporter: String,
    pub postgres_exporter: String,
    pub alertmanager: String,
}

/// How the stack logs; `monitoring`: whether Grafana runs (the log store is read there).
pub fn logging(o: &Options, monitoring: bool, notes: &mut Vec<String>) -> Logging {
    let store = match o.log_store {
        Some(crate::config::LogStoreKind::Loki) if monitoring => Some(LogStore {
            kind: "loki".into(),
            image: o
                .images
                .loki
                .clone()
                .unwrap_or_else(|| "grafana/loki:3.5.3".into()),
            shipper_image: o
                .images
                .vector
                .clone()
                .unwrap_or_else(|| "timberio/vector:0.49.0-debian".into()),
            retention_hours: 168,
            docker_logs_dir: "/var/lib/docker/containers".into(),
        }),
        Some(_) => {
            notes.push("the log store is not set up: its logs are read in Grafana, which comes with --monitoring (on a gunicorn project)".into());
            None
        }
        None => None,
    };
    Logging {
        request_id_header: "X-Request-ID".into(),
        max_size: "10m".into(),
        max_file: 5,
        access_log: "nginx".into(),
        store,
    }
}

/// The monitoring plan, when asked for and when the server is gunicorn (the multiprocess
/// wiring is gunicorn's hooks); otherwise a note says why there is none.
pub fn monitoring(
    facts: &Facts,
    o: &Options,
    asked: bool,
    server: &Server,
    notes: &mut Vec<String>,
) -> Option<Monitoring> {
    if !asked {
        return None;
    }
    if server.kind != "gunicorn" {
        notes.push(format!(
            "monitoring is not set up: it serves every worker's metrics through gunicorn's hooks (multiprocess mode), and this project runs {}",
            server.kind
        ));
        return None;
    }
    if let Some(d) = &facts.django {
        let old = match (
            crate::contain::version(&d.value),
            crate::contain::version("4.2"),
        ) {
            (Some(v), Some(min)) => v < min,
            _ => false,
        };
        if old {
            notes.push(format!(
                "monitoring: {DJANGO_PROMETHEUS} needs Django 4.2 or later and the project pins {}; pin an older django-prometheus in the dependencies",
                d.value
            ));
        }
    }
    let pick = |c: &Option<String>, d: &str| c.clone().unwrap_or_else(|| d.to_string());
    Some(Monitoring {
        metrics_port: 8001,
        multiproc_dir: "/tmp/prometheus-multiproc".into(),
        stub_status_port: 8080,
        scrape_interval_seconds: 10,
        images: MonitoringImages {
            prometheus: pick(&o.images.prometheus, "prom/prometheus:v3.5.0"),
            grafana: pick(&o.images.grafana, "grafana/grafana:12.1.1"),
            nginx_exporter: pick(
                &o.images.nginx_exporter,
                "nginx/nginx-prometheus-exporter:1.4.2",
            ),
            postgres_exporter: pick(
                &o.images.postgres_exporter,
                "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
            ),
            alertmanager: pick(&o.images.alertmanager, "prom/alertmanager:v0.28.1"),
        },
        prometheus_port: 9090,
        grafana_port: 3000,
        alertmanager_port: 9093,
    })
}

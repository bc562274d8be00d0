//! Docker Compose: a development stack (compose.yaml, the source mounted, runserver) and a
//! production stack (compose.prod.yaml: gunicorn behind nginx, migrations as a one-shot
//! service, PostgreSQL or MariaDB, Redis and Celery when the project uses them).

use super::{Artifact, Target, Templates};
use crate::error::Result;
use crate::plan::Plan;

/// The production stack's file (`djship up --prod`, `verify` and the engine use it).
pub const PROD_FILE: &str = "compose.prod.yaml";
/// The development stack's file.
pub const DEV_FILE: &str = "compose.yaml";
/// The service that runs the web process (`djship manage` and `shell` exec into it).
pub const WEB_SERVICE: &str = "web";
/// The reverse proxy in front of it in production.
pub const PROXY_SERVICE: &str = "nginx";
/// The one-shot service that runs the release task (migrations) before web starts.
pub const RELEASE_SERVICE: &str = "migrate";

/// The compose profiles of the production file (`--monitoring`'s services): `djship up
/// --prod` and the other stack commands activate those the file has.
pub const PROFILES: &[&str] = &["monitoring", "grafana", "logs"];

/// What a compose file djship wrote says of how it was generated: the commands that run a
/// stack (`up`, `verify`, `logs`, `down`) take no planning flags, so they read the file on
/// disk back, here, where its form is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// nginx serves HTTPS: the file publishes `HTTPS_PORT`.
    pub tls: bool,
    /// With the self-signed certificate djship made (its `docker/tls/cert.pem` is mounted).
    pub self_signed: bool,
    /// The [`PROFILES`] the file defines.
    pub profiles: Vec<&'static str>,
}

impl Written {
    pub fn read(text: &str) -> Written {
        Written {
            tls: text.contains("${HTTPS_PORT"),
            self_signed: text.contains(&format!(
                "{}/cert.pem:",
                crate::options::deploy::SELF_SIGNED_DIR
            )),
            profiles: PROFILES
                .iter()
                .copied()
                .filter(|p| text.contains(&format!("profiles: [\"{p}\"]")))
                .collect(),
        }
    }
}

/// (template, output path, Unix mode)
const FILES: &[(&str, &str, u32)] = &[
    ("compose.yaml.j2", DEV_FILE, 0o644),
    ("compose.prod.yaml.j2", PROD_FILE, 0o644),
    ("nginx.conf.j2", "docker/nginx/default.conf", 0o644),
];

/// The monitoring stack's configuration (`--monitoring`), mounted into its services.
pub const MONITORING_FILES: &[(&str, &str, u32)] = &[
    (
        "prometheus.yml.j2",
        "docker/monitoring/prometheus.yml",
        0o644,
    ),
    (
        "prometheus-alerts.yml.j2",
        "docker/monitoring/alerts.yml",
        0o644,
    ),
    (
        "alertmanager.yml.j2",
        "docker/monitoring/alertmanager.yml",
        0o644,
    ),
    (
        "grafana-datasource.yml.j2",
        "docker/monitoring/grafana/provisioning/datasources/prometheus.yml",
        0o644,
    ),
    (
        "grafana-dashboards.yml.j2",
        "docker/monitoring/grafana/provisioning/dashboards/djship.yml",
        0o644,
    ),
    (
        "grafana-django-dashboard.json.j2",
        "docker/monitoring/grafana/dashboards/django.json",
        0o644,
    ),
];

/// The log store's configuration (`--log-store loki`).
pub const LOG_STORE_FILES: &[(&str, &str, u32)] = &[
    ("loki.yml.j2", "docker/logging/loki.yml", 0o644),
    ("vector.yaml.j2", "docker/logging/vector.yaml", 0o644),
];

pub struct Compose;

impl Target for Compose {
    fn name(&self) -> &'static str {
        "compose"
    }

    fn about(&self) -> &'static str {
        "Docker Compose: compose.yaml for development, compose.prod.yaml (gunicorn behind nginx) for production"
    }

    fn artifacts(&self, plan: &Plan, t: &Templates) -> Result<Vec<Artifact>> {
        let mut out = Artifact::render_all(plan, t, FILES)?;
        if plan.monitoring.is_some() {
            out.extend(Artifact::render_all(plan, t, MONITORING_FILES)?);
        }
        if plan.logging.store.is_some() {
            out.extend(Artifact::render_all(plan, t, LOG_STORE_FILES)?);
        }
        Ok(out)
    }

    fn next_steps(&self, plan: &Plan) -> String {
        let mut out = format!(
            "  development:  docker compose up --build           → http://localhost:{}\n",
            plan.port
        );
        match &plan.deploy.tls {
            Some(tls) => {
                out.push_str(&format!(
                    "  production:   docker compose -f {PROD_FILE} up -d --build   → https://{}/\n",
                    plan.deploy.hosts[0]
                ));
                if let Some(ca) = &tls.ca {
                    out.push_str(&format!(
                        "                the certificate is self-signed: trust {ca} (curl --cacert {ca}), or name your own with --tls-cert/--tls-key\n"
                    ));
                }
            }
            None => out.push_str(&format!(
                "  production:   docker compose -f {PROD_FILE} up -d --build   → http://localhost/ (TLS ends at your load balancer)\n"
            )),
        }
        out.push_str(&format!(
            "  scale:        djship up --prod --scale 3         (nginx spreads requests over the {WEB_SERVICE} replicas)\n"
        ));
        if let Some(m) = &plan.monitoring {
            out.push_str(&format!(
                "  monitoring:   djship up --prod starts it → Prometheus http://127.0.0.1:{}/, Alertmanager http://127.0.0.1:{}/,\n                Grafana http://127.0.0.1:{}/ (admin, GRAFANA_ADMIN_PASSWORD in .env); docs/monitoring.md\n",
                m.prometheus_port, m.alertmanager_port, m.grafana_port
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Written;

    #[test]
    fn a_written_file_tells_how_it_was_generated() {
        let https = "    ports:\n      - \"${HTTPS_PORT:-443}:443\"\n    volumes:\n      - ./docker/tls/cert.pem:/etc/nginx/tls/cert.pem:ro\n  prometheus:\n    profiles: [\"monitoring\"]\n";
        let w = Written::read(https);
        assert!(w.tls && w.self_signed);
        assert_eq!(w.profiles, vec!["monitoring"]);
        // The user's own certificate; plain HTTP behind a load balancer.
        let own = Written::read("      - \"${HTTPS_PORT:-443}:443\"\n      - ./certs/site.pem:/etc/nginx/tls/cert.pem:ro\n");
        assert!(own.tls && !own.self_signed);
        assert_eq!(
            Written::read("      - \"${HTTP_PORT:-80}:80\"\n"),
            Written::default()
        );
    }
}

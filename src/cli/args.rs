//! Arguments shared by the commands.

use crate::options::{Flags, ImageChoice};
use clap::Args;
use std::path::PathBuf;

/// The project a command works on.
#[derive(Args, Debug, Clone)]
pub struct ProjectArgs {
    /// The project folder (default: the current folder).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Which manage.py to use when the project has several.
    #[arg(long, value_name = "PATH")]
    pub manage: Option<PathBuf>,
}

impl ProjectArgs {
    pub fn flags(&self) -> Flags {
        Flags::at(&self.path, self.manage.clone())
    }
}

/// What the plan is made from: the project and the choices a user can override.
#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Base image for the app (default python:X.Y-slim-bookworm).
    #[arg(long, value_name = "IMAGE")]
    pub python_image: Option<String>,
    /// PostgreSQL image (default postgres:17-bookworm).
    #[arg(long, value_name = "IMAGE")]
    pub postgres_image: Option<String>,
    /// nginx image (default nginx:1.27-bookworm).
    #[arg(long, value_name = "IMAGE")]
    pub nginx_image: Option<String>,
    /// Redis image (default redis:7-bookworm).
    #[arg(long, value_name = "IMAGE")]
    pub redis_image: Option<String>,
    /// MariaDB image, for MySQL projects (default mariadb:11.4).
    #[arg(long, value_name = "IMAGE")]
    pub mariadb_image: Option<String>,
    /// Node image of the frontend build stage, for projects whose frontend is built in the
    /// image (default node:<version>-slim, the version from .nvmrc, engines.node...).
    #[arg(long, value_name = "IMAGE")]
    pub node_image: Option<String>,
    /// Prometheus image of the monitoring stack (default prom/prometheus:v3.5.0).
    #[arg(long, value_name = "IMAGE")]
    pub prometheus_image: Option<String>,
    /// Grafana image of the monitoring stack (default grafana/grafana:12.1.1).
    #[arg(long, value_name = "IMAGE")]
    pub grafana_image: Option<String>,
    /// nginx exporter image of the monitoring stack (default nginx/nginx-prometheus-exporter:1.4.2).
    #[arg(long, value_name = "IMAGE")]
    pub nginx_exporter_image: Option<String>,
    /// PostgreSQL exporter image of the monitoring stack (default
    /// quay.io/prometheuscommunity/postgres-exporter:v0.17.1).
    #[arg(long, value_name = "IMAGE")]
    pub postgres_exporter_image: Option<String>,
    /// Alertmanager image of the monitoring stack (default prom/alertmanager:v0.28.1).
    #[arg(long, value_name = "IMAGE")]
    pub alertmanager_image: Option<String>,
    /// Loki image of the log store (default grafana/loki:3.5.3).
    #[arg(long, value_name = "IMAGE")]
    pub loki_image: Option<String>,
    /// Vector image, the log shipper of the log store (default timberio/vector:0.49.0-debian).
    #[arg(long, value_name = "IMAGE")]
    pub vector_image: Option<String>,
    /// Ask uv (on PATH; needs the package index) which pinned releases have wheels for
    /// which Python, instead of djship's built-in wheel table.
    #[arg(long)]
    pub resolve_with_uv: bool,
    /// What to generate for: compose (the default).
    #[arg(long, value_name = "TARGET",
          value_parser = clap::builder::PossibleValuesParser::new(crate::targets::names()))]
    pub target: Option<String>,
    #[command(flatten)]
    pub deploy: DeployArgs,
}

/// How the production targets run the application; each flag overrides its key in
/// `[tool.djship.deploy]`.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Deployment")]
pub struct DeployArgs {
    /// A host name the site answers to (repeat for several; default localhost).
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
    /// Serve plain HTTP: a load balancer in front terminates TLS and sends X-Forwarded-Proto.
    #[arg(long)]
    pub no_tls: bool,
    /// Certificate chain (PEM) nginx serves, instead of a generated self-signed one.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<String>,
    /// Private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<String>,
    /// Image repository the cluster targets push and pull (default: the project's name).
    #[arg(long, value_name = "REPOSITORY")]
    pub image: Option<String>,
    /// Web replicas (Swarm; the autoscaler's minimum on Kubernetes; default 2).
    #[arg(long, value_name = "N")]
    pub replicas: Option<u32>,
    /// The autoscaler's maximum (Kubernetes; default 10).
    #[arg(long, value_name = "N")]
    pub max_replicas: Option<u32>,
    /// Average CPU use the autoscaler keeps, in percent of the request (default 70).
    #[arg(long, value_name = "PERCENT")]
    pub cpu_target: Option<u32>,
    /// CPU request of each web container (default 250m).
    #[arg(long, value_name = "CPU")]
    pub cpu_request: Option<String>,
    /// CPU limit of each web container (default 1).
    #[arg(long, value_name = "CPU")]
    pub cpu_limit: Option<String>,
    /// Memory request of each web container (default 256Mi).
    #[arg(long, value_name = "BYTES")]
    pub memory_request: Option<String>,
    /// Memory limit of each web container (default 512Mi).
    #[arg(long, value_name = "BYTES")]
    pub memory_limit: Option<String>,
    /// Swarm: publish nginx's ports through the routing mesh (ingress, the default) or on
    /// the node (host).
    #[arg(long, value_name = "MODE", value_parser = ["ingress", "host"])]
    pub publish_mode: Option<String>,
    /// Swarm: reach services by virtual IP (vip, the default) or DNS round-robin (dnsrr).
    #[arg(long, value_name = "MODE", value_parser = ["vip", "dnsrr"])]
    pub endpoint_mode: Option<String>,
    /// Kubernetes: the IngressClass of the Ingress (default: the cluster's default class).
    #[arg(long, value_name = "NAME")]
    pub ingress_class: Option<String>,
    /// Kubernetes: the ingress controller's namespace, the only one the NetworkPolicy lets
    /// reach web (default ingress-nginx).
    #[arg(long, value_name = "NAMESPACE")]
    pub ingress_namespace: Option<String>,
}

impl DeployArgs {
    pub fn config(&self) -> crate::config::DeployConfig {
        crate::config::DeployConfig {
            hosts: (!self.hosts.is_empty()).then(|| self.hosts.clone()),
            tls: self.no_tls.then_some(false),
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            image: self.image.clone(),
            replicas: self.replicas,
            max_replicas: self.max_replicas,
            cpu_target: self.cpu_target,
            cpu_request: self.cpu_request.clone(),
            cpu_limit: self.cpu_limit.clone(),
            memory_request: self.memory_request.clone(),
            memory_limit: self.memory_limit.clone(),
            publish_mode: self.publish_mode.clone(),
            endpoint_mode: self.endpoint_mode.clone(),
            ingress_class: self.ingress_class.clone(),
            ingress_namespace: self.ingress_namespace.clone(),
        }
    }
}

impl PlanArgs {
    pub fn flags(&self) -> Flags {
        Flags {
            images: ImageChoice {
                python: self.python_image.clone(),
                postgres: self.postgres_image.clone(),
                nginx: self.nginx_image.clone(),
                redis: self.redis_image.clone(),
                mariadb: self.mariadb_image.clone(),
                node: self.node_image.clone(),
                prometheus: self.prometheus_image.clone(),
                grafana: self.grafana_image.clone(),
                nginx_exporter: self.nginx_exporter_image.clone(),
                postgres_exporter: self.postgres_exporter_image.clone(),
                alertmanager: self.alertmanager_image.clone(),
                loki: self.loki_image.clone(),
                vector: self.vector_image.clone(),
            },
            resolve_with_uv: self.resolve_with_uv,
            target: self.target.clone(),
            deploy: self.deploy.config(),
            ..self.project.flags()
        }
    }
}

/// Which stack of the project a command acts on.
#[derive(Args, Debug, Clone)]
pub struct StackArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// The production stack instead of the development one.
    #[arg(long)]
    pub prod: bool,
}

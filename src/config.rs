//! Project configuration: `[tool.djship]` in pyproject.toml or a `djship.toml` at the root.
//! Command-line flags override both.
//!
//! ```toml
//! [tool.djship]
//! python-image = "registry.example.com/python:3.12-slim-bookworm"
//! postgres-image = "registry.example.com/postgres:17-bookworm"
//! nginx-image = "registry.example.com/nginx:1.27-bookworm"
//! redis-image = "registry.example.com/redis:7-bookworm"
//! node-image = "registry.example.com/node:24-slim"   # the frontend build stage, when there is one
//! monitoring = true                        # Prometheus, exporters, Grafana (docs/monitoring.md)
//! log-store = "loki"                       # logs shipped to Loki, read in Grafana (docs/logging.md)
//! templates = "deploy/djship-templates"   # overrides embedded templates by file name
//! ca-cert = "certs/corporate-ca.pem"       # trusted during the build (TLS-intercepting proxy)
//! ci = ["github"]                         # CI pipelines `djship init` writes (github, gitlab, jenkins)
//!
//! [tool.djship.deploy]                  # production targets (compose, swarm, k8s)
//! hosts = ["shop.example.com"]            # the site's host names (default localhost)
//! tls = true                              # nginx terminates HTTPS (false: a load balancer does)
//! image = "registry.example.com/shop"     # image repository the clusters pull
//! replicas = 3                            # web replicas (swarm; k8s HPA minimum)
//! ingress-class = "traefik"               # k8s: the Ingress's class (default: the cluster's)
//! ingress-namespace = "kube-system"       # k8s: the controller's namespace (NetworkPolicy)
//!
//! [tool.djship.lint]
//! ignore = ["DJS007"]
//!
//! [tool.djship.native.my-package]
//! build = ["libfoo-dev"]
//! run = ["libfoo1"]
//! ```

use crate::evidence::{Evidence, Warning};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// The file it was read from (`djship.toml` or `pyproject.toml`); `None`: defaults.
    #[serde(skip)]
    pub file: Option<String>,
    pub python_image: Option<String>,
    pub postgres_image: Option<String>,
    pub nginx_image: Option<String>,
    pub redis_image: Option<String>,
    pub mariadb_image: Option<String>,
    /// Base of the frontend build stage (default node:<version>-slim).
    pub node_image: Option<String>,
    /// The monitoring stack's images (`monitoring = true`).
    pub prometheus_image: Option<String>,
    pub grafana_image: Option<String>,
    pub nginx_exporter_image: Option<String>,
    pub postgres_exporter_image: Option<String>,
    pub alertmanager_image: Option<String>,
    pub loki_image: Option<String>,
    pub vector_image: Option<String>,
    /// Where the logs are shipped to (`djship init --log-store loki`, with `monitoring`).
    pub log_store: Option<LogStoreKind>,
    /// Prometheus, its exporters and Grafana beside the production stack, django-prometheus
    /// in the settings (`djship init --monitoring`).
    pub monitoring: Option<bool>,
    /// Folder (relative to the project root) whose files override the embedded templates.
    pub templates: Option<String>,
    /// CA bundle (relative to the project root) to trust while building (`--ca-cert`).
    pub ca_cert: Option<String>,
    /// CI providers whose pipelines `djship init` writes (`--ci`).
    pub ci: Option<Vec<String>>,
    #[serde(default)]
    pub native: BTreeMap<String, ExtraRule>,
    /// `[tool.djship.lint]`: which lint rules run and what fails the run.
    #[serde(default)]
    pub lint: LintConfig,
    /// `[tool.djship.deploy]`: how the production targets run the application.
    #[serde(default)]
    pub deploy: DeployConfig,
}

/// A store the logs are shipped to (`log-store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogStoreKind {
    /// Grafana Loki, fed by Vector, read in Grafana.
    Loki,
}

/// `[tool.djship.deploy]`; every key is also a flag of `djship init` (the flag wins).
/// See [`crate::options::deploy`] for the defaults.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DeployConfig {
    /// Host names the site answers to (certificate names, ALLOWED_HOSTS, Ingress rules).
    pub hosts: Option<Vec<String>>,
    /// nginx terminates TLS (default true); false behind a load balancer that does.
    pub tls: Option<bool>,
    /// Certificate chain and key files (PEM, relative to the project) nginx serves; without
    /// them djship generates a self-signed pair for local use.
    pub tls_cert: Option<String>,
    pub tls_key: Option<String>,
    /// Image repository the cluster targets pull (default: the project's name).
    pub image: Option<String>,
    /// Web replicas (Swarm; the autoscaler's minimum on Kubernetes).
    pub replicas: Option<u32>,
    /// The autoscaler's maximum (Kubernetes).
    pub max_replicas: Option<u32>,
    /// Average CPU use, in percent of the request, the autoscaler keeps (Kubernetes).
    pub cpu_target: Option<u32>,
    /// Resources of each web container: requests and limits, in Kubernetes' notation
    /// ("250m", "512Mi").
    pub cpu_request: Option<String>,
    pub cpu_limit: Option<String>,
    pub memory_request: Option<String>,
    pub memory_limit: Option<String>,
    /// Swarm: how nginx publishes its ports, "ingress" (the routing mesh) or "host".
    pub publish_mode: Option<String>,
    /// Swarm: how services reach each other, "vip" or "dnsrr".
    pub endpoint_mode: Option<String>,
    /// Kubernetes: the IngressClass of the Ingress (default: the cluster's default class).
    pub ingress_class: Option<String>,
    /// Kubernetes: the namespace of the ingress controller, the one the NetworkPolicy lets
    /// reach web (default "ingress-nginx").
    pub ingress_namespace: Option<String>,
}

/// ```toml
/// [tool.djship.lint]
/// select = ["DJL", "DL3025"]   # codes, code prefixes or rule names (default: all)
/// ignore = ["DJS007", "runs-as-root"]
/// fail-on = "error"            # the lowest severity that makes `djship lint` exit 1
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LintConfig {
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub ignore: Vec<String>,
    pub fail_on: Option<crate::severity::Severity>,
}

impl Config {
    /// Read djship.toml, else `[tool.djship]` of pyproject.toml. Invalid configuration is a
    /// warning with the fallback "defaults", never a crash.
    pub fn load(root: &Path, warnings: &mut Vec<Warning>) -> Config {
        let mut from = |file: &str, text: &str, under_tool: bool| -> Option<Config> {
            let table: toml::Table = match text.parse() {
                Ok(t) => t,
                Err(e) => {
                    warnings.push(Warning {
                        evidence: Evidence::file(file),
                        message: format!(
                            "invalid TOML: {}",
                            crate::evidence::one_line(e.message())
                        ),
                        fallback: "used djship's defaults".into(),
                    });
                    return None;
                }
            };
            let section = if under_tool {
                table.get("tool")?.get("djship")?.clone()
            } else {
                toml::Value::Table(table)
            };
            match section.try_into::<Config>() {
                Ok(c) => Some(Config {
                    file: Some(file.to_string()),
                    ..c
                }),
                Err(e) => {
                    warnings.push(Warning {
                        evidence: Evidence::file(file),
                        message: format!(
                            "invalid djship configuration: {}",
                            crate::evidence::one_line(e.message())
                        ),
                        fallback: "used djship's defaults".into(),
                    });
                    None
                }
            }
        };
        if let Ok(text) = std::fs::read_to_string(root.join("djship.toml")) {
            if let Some(c) = from("djship.toml", &text, false) {
                return c;
            }
        }
        if let Ok(text) = std::fs::read_to_string(root.join("pyproject.toml")) {
            if let Some(c) = from("pyproject.toml", &text, true) {
                return c;
            }
        }
        Config::default()
    }
}

/// A rule added by the project's configuration.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ExtraRule {
    #[serde(default)]
    pub build: Vec<String>,
    #[serde(default)]
    pub run: Vec<String>,
}

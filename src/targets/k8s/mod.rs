//! Kubernetes: manifests laid out for kustomize. `k8s/base/` holds the application (a
//! Deployment per process, the migration Job, Service, Ingress, autoscaler, disruption
//! budgets, network policies, the non-secret ConfigMap and the media claim); `k8s/data/` the
//! database and Redis the plan needs, as StatefulSets; `k8s/overlays/production/` puts them
//! together with the image tag and the Secret, generated from a git-ignored env file.
//!
//! Everything comes from the plan: the processes and their checks, the environment and
//! which of it is secret, the deployment's hosts, TLS, image, replicas and resources.

use super::{Artifact, Secrecy, Target, Templates};
use crate::error::Result;
use crate::options::deploy::DEFAULT_HOST;
use crate::plan::Plan;
use serde::Serialize;

/// The Kubernetes release whose API schemas the manifests are written for and tested
/// against (tests/k8s.rs).
pub const KUBERNETES_VERSION: &str = "1.33.0";
/// The overlay `djship init` writes.
pub const OVERLAY: &str = "k8s/overlays/production";
/// The overlay's secret environment file: secret values, mode 0600, ignored by git
/// (k8s/.gitignore) and kept out of the image (.dockerignore leaves out k8s/).
pub const SECRET_FILE: &str = "k8s/overlays/production/secret.env";
/// The port nginx listens on in the web pod (the Service sends port 80 there).
pub const NGINX_PORT: u16 = 8080;
/// The user of the database and Redis pods (their images accept any user).
pub const DATA_UID: u32 = 10999;

/// (template, output path) of the files every project gets.
const FILES: &[(&str, &str)] = &[
    (
        "k8s-kustomization-base.yaml.j2",
        "k8s/base/kustomization.yaml",
    ),
    ("k8s-namespace.yaml.j2", "k8s/base/namespace.yaml"),
    ("k8s-config.yaml.j2", "k8s/base/config.yaml"),
    ("k8s-nginx.yaml.j2", "k8s/base/nginx.yaml"),
    ("k8s-web.yaml.j2", "k8s/base/web.yaml"),
    ("k8s-service.yaml.j2", "k8s/base/service.yaml"),
    ("k8s-ingress.yaml.j2", "k8s/base/ingress.yaml"),
    ("k8s-hpa.yaml.j2", "k8s/base/hpa.yaml"),
    ("k8s-pdb.yaml.j2", "k8s/base/pdb.yaml"),
    ("k8s-networkpolicy.yaml.j2", "k8s/base/networkpolicy.yaml"),
    ("k8s-migrate.yaml.j2", "k8s/base/migrate.yaml"),
    ("k8s-media.yaml.j2", "k8s/base/media.yaml"),
    (
        "k8s-kustomization-production.yaml.j2",
        "k8s/overlays/production/kustomization.yaml",
    ),
    ("k8s-gitignore.j2", "k8s/.gitignore"),
];

/// What the templates need beyond the plan: Kubernetes' names and forms of it.
#[derive(Debug, Serialize)]
struct Ctx {
    kubernetes_version: &'static str,
    namespace: String,
    /// The Host header of the web probes: the first host (a wildcard cannot be sent).
    probe_host: String,
    /// Hosts an Ingress rule may name (IP addresses cannot be); empty: one rule for any host.
    ingress_hosts: Vec<String>,
    /// The TLS Secret the Ingress serves, when TLS is terminated by the Ingress.
    tls_secret: Option<String>,
    /// Non-secret environment, for the ConfigMap.
    config: Vec<(String, String)>,
    /// Secret variables (their values are only in the overlay's secret file).
    secret_vars: Vec<String>,
    nginx_port: u16,
    data_uid: u32,
    secret_file: &'static str,
    /// Every volume the app containers write: /tmp and the plan's writable folders.
    writable: Vec<(String, String)>,
}

fn ctx(plan: &Plan, t: &Templates) -> Ctx {
    let hosts = &plan.deploy.hosts;
    let probe_host = hosts
        .iter()
        .find(|h| !h.starts_with("*."))
        .cloned()
        .unwrap_or_else(|| DEFAULT_HOST.to_string());
    let is_ip = |h: &str| h.chars().all(|c| c.is_ascii_digit() || c == '.');
    let secret = |name: &str| plan.env.vars.iter().any(|v| v.name == name && v.secret);
    let mut config: Vec<(String, String)> = vec![(
        "DJANGO_SETTINGS_MODULE".to_string(),
        plan.settings_production.clone(),
    )];
    for v in t.values() {
        let Some(value) = &v.value else { continue };
        if secret(&v.name) || config.iter().any(|(k, _)| *k == v.name) {
            continue;
        }
        let value = match &plan.env.debug_var {
            Some(d) if *d == v.name => plan.env.debug_off.clone(),
            _ => value.clone(),
        };
        config.push((v.name.clone(), value));
    }
    let mut writable = vec![("tmp".to_string(), "/tmp".to_string())];
    for (i, d) in plan.paths.writable_dirs.iter().enumerate() {
        writable.push((format!("writable-{}", i + 1), d.clone()));
    }
    Ctx {
        kubernetes_version: KUBERNETES_VERSION,
        namespace: plan.name.clone(),
        probe_host,
        ingress_hosts: hosts.iter().filter(|h| !is_ip(h)).cloned().collect(),
        tls_secret: plan
            .deploy
            .tls
            .as_ref()
            .map(|_| format!("{}-tls", plan.name)),
        config,
        secret_vars: t
            .values()
            .iter()
            .filter(|v| secret(&v.name) && v.value.is_some())
            .map(|v| v.name.clone())
            .collect(),
        nginx_port: NGINX_PORT,
        data_uid: DATA_UID,
        secret_file: SECRET_FILE,
        writable,
    }
}

/// The overlay's secret file: the secret variables with their resolved values (those
/// without a value are left out, so the settings' defaults apply).
fn secret_env(plan: &Plan, t: &Templates) -> String {
    let mut out = format!(
        "# Generated by djship {}: the Secret's values (kustomize's secretGenerator reads them).\n# Mode 0600, ignored by git (k8s/.gitignore): never commit it.\n",
        env!("CARGO_PKG_VERSION")
    );
    for v in t.values() {
        let secret = plan.env.vars.iter().any(|p| p.name == v.name && p.secret);
        if let (true, Some(value)) = (secret, &v.value) {
            out.push_str(&format!("{}={}\n", v.name, value));
        }
    }
    out
}

pub struct Kubernetes;

impl Target for Kubernetes {
    fn name(&self) -> &'static str {
        "k8s"
    }

    fn about(&self) -> &'static str {
        "Kubernetes: kustomize base and production overlay (Deployments, migration Job per release, Ingress, autoscaler, network policies)"
    }

    fn artifacts(&self, plan: &Plan, t: &Templates) -> Result<Vec<Artifact>> {
        let c = minijinja::Value::from_serialize(ctx(plan, t));
        let mut files: Vec<(&str, &str)> = FILES.to_vec();
        if plan.celery.is_some() {
            files.push(("k8s-worker.yaml.j2", "k8s/base/worker.yaml"));
        }
        if plan.database.is_some() || plan.redis {
            files.push((
                "k8s-kustomization-data.yaml.j2",
                "k8s/data/kustomization.yaml",
            ));
        }
        if plan.database.is_some() {
            files.push(("k8s-database.yaml.j2", "k8s/data/database.yaml"));
        }
        if plan.redis {
            files.push(("k8s-redis.yaml.j2", "k8s/data/redis.yaml"));
        }
        let mut out = files
            .iter()
            .map(|(name, path)| {
                Ok(Artifact::generated(
                    path,
                    t.render_with(name, plan, c.clone())?,
                    0o644,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        out.push(Artifact {
            secret: Secrecy::EnvFile { shown: Vec::new() },
            ..Artifact::generated(SECRET_FILE, secret_env(plan, t), 0o600)
        });
        Ok(out)
    }

    fn next_steps(&self, plan: &Plan) -> String {
        let ns = &plan.name;
        let tls = match &plan.deploy.tls {
            Some(tls) => format!(
                "  TLS secret:   kubectl -n {ns} create secret tls {ns}-tls --cert={} --key={}\n",
                tls.cert, tls.key
            ),
            None => String::new(),
        };
        format!(
            "  image:        docker build -t {image}:$TAG . && docker push {image}:$TAG\n  \
             set the tag:  (cd {OVERLAY} && kustomize edit set image {name}={image}:$TAG)\n  \
             secrets:      {SECRET_FILE} (written from .env, mode 0600, git-ignored)\n\
             {tls}  \
             release:      kubectl apply -k {OVERLAY} -l 'app.kubernetes.io/component in (namespace,config,network,database,redis,migrate)'\n                \
             kubectl -n {ns} wait --for=condition=complete --timeout=15m job/migrate-$TAG\n                \
             kubectl apply -k {OVERLAY}\n",
            image = plan.deploy.image,
            name = plan.name,
        )
    }
}

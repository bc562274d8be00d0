//! Docker Swarm: a stack file for `docker stack deploy` (`djship deploy swarm` deploys it and
//! waits for every service to converge). Web replicas update start-first, gated by their
//! health check, and roll back by themselves; migrations run once per release as a
//! `replicated-job`, and new web tasks wait until no migration is pending before they serve;
//! the secrets are Docker secrets, read from files; the database is pinned to the node
//! labelled for the stack's data, with its volume.
//!
//! Everything comes from the plan: processes and checks, the environment and which of it is
//! secret, the deployment's replicas, resources, TLS and networking choices.

use super::{Artifact, Kind, Secrecy, Target, Templates};
use crate::error::Result;
use crate::plan::Plan;
use serde::Serialize;

/// The stack file.
pub const STACK_FILE: &str = "stack.yaml";
/// Where the secrets' files are written (mode 0600, ignored by git and by the build).
pub const SECRETS_DIR: &str = "docker/secrets";
/// The settings module the services run: the production settings, with the secrets read
/// from their files while they are imported.
pub const SETTINGS_MODULE: &str = "djship_swarm_settings";

/// The variables that version each secret's name in stack.yaml: `DJSHIP_SECRET_ID_NAME`.
pub const SECRET_ID_PREFIX: &str = "DJSHIP_SECRET_ID_";

/// The key the secrets' versions are derived with, beside the secrets (git-ignored with them).
pub const SECRET_ID_KEY: &str = "docker/secrets/.version-key";

/// The image repository stack.yaml was written for (`${DJSHIP_IMAGE:-REPOSITORY}`): init's
/// `--image`, which deploy builds, tags and pushes.
pub fn stack_image(stack_text: &str) -> Option<String> {
    let start = stack_text.find("${DJSHIP_IMAGE:-")? + "${DJSHIP_IMAGE:-".len();
    let rest = &stack_text[start..];
    let image = &rest[..rest.find('}')?];
    (!image.is_empty()).then(|| image.to_string())
}

/// The node label that pins the database, Redis, nginx and the release job (with their
/// volumes): `djship deploy swarm` puts it on the manager when no node has it.
pub fn data_label(plan: &Plan) -> String {
    format!("djship.{}.data", plan.name)
}

pub struct Swarm;

/// What the stack template needs beyond the plan.
#[derive(Debug, Serialize)]
struct Ctx {
    /// Non-secret environment of the app services (name, value).
    env: Vec<(String, String)>,
    /// Secret variables, each a Docker secret mounted at /run/secrets/NAME.
    secrets: Vec<String>,
    /// The database password's secret (the database image reads `*_PASSWORD_FILE`).
    db_password: Option<String>,
    db_root_password: Option<String>,
    /// Names of the nginx config and TLS objects, versioned by their content (Swarm's
    /// configs and secrets cannot change in place).
    nginx_config: String,
    tls_cert: Option<String>,
    tls_key: Option<String>,
    data_label: String,
    cpu_limit: String,
    cpu_reservation: String,
    memory_limit: String,
    memory_reservation: String,
    /// Seconds an updated web task is watched before the update goes on: the health
    /// check's whole window (start period, then the retries).
    monitor_seconds: u32,
    settings_module: &'static str,
    secret_id_prefix: &'static str,
}

/// FNV-1a, 64 bits: a stable short name for public content (configs, certificates).
fn content_id(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", h >> 32)
}

/// A Kubernetes CPU quantity ("250m", "1") as Docker's decimal CPUs ("0.25", "1").
pub fn cpus(q: &str) -> String {
    let v = match q.strip_suffix('m') {
        Some(m) => m.parse::<f64>().unwrap_or(1000.0) / 1000.0,
        None => q.parse::<f64>().unwrap_or(1.0),
    };
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A Kubernetes memory quantity as Docker's (binary units: "512Mi" → "512M"; decimal ones
/// in bytes).
pub fn memory(q: &str) -> String {
    for (k8s, docker) in [("Ki", "K"), ("Mi", "M"), ("Gi", "G"), ("Ti", "T")] {
        if let Some(n) = q.strip_suffix(k8s) {
            return format!("{n}{docker}");
        }
    }
    for (suffix, factor) in [("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("", 1.0)] {
        if let Some(n) = q.strip_suffix(suffix) {
            if let Ok(v) = n.parse::<f64>() {
                return format!("{}", (v * factor).round() as u64);
            }
        }
    }
    q.to_string()
}

fn ctx(plan: &Plan, t: &Templates, nginx_conf: &str) -> Ctx {
    let secret = |name: &str| plan.env.vars.iter().any(|v| v.name == name && v.secret);
    let mut env = Vec::new();
    let mut secrets = Vec::new();
    for v in t.values() {
        let Some(value) = &v.value else { continue };
        // Docker refuses an empty secret; an empty value has nothing to hide.
        if secret(&v.name) && !value.is_empty() {
            secrets.push(v.name.clone());
        } else if !env.iter().any(|(k, _): &(String, String)| *k == v.name) {
            let value = match &plan.env.debug_var {
                Some(d) if *d == v.name => plan.env.debug_off.clone(),
                _ => value.clone(),
            };
            env.push((v.name.clone(), value));
        }
    }
    let has = |n: &str| secrets.iter().any(|s| s == n);
    let (db_password, db_root_password) = match plan.database.as_ref().map(|d| d.kind) {
        Some(crate::plan::DbEngine::Postgresql) if has("POSTGRES_PASSWORD") => {
            (Some("POSTGRES_PASSWORD".to_string()), None)
        }
        Some(crate::plan::DbEngine::Mariadb) if has("MARIADB_PASSWORD") => (
            Some("MARIADB_PASSWORD".to_string()),
            has("MARIADB_ROOT_PASSWORD").then(|| "MARIADB_ROOT_PASSWORD".to_string()),
        ),
        _ => (None, None),
    };
    let web = plan
        .processes
        .iter()
        .find(|p| p.role == crate::plan::process::Role::Web)
        .and_then(|p| p.health.as_ref());
    let monitor_seconds = web
        .map(|h| h.start_period_seconds + h.interval_seconds * (h.retries + 1))
        .unwrap_or(60);
    let cert = t.tls().map(|f| f.cert.clone()).unwrap_or_default();
    let r = &plan.deploy.resources;
    Ctx {
        env,
        secrets,
        db_password,
        db_root_password,
        nginx_config: format!("nginx_{}", content_id(nginx_conf)),
        tls_cert: plan
            .deploy
            .tls
            .as_ref()
            .map(|tls| format!("tls_cert_{}", content_id(&format!("{}{cert}", tls.cert)))),
        tls_key: plan
            .deploy
            .tls
            .as_ref()
            .map(|tls| format!("tls_key_{}", content_id(&format!("{}{cert}", tls.key)))),
        data_label: data_label(plan),
        cpu_limit: cpus(&r.cpu_limit),
        cpu_reservation: cpus(&r.cpu_request),
        memory_limit: memory(&r.memory_limit),
        memory_reservation: memory(&r.memory_request),
        monitor_seconds,
        settings_module: SETTINGS_MODULE,
        secret_id_prefix: SECRET_ID_PREFIX,
    }
}

impl Target for Swarm {
    fn name(&self) -> &'static str {
        "swarm"
    }

    fn about(&self) -> &'static str {
        "Docker Swarm: stack.yaml for docker stack deploy (rolling, health-gated updates that roll back; secrets as Docker secrets)"
    }

    fn artifacts(&self, plan: &Plan, t: &Templates) -> Result<Vec<Artifact>> {
        let nginx = t.render("nginx.conf.j2", plan)?;
        let c = ctx(plan, t, &nginx);
        let target = minijinja::Value::from_serialize(&c);
        let mut out = vec![
            Artifact::generated(
                STACK_FILE,
                t.render_with("swarm-stack.yaml.j2", plan, target.clone())?,
                0o644,
            ),
            Artifact::generated("docker/nginx/default.conf", nginx, 0o644),
            Artifact::generated(
                &format!("docker/{SETTINGS_MODULE}.py"),
                t.render_with("swarm-settings.py.j2", plan, target)?,
                0o644,
            ),
        ];
        for v in t.values() {
            if let (true, Some(value)) = (c.secrets.contains(&v.name), &v.value) {
                out.push(Artifact {
                    secret: Secrecy::Whole,
                    ..Artifact::generated(
                        &format!("{SECRETS_DIR}/{}", v.name),
                        value.clone(),
                        0o600,
                    )
                });
            }
        }
        out.push(Artifact {
            path: ".gitignore".into(),
            content: format!(
                "# Docker secrets' files written by djship: never commit them\n{SECRETS_DIR}/\n"
            ),
            mode: Some(0o644),
            secret: Secrecy::Public,
            kind: Kind::Append {
                present: [
                    format!("{SECRETS_DIR}/"),
                    SECRETS_DIR.to_string(),
                    format!("/{SECRETS_DIR}/"),
                    format!("/{SECRETS_DIR}"),
                ]
                .to_vec(),
            },
        });
        Ok(out)
    }

    fn next_steps(&self, plan: &Plan) -> String {
        format!(
            "  deploy:   djship deploy swarm .          (builds {image}, deploys the stack {name}, waits until every service converged)\n  by hand:  docker stack deploy --detach=false -c {STACK_FILE} {name}   (after labelling the data node: docker node update --label-add {label}=true NODE)\n  secrets:  {SECRETS_DIR}/ holds each secret's file (mode 0600, git-ignored); Swarm keeps them as Docker secrets\n",
            image = plan.deploy.image,
            name = plan.name,
            label = data_label(plan),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_the_stack_was_written_for() {
        let text = "    image: ${DJSHIP_IMAGE:-registry.example.com:5000/team/shop}:${DJSHIP_TAG:-latest}\n";
        assert_eq!(
            stack_image(text).as_deref(),
            Some("registry.example.com:5000/team/shop")
        );
        assert_eq!(stack_image("image: shop:latest"), None);
    }

    #[test]
    fn quantities_in_docker_form() {
        assert_eq!(cpus("250m"), "0.25");
        assert_eq!(cpus("1"), "1");
        assert_eq!(cpus("1.5"), "1.5");
        assert_eq!(memory("512Mi"), "512M");
        assert_eq!(memory("1Gi"), "1G");
        assert_eq!(memory("1G"), "1000000000");
        assert_eq!(memory("1048576"), "1048576");
    }

    #[test]
    fn content_ids_are_stable_and_differ() {
        assert_eq!(content_id("a"), content_id("a"));
        assert_ne!(content_id("a"), content_id("b"));
        assert_eq!(content_id("").len(), 8);
    }
}

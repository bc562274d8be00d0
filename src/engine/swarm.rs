//! Docker Swarm: deploy a stack and wait until each of its services converged, reading the
//! engine's own account of every service (its UpdateStatus, its tasks) rather than trusting
//! `docker stack deploy`, which returns before anything ran and, even with
//! `--detach=false`, exits 0 after an automatic rollback.

use super::{engine_error, text, Engine};
use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::targets::swarm::{
    data_label, stack_image, SECRETS_DIR, SECRET_ID_KEY, SECRET_ID_PREFIX, STACK_FILE,
};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The docker client for `docker stack`: `DJSHIP_STACK_DOCKER`, else the engine's. Stack
/// files with `replicated-job` need a client from Docker 23 on.
fn stack_docker(engine: &Engine) -> PathBuf {
    std::env::var_os("DJSHIP_STACK_DOCKER")
        .map(PathBuf::from)
        .unwrap_or_else(|| engine.docker.clone())
}

/// The registry host an image reference names (`registry.example.com:5000/team/shop:v1`),
/// `None` for Docker Hub's short names (`shop`, `team/shop`).
pub fn registry_of(reference: &str) -> Option<&str> {
    let (first, _) = reference.split_once('/')?;
    (first.contains('.') || first.contains(':') || first == "localhost").then_some(first)
}

/// How one service of the stack ended.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub service: String,
    pub ok: bool,
    /// What the engine says: "2/2 running", "job complete", "rolled back: ...".
    pub state: String,
    /// The errors of its failed tasks (newest first), when it did not converge.
    pub task_errors: Vec<String>,
    /// Its last log lines, when it did not converge.
    pub log_tail: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deployment {
    pub stack: String,
    pub image: String,
    /// The node djship labelled for the stack's data, when it had to.
    pub labelled: Option<String>,
    pub services: Vec<Outcome>,
    /// Earlier versions of the stack's secrets that no service uses any more (neither its
    /// spec nor the previous one, which `docker service rollback` returns to), removed.
    pub removed_secrets: Vec<String>,
    pub seconds: f64,
}

impl Deployment {
    pub fn ok(&self) -> bool {
        !self.services.is_empty() && self.services.iter().all(|s| s.ok)
    }
}

/// What `djship deploy swarm` was asked for.
#[derive(Debug, Clone)]
pub struct Release {
    /// The image tag (default: release-<unix time>).
    pub tag: Option<String>,
    /// Build the image, or deploy the one already tagged.
    pub build: bool,
    /// Push the image to its registry and deploy with the registry login.
    pub push: bool,
    pub timeout: Duration,
    /// Say what happens on stderr as it happens.
    pub progress: bool,
}

/// Build (and push) the release's image, label the data node, deploy the stack
/// `djship init --target swarm` wrote, and wait until every service converged. Earlier
/// versions of the secrets are removed only when the release converged.
pub fn deploy(root: &Path, plan: &Plan, r: &Release) -> Result<Deployment> {
    let file = root.join(STACK_FILE);
    if !file.is_file() {
        return Err(Error::Invalid {
            path: file,
            message: "no stack file".into(),
            hint: "run `djship init --target swarm` first".into(),
        });
    }
    let say = |m: String| {
        if r.progress {
            eprintln!("{m}");
        }
    };
    let engine = Engine::connect()?;
    let node = engine.swarm_node()?;
    let started = Instant::now();
    let tag = r.tag.clone().unwrap_or_else(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        format!("release-{secs}")
    });
    // The repository stack.yaml was written for (init --image), else the plan's.
    let stack_text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
    let image = stack_image(&stack_text).unwrap_or_else(|| plan.deploy.image.clone());
    if r.build {
        let b = engine.build(
            root,
            &[format!("{image}:{tag}"), format!("{image}:latest")],
            &[],
            r.progress,
        )?;
        say(format!(
            "built {image}:{tag} ({:.1} MB) in {:.1}s",
            b.size_bytes as f64 / 1e6,
            b.seconds
        ));
    }
    if r.push {
        let reference = format!("{image}:{tag}");
        if registry_of(&image).is_none() {
            return Err(Error::Invalid {
                path: file,
                message: format!(
                    "--push: the image {image} names no registry (it would go to Docker Hub)"
                ),
                hint: "name the registry in the image: djship init --target swarm --force --image registry.example.com/team/NAME (or image in [tool.djship.deploy])".into(),
            });
        }
        say(format!("pushing {reference}..."));
        engine.push(&reference)?;
    }
    let label = data_label(plan);
    let labelled = engine.ensure_label(&label, &node)?;
    if let Some(n) = &labelled {
        say(format!(
            "labelled node {n} with {label}=true: the database and its volume stay there"
        ));
    }
    let mut env = vec![
        ("DJSHIP_IMAGE".to_string(), image.clone()),
        ("DJSHIP_TAG".to_string(), tag.clone()),
    ];
    env.extend(secret_versions(root, &stack_text)?);
    engine.stack_deploy(root, STACK_FILE, &plan.name, &env, r.push)?;
    say(format!(
        "deployed the stack {} with {image}:{tag}; waiting for every service to converge...",
        plan.name
    ));
    let services = engine.wait_converged(&plan.name, r.timeout)?;
    let mut d = Deployment {
        stack: plan.name.clone(),
        image: format!("{image}:{tag}"),
        labelled,
        services,
        removed_secrets: Vec::new(),
        seconds: started.elapsed().as_secs_f64(),
    };
    // Only after a release converged: a failed one may still roll back to what it replaced.
    if d.ok() {
        d.removed_secrets = engine.remove_unused_secrets(&plan.name)?;
    }
    Ok(d)
}

/// The version of each secret stack.yaml names (`${DJSHIP_SECRET_ID_NAME:-0}`), as the
/// variables `docker stack deploy` reads: a keyed hash (HMAC-SHA256, 12 hex digits) of the
/// value in docker/secrets/NAME. The same value keeps its name from one deploy to the next;
/// a changed one gets a new name, so Swarm, which cannot change a secret in place, creates it
/// and rolls the services that use it. The key (created on first use, mode 0600) keeps the
/// name from being a way to test guesses of the value.
pub fn secret_versions(root: &Path, stack_text: &str) -> Result<Vec<(String, String)>> {
    let mut names: Vec<String> = Vec::new();
    let variable = format!("${{{SECRET_ID_PREFIX}");
    for (i, _) in stack_text.match_indices(&variable) {
        let rest = &stack_text[i + variable.len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let key_path = root.join(SECRET_ID_KEY);
    let key = match std::fs::read(&key_path) {
        Ok(k) if k.len() >= 32 => k,
        _ => {
            let mut k = [0u8; 32];
            getrandom::fill(&mut k).map_err(|e| Error::Invalid {
                path: key_path.clone(),
                message: format!("no randomness for the secrets' version key: {e}"),
                hint: "run the command again".into(),
            })?;
            let hex: String = k.iter().map(|b| format!("{b:02x}")).collect();
            crate::write::write_atomic(&key_path, hex.as_bytes(), 0o600)?;
            hex.into_bytes()
        }
    };
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    let mut out = Vec::new();
    for name in names {
        let file = root.join(SECRETS_DIR).join(&name);
        let value = std::fs::read(&file).map_err(|e| Error::Invalid {
            path: file.clone(),
            message: format!("stack.yaml uses the secret {name}, and its file cannot be read: {e}"),
            hint: "run `djship init --target swarm` to write the secrets from .env (or put the value in that file, mode 0600)".into(),
        })?;
        let tag = ring::hmac::sign(&key, &value);
        let id: String = tag.as_ref()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        out.push((format!("{SECRET_ID_PREFIX}{name}"), id));
    }
    Ok(out)
}
impl Engine {
    fn stack_cmd(&self, dir: &Path, args: &[&str], env: &[(String, String)]) -> Result<Output> {
        let bin = stack_docker(self);
        Command::new(&bin)
            .current_dir(dir)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .map_err(|e| {
                engine_error(
                    format!("cannot run {} {}: {e}", bin.display(), args.join(" ")),
                    "",
                    "install Docker (or set DJSHIP_STACK_DOCKER to a docker client)",
                )
            })
    }

    /// Push `reference` (`registry.example.com/shop:v2`) to its registry, for the nodes that
    /// pull it. A refusal says how to log in.
    pub fn push(&self, reference: &str) -> Result<()> {
        let o = self.docker(&["push", reference])?;
        if !o.status.success() {
            let t = text(&o);
            let registry = registry_of(reference).unwrap_or("docker.io");
            let hint = if t.contains("denied")
                || t.contains("unauthorized")
                || t.contains("authentication required")
            {
                format!("log in first: docker login {registry}")
            } else if t.contains("server gave HTTP response to HTTPS client") {
                format!("{registry} serves plain HTTP: serve it over TLS, or list it in the engine's insecure-registries")
            } else {
                format!("check that {registry} is reachable from this machine")
            };
            return Err(engine_error(
                format!("docker push {reference} failed"),
                t,
                hint,
            ));
        }
        Ok(())
    }

    /// This node's swarm ID; an error that says how to start a swarm when there is none.
    pub fn swarm_node(&self) -> Result<String> {
        let state = self.docker_ok(&[
            "info",
            "--format",
            "{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{.Swarm.ControlAvailable}}",
        ])?;
        let parts: Vec<&str> = state.split_whitespace().collect();
        match parts.as_slice() {
            ["active", id, "true"] => Ok(id.to_string()),
            ["active", _, _] => Err(engine_error(
                "this engine is a swarm worker: stacks are deployed from a manager",
                state.trim(),
                "run djship deploy swarm on a manager node (docker node ls shows them)",
            )),
            _ => Err(engine_error(
                "this engine is not part of a swarm",
                state.trim(),
                "start one with `docker swarm init` (or join one), then deploy again",
            )),
        }
    }

    /// Put `label=true` on this node unless some node has it already; the node labelled.
    pub fn ensure_label(&self, label: &str, node: &str) -> Result<Option<String>> {
        let nodes = self.docker_ok(&[
            "node",
            "ls",
            "-q",
            "--filter",
            &format!("node.label={label}=true"),
        ])?;
        if nodes.split_whitespace().next().is_some() {
            return Ok(None);
        }
        self.docker_ok(&[
            "node",
            "update",
            "--label-add",
            &format!("{label}=true"),
            node,
        ])?;
        Ok(Some(node.to_string()))
    }

    /// `docker stack deploy` of `file` in `dir` as `stack`; `env` reaches the file's
    /// `${...}` (image, tag, ports).
    pub fn stack_deploy(
        &self,
        dir: &Path,
        file: &str,
        stack: &str,
        env: &[(String, String)],
        with_registry_auth: bool,
    ) -> Result<String> {
        let mut args = vec!["stack", "deploy", "--prune", "-c", file];
        if with_registry_auth {
            args.push("--with-registry-auth");
        }
        args.push(stack);
        let o = self.stack_cmd(dir, &args, env)?;
        if !o.status.success() {
            let t = text(&o);
            let hint = if t.contains("replicated-job") {
                "this docker client predates swarm jobs: use Docker CLI 23 or later (set DJSHIP_STACK_DOCKER to it)"
            } else {
                "see docker's output above"
            };
            return Err(engine_error(
                format!("docker stack deploy of {file} failed"),
                t,
                hint,
            ));
        }
        Ok(text(&o))
    }

    fn json(&self, args: &[&str]) -> Result<Vec<Value>> {
        let out = self.docker_ok(args)?;
        Ok(serde_json::from_str::<Value>(&out)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default())
    }

    /// Remove the stack's secrets that no service's spec or previous spec names: the
    /// versions a changed secret left behind. A secret still in use is never removed (the
    /// engine refuses, and it is left).
    pub fn remove_unused_secrets(&self, stack: &str) -> Result<Vec<String>> {
        let listed = self.docker_ok(&[
            "secret",
            "ls",
            "--filter",
            &format!("label=com.docker.stack.namespace={stack}"),
            "--format",
            "{{.Name}}",
        ])?;
        let services = self.stack_services(stack)?;
        let used = |name: &str| {
            services.iter().any(|svc| {
                ["Spec", "PreviousSpec"].iter().any(|spec| {
                    svc[spec]["TaskTemplate"]["ContainerSpec"]["Secrets"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|s| s["SecretName"] == name))
                })
            })
        };
        let mut removed = Vec::new();
        for name in listed.split_whitespace() {
            if !used(name) && self.docker_ok(&["secret", "rm", name]).is_ok() {
                removed.push(name.to_string());
            }
        }
        Ok(removed)
    }

    /// The stack's services, as `docker service inspect` reports them.
    fn stack_services(&self, stack: &str) -> Result<Vec<Value>> {
        let names = self.docker_ok(&[
            "service",
            "ls",
            "-q",
            "--filter",
            &format!("label=com.docker.stack.namespace={stack}"),
        ])?;
        let ids: Vec<&str> = names.split_whitespace().collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec!["service", "inspect"];
        args.extend(ids);
        self.json(&args)
    }

    fn tasks(&self, service: &str) -> Result<Vec<Value>> {
        let ids = self.docker_ok(&["service", "ps", "-q", "--no-trunc", service])?;
        let ids: Vec<&str> = ids.split_whitespace().collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec!["inspect"];
        args.extend(ids);
        self.json(&args)
    }

    /// Wait until every service of `stack` converged (or `timeout`): replicated services
    /// with all replicas running (healthy where they have a check) and no update in
    /// progress, jobs with their current run complete. A service whose update rolled back
    /// or paused, or a job that failed, is a failure at once.
    pub fn wait_converged(&self, stack: &str, timeout: Duration) -> Result<Vec<Outcome>> {
        let start = Instant::now();
        loop {
            let services = self.stack_services(stack)?;
            let mut outcomes = Vec::new();
            let mut pending = false;
            for s in &services {
                let name = s["Spec"]["Name"].as_str().unwrap_or("").to_string();
                let tasks = self.tasks(&name)?;
                let (done, failed, state) = judge(s, &tasks);
                pending |= !done && !failed;
                outcomes.push((name, done, failed, state, tasks));
            }
            let timed_out = start.elapsed() > timeout;
            if (!pending && !services.is_empty()) || timed_out {
                return Ok(outcomes
                    .into_iter()
                    .map(|(service, done, _, state, tasks)| {
                        let (task_errors, log_tail) = if done {
                            (Vec::new(), Vec::new())
                        } else {
                            (task_errors(&tasks), self.service_logs(&service, 30))
                        };
                        Outcome {
                            ok: done,
                            state: if !done && timed_out && !state.contains("rolled back") {
                                format!("{state} (not converged after {}s)", timeout.as_secs())
                            } else {
                                state
                            },
                            service,
                            task_errors,
                            log_tail,
                        }
                    })
                    .collect());
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    }

    fn service_logs(&self, service: &str, lines: usize) -> Vec<String> {
        match self.docker(&[
            "service",
            "logs",
            "--no-trunc",
            "--no-task-ids",
            "--tail",
            &lines.to_string(),
            service,
        ]) {
            Ok(o) => {
                let all = text(&o);
                let v: Vec<String> = all.lines().map(String::from).collect();
                v[v.len().saturating_sub(lines)..].to_vec()
            }
            Err(_) => Vec::new(),
        }
    }
}

/// (converged, failed, what the engine says) of one service and its tasks.
fn judge(s: &Value, tasks: &[Value]) -> (bool, bool, String) {
    let update = s["UpdateStatus"]["State"].as_str().unwrap_or("");
    let message = s["UpdateStatus"]["Message"].as_str().unwrap_or("");
    match update {
        "rollback_completed" | "rollback_paused" => {
            return (false, true, format!("rolled back: {message}"));
        }
        "paused" => return (false, true, format!("update paused: {message}")),
        _ => {}
    }
    let mode = &s["Spec"]["Mode"];
    if mode.get("ReplicatedJob").is_some() {
        let iteration = s["JobStatus"]["JobIteration"]["Index"].as_u64();
        let current: Vec<&Value> = tasks
            .iter()
            .filter(|t| t["JobIteration"]["Index"].as_u64() == iteration)
            .collect();
        let complete = current
            .iter()
            .any(|t| t["Status"]["State"].as_str() == Some("complete"));
        let failed = current
            .iter()
            .filter(|t| matches!(t["Status"]["State"].as_str(), Some("failed" | "rejected")))
            .count() as u64;
        let attempts = s["Spec"]["TaskTemplate"]["RestartPolicy"]["MaxAttempts"]
            .as_u64()
            .unwrap_or(0);
        if complete {
            return (true, false, "job complete".into());
        }
        if failed > attempts {
            return (
                false,
                true,
                format!("job failed {failed} time(s) (restart limit {attempts})"),
            );
        }
        return (false, false, "job running".into());
    }
    let desired = mode["Replicated"]["Replicas"].as_u64().unwrap_or(1);
    let running = tasks
        .iter()
        .filter(|t| {
            t["DesiredState"].as_str() == Some("running")
                && t["Status"]["State"].as_str() == Some("running")
        })
        .count() as u64;
    let state = format!("{running}/{desired} running");
    let updating = matches!(update, "updating" | "rollback_started");
    if updating {
        return (false, false, format!("{state}, {update}"));
    }
    (running == desired, false, state)
}

/// The errors of a service's failed tasks, newest first.
fn task_errors(tasks: &[Value]) -> Vec<String> {
    let mut failed: Vec<&Value> = tasks
        .iter()
        .filter(|t| {
            t["Status"]["Err"].as_str().is_some_and(|e| !e.is_empty())
                || matches!(t["Status"]["State"].as_str(), Some("failed" | "rejected"))
        })
        .collect();
    failed.sort_by(|a, b| {
        b["Status"]["Timestamp"]
            .as_str()
            .cmp(&a["Status"]["Timestamp"].as_str())
    });
    failed
        .iter()
        .take(5)
        .map(|t| {
            format!(
                "task {} {}: {}",
                t["ID"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(12)
                    .collect::<String>(),
                t["Status"]["State"].as_str().unwrap_or(""),
                t["Status"]["Err"].as_str().unwrap_or("(no error recorded)")
            )
        })
        .collect()
}

#[cfg(test)]
mod registry_tests {
    use super::registry_of;

    #[test]
    fn the_registry_an_image_names() {
        assert_eq!(
            registry_of("registry.example.com/team/shop"),
            Some("registry.example.com")
        );
        assert_eq!(registry_of("127.0.0.1:5000/shop"), Some("127.0.0.1:5000"));
        assert_eq!(registry_of("localhost/shop"), Some("localhost"));
        assert_eq!(registry_of("team/shop"), None);
        assert_eq!(registry_of("shop"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_keeps_its_version_until_its_value_changes() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = dir.path().join(SECRETS_DIR);
        std::fs::create_dir_all(&secrets).unwrap();
        std::fs::write(secrets.join("SECRET_KEY"), "one").unwrap();
        std::fs::write(secrets.join("POSTGRES_PASSWORD"), "pw").unwrap();
        let stack = "# each named by a version (DJSHIP_SECRET_ID_NAME, set by djship deploy)\n    name: shop_SECRET_KEY_${DJSHIP_SECRET_ID_SECRET_KEY:-0}\n    name: shop_POSTGRES_PASSWORD_${DJSHIP_SECRET_ID_POSTGRES_PASSWORD:-0}\n";
        let first = secret_versions(dir.path(), stack).unwrap();
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].0, "DJSHIP_SECRET_ID_SECRET_KEY");
        assert!(first.iter().all(|(_, id)| id.len() == 12), "{first:?}");
        // The key was made once, private; the same values give the same versions.
        let key = dir.path().join(SECRET_ID_KEY);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(secret_versions(dir.path(), stack).unwrap(), first);
        // A changed value: a new version for it alone.
        std::fs::write(secrets.join("SECRET_KEY"), "two").unwrap();
        let second = secret_versions(dir.path(), stack).unwrap();
        assert_ne!(second[0], first[0]);
        assert_eq!(second[1], first[1]);
        // Another key (another machine without the key file): other versions, so the
        // version does not tell the value.
        std::fs::remove_file(&key).unwrap();
        assert_ne!(secret_versions(dir.path(), stack).unwrap()[1], first[1]);
        // A secret the stack names without its file: the error names the file.
        std::fs::remove_file(secrets.join("SECRET_KEY")).unwrap();
        let e = secret_versions(dir.path(), stack).unwrap_err().to_string();
        assert!(
            e.contains("SECRET_KEY") && e.contains("djship init --target swarm"),
            "{e}"
        );
    }

    use serde_json::json;

    fn task(state: &str, desired: &str, iteration: u64) -> Value {
        json!({"ID": "t1", "DesiredState": desired, "JobIteration": {"Index": iteration},
               "Status": {"State": state, "Err": if state == "failed" { "task: non-zero exit (1)" } else { "" },
                          "Timestamp": "2026-12-04T10:00:00Z"}})
    }

    #[test]
    fn a_rollback_is_a_failure_even_when_every_replica_runs() {
        let s = json!({"Spec": {"Name": "shop_web", "Mode": {"Replicated": {"Replicas": 2}}},
                       "UpdateStatus": {"State": "rollback_completed", "Message": "rollback completed"}});
        let tasks = [task("running", "running", 0), task("running", "running", 0)];
        let (done, failed, state) = judge(&s, &tasks);
        assert!(!done && failed, "{state}");
        assert!(state.starts_with("rolled back"));
    }

    #[test]
    fn replicas_converge_when_all_run_and_no_update_is_in_progress() {
        let s = json!({"Spec": {"Name": "shop_web", "Mode": {"Replicated": {"Replicas": 2}}}});
        let one = [
            task("running", "running", 0),
            task("starting", "running", 0),
        ];
        assert_eq!(judge(&s, &one), (false, false, "1/2 running".into()));
        let two = [
            task("running", "running", 0),
            task("running", "running", 0),
            task("shutdown", "shutdown", 0),
        ];
        assert_eq!(judge(&s, &two), (true, false, "2/2 running".into()));
        let updating = json!({"Spec": {"Name": "shop_web", "Mode": {"Replicated": {"Replicas": 2}}},
                              "UpdateStatus": {"State": "updating"}});
        assert!(!judge(&updating, &two).0);
    }

    #[test]
    fn a_job_is_judged_by_its_current_run() {
        let s = json!({"Spec": {"Name": "shop_migrate", "Mode": {"ReplicatedJob": {}},
                                "TaskTemplate": {"RestartPolicy": {"MaxAttempts": 2}}},
                       "JobStatus": {"JobIteration": {"Index": 5}}});
        // The last release's run completed; this one still runs.
        let tasks = [
            task("complete", "complete", 4),
            task("running", "complete", 5),
        ];
        assert_eq!(judge(&s, &tasks), (false, false, "job running".into()));
        let tasks = [task("complete", "complete", 5)];
        assert!(judge(&s, &tasks).0);
        let tasks = [
            task("failed", "complete", 5),
            task("failed", "complete", 5),
            task("failed", "complete", 5),
        ];
        let (done, failed, _) = judge(&s, &tasks);
        assert!(!done && failed);
        assert_eq!(task_errors(&tasks).len(), 3);
    }
}

//! A compose project and what djship runs on it: compose commands, its containers' states
//! and logs, waiting until it is ready, and the command line to paste.

use super::state::{
    parse_states, readiness, select_failing, NotReady, Readiness, ServiceReport, ServiceState,
};
use super::{engine_error, shell_quote, text, verify, Engine};
use crate::error::{Error, Result};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A compose project: folder, compose file and project name, plus extra environment.
#[derive(Debug, Clone)]
pub struct Project {
    pub dir: PathBuf,
    pub file: String,
    pub name: String,
    pub env: Vec<(String, String)>,
}

impl Engine {
    /// The compose command for a project: `docker compose -p NAME -f FILE ARGS...`.
    pub(super) fn compose_cmd(&self, p: &Project, args: &[&str]) -> Command {
        let (bin, pre) = self
            .compose
            .split_first()
            .expect("compose command is not empty");
        let mut cmd = Command::new(bin);
        cmd.args(pre)
            .current_dir(&p.dir)
            .args(["-p", &p.name, "-f", &p.file])
            .args(args)
            .envs(p.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    fn compose_spawn_error(&self, e: std::io::Error) -> Error {
        engine_error(
            format!("cannot run {}: {e}", self.compose.join(" ")),
            "",
            "install compose v2 (docker compose)",
        )
    }

    pub fn compose(&self, p: &Project, args: &[&str]) -> Result<Output> {
        self.compose_cmd(p, args)
            .output()
            .map_err(|e| self.compose_spawn_error(e))
    }

    /// Run compose with the terminal attached (logs, manage.py, shell).
    pub fn compose_status(&self, p: &Project, args: &[&str]) -> Result<std::process::ExitStatus> {
        self.compose_cmd(p, args)
            .status()
            .map_err(|e| self.compose_spawn_error(e))
    }

    pub fn compose_ok(&self, p: &Project, args: &[&str]) -> Result<String> {
        let o = self.compose(p, args)?;
        if !o.status.success() {
            return Err(engine_error(
                format!("docker compose {} failed for {}", args.join(" "), p.file),
                text(&o),
                "see compose's output above",
            ));
        }
        Ok(text(&o))
    }

    /// `docker compose up ARGS`: when it fails, the error keeps compose's error lines and
    /// adds the last log lines of the services compose names as the cause (a migration
    /// that exited 1 says why only in its own log).
    pub fn compose_up(&self, p: &Project, args: &[&str]) -> Result<()> {
        let mut all = vec!["up"];
        all.extend(args);
        let o = self.compose(p, &all)?;
        if o.status.success() {
            return Ok(());
        }
        let summary = verify::compose_failure_summary(&text(&o));
        let mut detail = summary.clone();
        let named = services_named_in(&p.name, &summary);
        let states = self.states(p).unwrap_or_default();
        for svc in &named {
            for s in states.iter().filter(|s| &s.service == svc) {
                detail.push_str(&format!(
                    "\n--- {} ({}), last log lines ---\n",
                    s.service,
                    s.describe()
                ));
                for l in self.log_tail(&s.id, 20).unwrap_or_default() {
                    detail.push_str(&l);
                    detail.push('\n');
                }
            }
        }
        Err(engine_error(
            format!("docker compose {} failed for {}", all.join(" "), p.file),
            detail.trim_end().to_string(),
            if named.is_empty() {
                "see compose's output above".to_string()
            } else {
                format!("the last log lines of {} are above", named.join(", "))
            },
        ))
    }

    /// Every container of a compose project (running or not), as the engine reports it.
    pub fn states(&self, p: &Project) -> Result<Vec<ServiceState>> {
        let out = self.compose_ok(p, &["ps", "-a", "-q"])?;
        let ids: Vec<&str> = out
            .split_whitespace()
            .filter(|s| s.chars().all(|c| c.is_ascii_hexdigit()))
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec!["inspect"];
        args.extend(&ids);
        let json = self.docker_ok(&args)?;
        parse_states(&json).map_err(|e| {
            engine_error(
                format!("unexpected output of docker inspect: {e}"),
                json.chars().take(2000).collect::<String>(),
                "check that the docker CLI and the engine are Docker 20.10 or newer",
            )
        })
    }

    /// The last `lines` lines a container wrote (stdout and stderr in the order written).
    pub fn log_tail(&self, container: &str, lines: usize) -> Result<Vec<String>> {
        let n = lines.to_string();
        let o = self.docker(&["logs", "--timestamps", "--tail", &n, container])?;
        if !o.status.success() {
            return Err(engine_error(
                format!("docker logs {container} failed"),
                text(&o),
                "see the engine's output above",
            ));
        }
        let mut merged = merge_logs(
            &String::from_utf8_lossy(&o.stdout),
            &String::from_utf8_lossy(&o.stderr),
        );
        let extra = merged.len().saturating_sub(lines);
        merged.drain(..extra);
        Ok(merged)
    }

    /// The services that explain a failure, with their state and last `lines` log lines:
    /// every container in a failing state, and the services `named` with the reason they
    /// are named (see [`select_failing`]). Healthy services that nobody named are not shown.
    pub fn diagnose(
        &self,
        p: &Project,
        named: &[(String, String)],
        lines: usize,
    ) -> Result<Vec<ServiceReport>> {
        let states = self.states(p)?;
        let chosen = select_failing(&states, named);
        let mut out = Vec::new();
        // The ones that explain the failure first, in the order chosen; then the others.
        for (i, reason) in &chosen {
            let s = &states[*i];
            let log_tail = self
                .log_tail(&s.id, lines)
                .unwrap_or_else(|e| vec![format!("(no log: {e})")]);
            out.push(ServiceReport {
                state: s.clone(),
                failing: true,
                reason: Some(reason.clone()),
                log_tail,
            });
        }
        for (i, s) in states.iter().enumerate() {
            if !chosen.iter().any(|(j, _)| *j == i) {
                out.push(ServiceReport {
                    state: s.clone(),
                    failing: false,
                    reason: None,
                    log_tail: Vec::new(),
                });
            }
        }
        Ok(out)
    }

    /// One look at a project: ready, still starting, or a service that will not come up.
    pub fn readiness(&self, p: &Project) -> Result<Readiness> {
        Ok(readiness(&self.states(p)?))
    }

    /// Wait until every service is healthy (or running, without a healthcheck), and every
    /// one-shot service has exited 0. Fails at once when one exits non-zero or restarts in
    /// a loop; the error names the services and says why, without their logs.
    pub fn wait_ready_quiet(
        &self,
        p: &Project,
        timeout: Duration,
    ) -> Result<std::result::Result<(), NotReady>> {
        let start = Instant::now();
        loop {
            match self.readiness(p)? {
                Readiness::Ready => return Ok(Ok(())),
                Readiness::Failed { service, message } => {
                    return Ok(Err(NotReady {
                        message,
                        services: vec![service],
                    }))
                }
                Readiness::Pending(pending) => {
                    if start.elapsed() > timeout {
                        return Ok(Err(NotReady {
                            message: format!(
                                "services not ready after {}s: {}",
                                timeout.as_secs(),
                                pending
                                    .iter()
                                    .map(|(s, why)| format!("{s} ({why})"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            services: pending.into_iter().map(|(s, _)| s).collect(),
                        }));
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// [`Engine::wait_ready_quiet`], and when a service does not come up, an error with the
    /// last log lines of the services that did not.
    pub fn wait_ready(&self, p: &Project, timeout: Duration) -> Result<()> {
        let Err(not) = self.wait_ready_quiet(p, timeout)? else {
            return Ok(());
        };
        let mut logs = String::new();
        let states = self.states(p)?;
        for svc in &not.services {
            for s in states.iter().filter(|s| &s.service == svc) {
                let tail = self.log_tail(&s.id, 40).unwrap_or_default();
                logs.push_str(&format!("--- {} ({}) ---\n", s.service, s.describe()));
                for l in tail {
                    logs.push_str(&l);
                    logs.push('\n');
                }
            }
        }
        Err(engine_error(
            not.message,
            logs,
            "the last log lines of the services that did not come up are above",
        ))
    }

    /// The shell command that runs compose `args` on this project as djship does, to
    /// print for the user: `cd DIR && HTTP_PORT=8080 docker compose -p NAME -f FILE ARGS`.
    pub fn command_line(&self, p: &Project, args: &[&str]) -> String {
        let mut words = vec!["cd".to_string(), shell_quote(&p.dir.display().to_string())];
        words.push("&&".into());
        words.extend(p.env.iter().map(|(k, v)| format!("{k}={}", shell_quote(v))));
        words.extend(self.compose.iter().map(|w| shell_quote(w)));
        words.extend(["-p", &p.name, "-f", &p.file].map(shell_quote));
        words.extend(args.iter().map(|a| shell_quote(a)));
        words.join(" ")
    }
}

/// The services of compose project `project` that a message of compose names: by their
/// container (`PROJECT-SERVICE-1`) or as `service "SERVICE"`, in the order named.
pub fn services_named_in(project: &str, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let prefix = format!("{project}-");
    for word in text.split(|c: char| c.is_whitespace() || "\"'`,:()".contains(c)) {
        let from_container = word.strip_prefix(&prefix).and_then(|rest| {
            let (svc, n) = rest.rsplit_once('-')?;
            (!svc.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
                .then_some(svc)
        });
        if let Some(svc) = from_container {
            if !out.iter().any(|o| o == svc) {
                out.push(svc.to_string());
            }
        }
    }
    let mut rest = text;
    while let Some(i) = rest.find("service \"") {
        rest = &rest[i + 9..];
        if let Some(end) = rest.find('"') {
            let svc = &rest[..end];
            if !svc.is_empty() && !out.iter().any(|o| o == svc) {
                out.push(svc.to_string());
            }
        }
    }
    out
}

/// Longest log line kept in a report; longer ones are cut (a minified bundle, a dump).
const LOG_LINE_CHARS: usize = 2000;

/// `docker logs --timestamps` splits a container's log into stdout and stderr: put the
/// lines back in the order written (by timestamp; stdout first on a tie) and drop the
/// timestamps. A line without a timestamp stays after the line before it.
pub fn merge_logs(stdout: &str, stderr: &str) -> Vec<String> {
    fn key(ts: &str) -> Option<(String, String)> {
        // 2025-01-02T03:04:05.123456789Z: the fraction has no fixed width everywhere.
        let (secs, rest) = ts.split_once('.').unwrap_or((ts.trim_end_matches('Z'), ""));
        if secs.len() < 19 || !secs.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let frac: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((secs.to_string(), format!("{frac:0<9}")))
    }
    fn lines(text: &str) -> Vec<((String, String), String)> {
        let mut out: Vec<((String, String), String)> = Vec::new();
        for l in text.lines() {
            let parsed = l
                .split_once(' ')
                .and_then(|(t, r)| Some((key(t)?, r)))
                .or_else(|| {
                    // A timestamp alone: an empty line.
                    key(l).map(|k| (k, ""))
                });
            match parsed {
                Some((k, rest)) => out.push((k, rest.to_string())),
                None => {
                    let k = out.last().map(|x| x.0.clone()).unwrap_or_default();
                    out.push((k, l.to_string()));
                }
            }
        }
        out
    }
    let (a, b) = (lines(stdout), lines(stderr));
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len() + b.len());
    while i < a.len() || j < b.len() {
        let take_a = j >= b.len() || (i < a.len() && a[i].0 <= b[j].0);
        let line = if take_a {
            i += 1;
            &a[i - 1].1
        } else {
            j += 1;
            &b[j - 1].1
        };
        out.push(if line.chars().count() > LOG_LINE_CHARS {
            format!("{}…", line.chars().take(LOG_LINE_CHARS).collect::<String>())
        } else {
            line.clone()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_are_merged_by_time_without_timestamps() {
        let out = "2025-01-02T03:04:05.1Z Operations to perform:\n\
                   2025-01-02T03:04:05.3Z   Applying app.0001... OK\n";
        let err = "2025-01-02T03:04:05.12Z Traceback (most recent call last):\n\
                   continued without a timestamp\n\
                   2025-01-02T03:04:06.000000001Z RuntimeError: boom\n\
                   2025-01-02T03:04:06.5Z\n";
        assert_eq!(
            merge_logs(out, err),
            [
                "Operations to perform:",
                "Traceback (most recent call last):",
                "continued without a timestamp",
                "  Applying app.0001... OK",
                "RuntimeError: boom",
                "",
            ]
        );
        let long = format!("2025-01-02T03:04:05.1Z {}", "x".repeat(LOG_LINE_CHARS + 10));
        let merged = merge_logs(&long, "");
        assert_eq!(merged[0].chars().count(), LOG_LINE_CHARS + 1);
        assert!(merged[0].ends_with('…'));
        assert!(merge_logs("", "").is_empty());
    }

    #[test]
    fn services_that_compose_names() {
        let text = "Container shop-verify-migrate-1 Error service \"migrate\" didn't complete \
                    successfully: exit 1\ndependency failed to start: container \
                    shop-verify-web-1 is unhealthy\nservice \"celery-beat\" didn't complete";
        assert_eq!(
            services_named_in("shop-verify", text),
            ["migrate", "web", "celery-beat"]
        );
        assert_eq!(
            services_named_in("shop-verify", "Container shop-verify-celery-worker-2 Error"),
            ["celery-worker"]
        );
        // Another project's containers, and words that only look alike, are not named.
        assert!(services_named_in(
            "shop-verify",
            "Container other-verify-web-1 Error; shop-verify-web; shop-verify-"
        )
        .is_empty());
    }

    #[test]
    fn a_compose_command_to_paste() {
        let engine = Engine {
            docker: "docker".into(),
            compose: vec!["/usr/bin/docker".into(), "compose".into()],
        };
        let p = Project {
            dir: "/srv/my shop".into(),
            file: "compose.prod.yaml".into(),
            name: "shop-verify".into(),
            env: vec![("HTTP_PORT".into(), "8080".into())],
        };
        assert_eq!(
            engine.command_line(&p, &["logs", "--tail", "50"]),
            "cd '/srv/my shop' && HTTP_PORT=8080 /usr/bin/docker compose -p shop-verify \
             -f compose.prod.yaml logs --tail 50"
        );
    }
}

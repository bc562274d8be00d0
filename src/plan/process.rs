//! The processes the application runs, whatever runs them: the web server, Celery's worker
//! and beat, and the release task (migrations) that runs once per deployment, before the
//! new web processes take traffic. Targets turn them into services, Deployments or Jobs.

use super::{Celery, Server};
use serde::Serialize;

/// What a process is for: targets place and check them by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Serves HTTP on the plan's port; replicated; behind the proxy.
    Web,
    /// Consumes the task queue; replicated.
    Worker,
    /// Schedules periodic tasks: exactly one at a time.
    Beat,
    /// Runs to completion once per release (migrations), before the web processes start.
    Release,
}

#[derive(Debug, Clone, Serialize)]
pub struct Process {
    pub name: String,
    pub role: Role,
    /// Exec form.
    pub command: Vec<String>,
    /// How to tell it is healthy; absent: no check fits (beat has no endpoint to ask), and
    /// the image's own HEALTHCHECK (the web one) must be turned off for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
    /// Seconds between SIGTERM and SIGKILL: longer than the server's graceful timeout.
    pub stop_grace_seconds: u32,
}

/// A health check, as the process's container runs it.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// Exec form, or with `shell` one line for `sh -c`.
    pub command: Vec<String>,
    /// The command is one shell line (it reads the environment, e.g. `$HOSTNAME`).
    pub shell: bool,
    pub interval_seconds: u32,
    pub timeout_seconds: u32,
    pub start_period_seconds: u32,
    pub retries: u32,
}

/// Seconds gunicorn and uvicorn are given to finish requests on SIGTERM (`--graceful-timeout`
/// and `--timeout-graceful-shutdown` in the server commands).
pub const GRACEFUL_SECONDS: u32 = 30;

/// The web process's check: a request to the app, with an allowed Host (docker/healthcheck.py).
pub fn web_health() -> Health {
    Health {
        command: ["python", "/app/docker/healthcheck.py"]
            .map(String::from)
            .to_vec(),
        shell: false,
        // The first check comes one interval after the start: short, so the stack is up
        // soon (`start_interval` would do better, but needs Docker Engine 25).
        interval_seconds: 3,
        timeout_seconds: 5,
        start_period_seconds: 30,
        retries: 3,
    }
}

pub fn processes(server: &Server, celery: Option<&Celery>) -> Vec<Process> {
    let mut out = vec![
        Process {
            name: "migrate".into(),
            role: Role::Release,
            command: ["python", "manage.py", "migrate", "--noinput"]
                .map(String::from)
                .to_vec(),
            health: None,
            stop_grace_seconds: 10,
        },
        Process {
            name: "web".into(),
            role: Role::Web,
            command: server.command.clone(),
            health: Some(web_health()),
            stop_grace_seconds: GRACEFUL_SECONDS + 5,
        },
    ];
    if let Some(c) = celery {
        out.push(Process {
            name: "worker".into(),
            role: Role::Worker,
            command: ["celery", "-A", &c.app, "worker", "--loglevel=INFO"]
                .map(String::from)
                .to_vec(),
            // Its own check, never the web one: the worker answers a ping over the broker.
            health: Some(Health {
                command: vec![format!(
                    "celery -A {} inspect ping --timeout 5 -d celery@$HOSTNAME",
                    c.app
                )],
                shell: true,
                interval_seconds: 20,
                timeout_seconds: 15,
                start_period_seconds: 30,
                retries: 3,
            }),
            stop_grace_seconds: GRACEFUL_SECONDS + 5,
        });
        if c.beat {
            out.push(Process {
                name: "beat".into(),
                role: Role::Beat,
                command: [
                    "celery",
                    "-A",
                    &c.app,
                    "beat",
                    "--loglevel=INFO",
                    "--schedule",
                    "/tmp/celerybeat-schedule",
                ]
                .map(String::from)
                .to_vec(),
                health: None,
                stop_grace_seconds: 10,
            });
        }
    }
    out
}

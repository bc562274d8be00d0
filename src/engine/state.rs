//! What the states of a compose project's containers mean (as `docker inspect` reports
//! them): failing or not, ready or not, and which containers explain a failure.

/// One container of a compose project, as `docker inspect` reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ServiceState {
    /// The compose service (`com.docker.compose.service`).
    pub service: String,
    /// The container's name.
    pub container: String,
    #[serde(skip)]
    pub id: String,
    /// created, running, restarting, exited, dead, paused, removing.
    pub status: String,
    /// The last exit code (0 while it has never exited).
    pub exit_code: i64,
    /// starting, healthy or unhealthy while it runs; `None` without a healthcheck and when
    /// it is not running (the engine calls every stopped container with a healthcheck
    /// unhealthy, a one-shot service that exited 0 too).
    pub health: Option<String>,
    /// How often its restart policy restarted it.
    pub restarts: u64,
    pub restart_policy: String,
    pub oom_killed: bool,
    /// The engine's error when the container could not start (`exec: "x": not found`).
    pub error: Option<String>,
}

/// Restarts by policy after which a service counts as restarting in a loop.
pub const CRASH_LOOP_RESTARTS: u64 = 3;

impl ServiceState {
    fn restarted_by_policy(&self) -> bool {
        matches!(
            self.restart_policy.as_str(),
            "always" | "unless-stopped" | "on-failure"
        )
    }

    /// Why this container counts as failing, from its state alone; `None` when it does not
    /// (running and healthy or without a healthcheck, a one-shot that exited 0, still
    /// starting, or created and waiting for a dependency).
    pub fn failure(&self) -> Option<String> {
        let mut why = match self.status.as_str() {
            "exited" | "dead" if self.exit_code != 0 => {
                Some(format!("exited with code {}", self.exit_code))
            }
            "dead" => Some("dead".to_string()),
            "restarting" => Some(format!(
                "restarting ({} restarts, last exit code {})",
                self.restarts, self.exit_code
            )),
            _ if self.health.as_deref() == Some("unhealthy") => Some("unhealthy".to_string()),
            // Restarted by its policy and not healthy (again): a crash, maybe a loop.
            "running" if self.restarts > 0 && self.health.as_deref() != Some("healthy") => {
                Some(format!(
                    "restarted {} by its restart policy, {}",
                    times(self.restarts),
                    match self.health.as_deref() {
                        Some(h) => format!("health check {h}"),
                        None => "running again".to_string(),
                    }
                ))
            }
            _ => None,
        };
        if self.oom_killed {
            why = Some(format!(
                "{}, killed for lack of memory",
                why.unwrap_or_else(|| self.describe())
            ));
        }
        if let Some(e) = &self.error {
            why = Some(format!(
                "{}; the engine says: {e}",
                why.unwrap_or_else(|| self.describe())
            ));
        }
        why
    }

    /// The state in a few words: `exited with code 1`, `running, unhealthy`.
    pub fn describe(&self) -> String {
        let mut d = match self.status.as_str() {
            "exited" | "dead" => format!("{} with code {}", self.status, self.exit_code),
            "restarting" => format!("restarting (last exit code {})", self.exit_code),
            "created" => "created, never started".to_string(),
            other => other.to_string(),
        };
        if self.status == "running" {
            match self.health.as_deref() {
                Some("starting") => d.push_str(", health check starting"),
                Some(h) => {
                    d.push_str(", ");
                    d.push_str(h);
                }
                None => {}
            }
        }
        if self.restarts > 0 {
            d.push_str(&format!(", restarted {}", times(self.restarts)));
        }
        d
    }
}

fn times(n: u64) -> String {
    match n {
        1 => "once".to_string(),
        n => format!("{n} times"),
    }
}

/// A service in verify's explanation of a failure.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ServiceReport {
    #[serde(flatten)]
    pub state: ServiceState,
    /// True for the services that explain the failure; only they have a log tail.
    pub failing: bool,
    /// Why it is listed: its failing state, or what named it (a failed check).
    pub reason: Option<String>,
    /// Its last log lines, oldest first.
    pub log_tail: Vec<String>,
}

/// Why a project is not ready: a message and the services concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct NotReady {
    pub message: String,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Readiness {
    Ready,
    /// Still coming up: (service, its state).
    Pending(Vec<(String, String)>),
    /// Will not come up without a change: exited non-zero, dead or restarting in a loop.
    Failed {
        service: String,
        message: String,
    },
}

/// Ready when every service is running (healthy, where it has a healthcheck) and every
/// one-shot service (no restart policy) has exited 0.
pub fn readiness(states: &[ServiceState]) -> Readiness {
    let mut pending = Vec::new();
    for s in states {
        match s.status.as_str() {
            "exited" if s.exit_code == 0 && !s.restarted_by_policy() => {}
            "exited" if s.exit_code == 0 && s.restart_policy == "on-failure" => {}
            "exited" | "restarting" if s.restarted_by_policy() => {
                if s.restarts >= CRASH_LOOP_RESTARTS {
                    return Readiness::Failed {
                        service: s.service.clone(),
                        message: format!(
                            "service {} restarts in a loop: restarted {} times, last exit code {}",
                            s.service, s.restarts, s.exit_code
                        ),
                    };
                }
                pending.push((s.service.clone(), "restarting".to_string()));
            }
            "exited" | "dead" => {
                return Readiness::Failed {
                    service: s.service.clone(),
                    message: format!("service {} exited with code {}", s.service, s.exit_code),
                }
            }
            "running" if matches!(s.health.as_deref(), None | Some("healthy")) => {}
            _ => pending.push((s.service.clone(), s.describe())),
        }
    }
    if pending.is_empty() {
        Readiness::Ready
    } else {
        Readiness::Pending(pending)
    }
}

/// Which containers explain a failure, with why: the services `named` (service, reason:
/// the one that did not come up, the one a failed check exercises), then every other
/// container whose state is failing ([`ServiceState::failure`]). Indexes into `states`, in
/// that order; a container's own failing state is its reason, before what named it.
pub fn select_failing(states: &[ServiceState], named: &[(String, String)]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (svc, why) in named {
        for (i, s) in states.iter().enumerate() {
            if &s.service == svc && !out.iter().any(|(j, _)| *j == i) {
                out.push((i, s.failure().unwrap_or_else(|| why.clone())));
            }
        }
    }
    for (i, s) in states.iter().enumerate() {
        if out.iter().any(|(j, _)| *j == i) {
            continue;
        }
        if let Some(why) = s.failure() {
            out.push((i, why));
        }
    }
    out
}

/// The containers of `docker inspect ID...` (its JSON array).
pub fn parse_states(json: &str) -> std::result::Result<Vec<ServiceState>, String> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let arr = v.as_array().ok_or("not a JSON array")?;
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let mut out = Vec::new();
    for c in arr {
        let state = &c["State"];
        let nonempty =
            |v: &serde_json::Value| v.as_str().filter(|x| !x.is_empty()).map(String::from);
        out.push(ServiceState {
            service: nonempty(&c["Config"]["Labels"]["com.docker.compose.service"])
                .unwrap_or_else(|| s(&c["Name"]).trim_start_matches('/').to_string()),
            container: s(&c["Name"]).trim_start_matches('/').to_string(),
            id: s(&c["Id"]),
            status: s(&state["Status"]),
            exit_code: state["ExitCode"].as_i64().unwrap_or(0),
            health: nonempty(&state["Health"]["Status"])
                .filter(|_| matches!(state["Status"].as_str(), Some("running" | "paused"))),
            restarts: c["RestartCount"].as_u64().unwrap_or(0),
            restart_policy: s(&c["HostConfig"]["RestartPolicy"]["Name"]),
            oom_killed: state["OOMKilled"].as_bool().unwrap_or(false),
            error: nonempty(&state["Error"]),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(service: &str, status: &str, code: i64, health: Option<&str>) -> ServiceState {
        ServiceState {
            service: service.into(),
            container: format!("p-{service}-1"),
            id: format!("id-{service}"),
            status: status.into(),
            exit_code: code,
            health: health.map(String::from),
            restarts: 0,
            restart_policy: if service == "migrate" {
                "no"
            } else {
                "unless-stopped"
            }
            .into(),
            oom_killed: false,
            error: None,
        }
    }

    /// Two containers as `docker inspect` prints them (fields trimmed to those read).
    const INSPECT: &str = r#"[
      {"Id": "aaa", "Name": "/shop-verify-migrate-1", "RestartCount": 0,
       "State": {"Status": "exited", "ExitCode": 1, "OOMKilled": false, "Error": "",
                 "Health": {"Status": "unhealthy", "FailingStreak": 0}},
       "HostConfig": {"RestartPolicy": {"Name": "no"}},
       "Config": {"Labels": {"com.docker.compose.service": "migrate"}}},
      {"Id": "bbb", "Name": "/shop-verify-web-1", "RestartCount": 2,
       "State": {"Status": "running", "ExitCode": 0, "OOMKilled": true,
                 "Error": "", "Health": {"Status": "starting"}},
       "HostConfig": {"RestartPolicy": {"Name": "unless-stopped"}},
       "Config": {"Labels": {"com.docker.compose.service": "web"}}},
      {"Id": "ccc", "Name": "/lonely", "RestartCount": 0,
       "State": {"Status": "created", "ExitCode": 127,
                 "Error": "exec: \"gunicorn\": executable file not found in $PATH"},
       "HostConfig": {"RestartPolicy": {"Name": ""}}, "Config": {"Labels": null}}
    ]"#;

    #[test]
    fn docker_inspect_is_read_into_states() {
        let s = parse_states(INSPECT).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(
            (
                s[0].service.as_str(),
                s[0].container.as_str(),
                s[0].id.as_str()
            ),
            ("migrate", "shop-verify-migrate-1", "aaa")
        );
        assert_eq!((s[0].status.as_str(), s[0].exit_code), ("exited", 1));
        // The engine calls a stopped container with a healthcheck unhealthy: not a health.
        assert_eq!(s[0].health, None);
        assert_eq!(s[1].health.as_deref(), Some("starting"));
        assert_eq!((s[1].restarts, s[1].oom_killed), (2, true));
        assert_eq!(s[1].restart_policy, "unless-stopped");
        // No compose label: the container's name; the engine's error kept.
        assert_eq!(s[2].service, "lonely");
        assert_eq!(
            s[2].error.as_deref(),
            Some("exec: \"gunicorn\": executable file not found in $PATH")
        );
        assert!(parse_states("{}").is_err());
        assert!(parse_states("not json").is_err());
    }

    #[test]
    fn which_states_count_as_failing() {
        assert_eq!(
            st("migrate", "exited", 1, None).failure().as_deref(),
            Some("exited with code 1")
        );
        assert_eq!(st("migrate", "exited", 0, None).failure(), None);
        assert_eq!(st("web", "running", 0, Some("healthy")).failure(), None);
        assert_eq!(st("web", "running", 0, Some("starting")).failure(), None);
        assert_eq!(st("db", "running", 0, None).failure(), None);
        assert_eq!(st("nginx", "created", 0, None).failure(), None);
        assert_eq!(
            st("web", "running", 0, Some("unhealthy"))
                .failure()
                .as_deref(),
            Some("unhealthy")
        );
        assert!(st("web", "restarting", 3, None)
            .failure()
            .is_some_and(|f| f.contains("last exit code 3")));
        assert!(st("web", "dead", 0, None).failure().is_some());
        // Restarted by its policy: failing until it is healthy again.
        let mut web = st("web", "running", 0, Some("starting"));
        web.restarts = 2;
        assert!(web
            .failure()
            .is_some_and(|f| f.contains("restarted 2 times")));
        web.health = Some("healthy".into());
        assert_eq!(web.failure(), None);
        let mut oom = st("web", "running", 0, Some("healthy"));
        oom.oom_killed = true;
        assert!(oom.failure().is_some_and(|f| f.contains("memory")));
        let mut exec = st("web", "created", 127, None);
        exec.error = Some("exec: not found".into());
        assert!(exec
            .failure()
            .is_some_and(|f| f.contains("the engine says: exec: not found")));
    }

    #[test]
    fn states_in_words() {
        assert_eq!(
            st("migrate", "exited", 1, None).describe(),
            "exited with code 1"
        );
        assert_eq!(
            st("nginx", "created", 0, None).describe(),
            "created, never started"
        );
        assert_eq!(
            st("db", "running", 0, Some("healthy")).describe(),
            "running, healthy"
        );
        let mut web = st("web", "running", 0, Some("starting"));
        web.restarts = 1;
        assert_eq!(
            web.describe(),
            "running, health check starting, restarted once"
        );
    }

    #[test]
    fn failing_services_are_selected_named_first() {
        let states = vec![
            st("db", "running", 0, Some("healthy")),
            st("migrate", "exited", 1, None),
            st("web", "running", 0, Some("healthy")),
            st("nginx", "created", 0, None),
        ];
        // Nothing named: only the failing state; healthy and waiting services are not.
        assert_eq!(
            select_failing(&states, &[]),
            vec![(1, "exited with code 1".to_string())]
        );
        // A failed check names web (healthy): it comes first, with the check as reason;
        // a named service that is failing keeps its own state as the reason.
        let named = vec![
            ("web".to_string(), "the check \"page\" failed".to_string()),
            ("migrate".to_string(), "named".to_string()),
            ("web".to_string(), "again".to_string()),
            ("gone".to_string(), "no such service".to_string()),
        ];
        assert_eq!(
            select_failing(&states, &named),
            vec![
                (2, "the check \"page\" failed".to_string()),
                (1, "exited with code 1".to_string())
            ]
        );
        // Every container of a named service (scaled).
        let two = vec![st("web", "running", 0, None), st("web", "running", 0, None)];
        let named = [("web".to_string(), "check".to_string())];
        assert_eq!(select_failing(&two, &named).len(), 2);
    }

    #[test]
    fn readiness_of_a_stack() {
        let ok = vec![
            st("db", "running", 0, Some("healthy")),
            st("migrate", "exited", 0, None),
            st("web", "running", 0, None),
        ];
        assert_eq!(readiness(&ok), Readiness::Ready);
        let mut s = ok.clone();
        s[1].exit_code = 2;
        assert_eq!(
            readiness(&s),
            Readiness::Failed {
                service: "migrate".into(),
                message: "service migrate exited with code 2".into()
            }
        );
        let mut s = ok.clone();
        s[2] = st("web", "running", 0, Some("starting"));
        s.push(st("nginx", "created", 0, None));
        assert_eq!(
            readiness(&s),
            Readiness::Pending(vec![
                ("web".into(), "running, health check starting".into()),
                ("nginx".into(), "created, never started".into())
            ])
        );
        // Restarted by its policy: waited for, until it restarts in a loop.
        let mut s = ok.clone();
        s[2] = st("web", "restarting", 3, None);
        s[2].restarts = CRASH_LOOP_RESTARTS - 1;
        assert!(matches!(readiness(&s), Readiness::Pending(_)));
        s[2].restarts = CRASH_LOOP_RESTARTS;
        assert!(
            matches!(readiness(&s), Readiness::Failed { service, message } if service == "web" && message.contains("last exit code 3"))
        );
    }
}

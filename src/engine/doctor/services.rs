//! The services check: each service of the compose file has a container that runs (or a
//! one-shot that exited 0), and the failing health checks with their output and log.

use super::{Check, Compose, Finding, Target};
use crate::engine::{state::ServiceState, Engine};
use crate::lint::compose::Node;
use crate::shell::quote;
use std::collections::BTreeMap;

/// `docker inspect` of the containers, by id.
pub(super) fn inspect_all(
    engine: &Engine,
    states: &[ServiceState],
) -> BTreeMap<String, serde_json::Value> {
    if states.is_empty() {
        return BTreeMap::new();
    }
    let mut args = vec!["inspect"];
    args.extend(states.iter().map(|s| s.id.as_str()));
    let Ok(json) = engine.docker_ok(&args) else {
        return BTreeMap::new();
    };
    serde_json::from_str::<serde_json::Value>(&json)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| Some((c["Id"].as_str()?.to_string(), c)))
        .collect()
}

/// The last health check's exit code and output (`.State.Health.Log`), when there is one.
pub(super) fn last_health(container: &serde_json::Value) -> Option<(i64, String)> {
    let log = container["State"]["Health"]["Log"].as_array()?;
    let last = log.last()?;
    Some((
        last["ExitCode"].as_i64().unwrap_or(-1),
        last["Output"].as_str().unwrap_or("").trim().to_string(),
    ))
}

pub(super) fn services_check(
    t: &Target,
    engine: &Engine,
    compose: &Compose,
    states: &[ServiceState],
    containers: &BTreeMap<String, serde_json::Value>,
) -> Check {
    if !states.iter().any(|s| s.status == "running") && states.iter().all(|s| s.failure().is_none())
    {
        return Check::skipped(
            "services",
            format!(
                "the {} stack is not running (no running container of compose project {}): \
                 start it with `{}`",
                t.stack_name(),
                t.project.name,
                t.djship("up")
            ),
        );
    }
    let mut findings = Vec::new();
    let logs_cmd = |svc: &str| {
        format!(
            "djship logs{} {} --service {svc}",
            if t.prod { " --prod" } else { "" },
            quote(&t.shown)
        )
    };
    for (name, _, svc) in compose.file.services() {
        let one_shot = svc
            .get("restart")
            .and_then(Node::as_str)
            .is_none_or(|r| r == "no")
            && name == crate::targets::compose::RELEASE_SERVICE;
        let mine: Vec<&ServiceState> = states.iter().filter(|s| s.service == name).collect();
        if mine.is_empty() {
            findings.push(Finding::warning(
                format!("{name} has no container"),
                format!("start the stack: `{} --no-build`", t.djship("up")),
            ));
            continue;
        }
        for s in mine {
            let tail = || {
                engine
                    .log_tail(&s.id, 20)
                    .unwrap_or_else(|e| vec![format!("(no log: {e})")])
            };
            let health = containers.get(&s.id).and_then(last_health);
            if let Some(why) = s.failure() {
                let mut message = format!("{}: {why}", s.container);
                if let (Some((code, out)), true) =
                    (&health, s.health.as_deref() == Some("unhealthy"))
                {
                    let check = svc
                        .get("healthcheck")
                        .and_then(|h| h.get("test"))
                        .map(|x| x.joined())
                        .unwrap_or_default();
                    message.push_str(&format!(
                        ": its health check{} fails (exit code {code}){}",
                        if check.is_empty() {
                            String::new()
                        } else {
                            format!(" `{check}`")
                        },
                        if out.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", out.lines().last().unwrap_or(""))
                        }
                    ));
                }
                let mut detail = vec![format!("--- {} last log lines ---", s.container)];
                detail.extend(tail());
                findings.push(
                    Finding::error(
                        message,
                        format!(
                            "the cause is in its log lines below; the whole log: `{}`; after the fix: `{} --no-build`",
                            logs_cmd(name),
                            t.djship("up")
                        ),
                    )
                    .at(compose.line(svc))
                    .with_detail(detail),
                );
            } else if s.status == "exited" && !(one_shot && s.exit_code == 0) {
                findings.push(
                    Finding::error(
                        format!("{} is not running ({})", s.container, s.describe()),
                        format!(
                            "start it: `{}`",
                            engine.command_line(&t.project, &["start", name])
                        ),
                    )
                    .at(compose.line(svc)),
                );
            } else if s.status == "created" && !one_shot {
                findings.push(Finding::warning(
                    format!(
                        "{} was created but never started (it waits for a dependency)",
                        s.container
                    ),
                    format!(
                        "see the other services' findings; then `{} --no-build`",
                        t.djship("up")
                    ),
                ));
            } else if s.health.as_deref() == Some("starting") {
                findings.push(Finding::info(format!(
                    "{} is still starting (health check not passed yet)",
                    s.container
                )));
            }
        }
    }
    let summary = format!(
        "{} containers: {}",
        states.len(),
        states
            .iter()
            .map(|s| format!("{} {}", s.service, s.describe()))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Check::done("services", summary, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_log() {
        let c: serde_json::Value = serde_json::from_str(
            r#"{"State": {"Health": {"Status": "unhealthy", "Log": [
            {"ExitCode": 0, "Output": ""},
            {"ExitCode": 1, "Output": "unhealthy: timed out\n"}]}}}"#,
        )
        .unwrap();
        assert_eq!(last_health(&c), Some((1, "unhealthy: timed out".into())));
        assert_eq!(last_health(&serde_json::json!({"State": {}})), None);
    }
}

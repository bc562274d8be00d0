//! Commands that operate the stack through the engine: build, up, down, verify, manage, logs.

use super::{analyse, Analysis, Common};
use crate::engine::{verify, Engine, Project};
use crate::error::{Error, Result};
use std::path::Path;
use std::time::Duration;

fn project(a: &Analysis, prod: bool) -> Result<Project> {
    let file = if prod {
        "compose.prod.yaml"
    } else {
        "compose.yaml"
    };
    if !a.root.join(file).is_file() {
        return Err(Error::Invalid {
            path: a.root.join(file),
            message: "no compose file".into(),
            hint: "run `djship init` first".into(),
        });
    }
    Ok(Project {
        dir: a.root.clone(),
        file: file.into(),
        name: a.plan.name.clone(),
        env: Vec::new(),
    })
}

fn tags(a: &Analysis) -> Vec<String> {
    vec![
        format!("{}:latest", a.plan.name),
        format!("{}:dev", a.plan.name),
    ]
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

pub fn build(c: &Common, json: bool) -> Result<i32> {
    let a = analyse(c, false)?;
    let engine = Engine::connect()?;
    let report = engine.build(&a.root, &tags(&a), &[], !json)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
        return Ok(0);
    }
    let cached = report.steps.iter().filter(|s| s.cached).count();
    println!(
        "built {} ({}) in {:.1}s; {cached} of {} steps from cache",
        report.image,
        mb(report.size_bytes),
        report.seconds,
        report.steps.len()
    );
    for s in &report.steps {
        println!("  {} {}", if s.cached { "cached " } else { &"" }, s.name);
    }
    Ok(0)
}

pub fn up(c: &Common, prod: bool, no_build: bool) -> Result<i32> {
    let a = analyse(c, false)?;
    let engine = Engine::connect()?;
    let p = project(&a, prod)?;
    if !no_build {
        let r = engine.build(&a.root, &tags(&a), &[], true)?;
        eprintln!(
            "built {} ({}) in {:.1}s",
            r.image,
            mb(r.size_bytes),
            r.seconds
        );
    }
    // The stack stays as it is when it does not come up: djship logs can show why.
    let logs_hint = |e: Error| match e {
        Error::Engine {
            message, detail, ..
        } => Error::Engine {
            message,
            detail,
            hint: format!(
                "the stack is left as it is: `djship logs --path {}{} SERVICE` shows a \
                 service's whole log",
                a.root.display(),
                if prod { " --prod" } else { "" }
            ),
        },
        other => other,
    };
    engine
        .compose_ok(&p, &["up", "-d", "--no-build", "--remove-orphans"])
        .map_err(logs_hint)?;
    eprintln!("waiting for every service to be healthy...");
    engine
        .wait_ready(&p, Duration::from_secs(300))
        .map_err(logs_hint)?;
    let url = if prod {
        let port = std::env::var("HTTP_PORT").unwrap_or_else(|_| "80".into());
        format!("http://localhost:{port}/")
    } else {
        let port = std::env::var("WEB_PORT").unwrap_or_else(|_| a.plan.port.to_string());
        format!("http://localhost:{port}/")
    };
    println!("{} is up: {url}", a.plan.name);
    Ok(0)
}

pub fn down(c: &Common, prod: bool, volumes: bool) -> Result<i32> {
    let a = analyse(c, false)?;
    let engine = Engine::connect()?;
    let p = project(&a, prod)?;
    let mut args = vec!["down", "--remove-orphans"];
    if volumes {
        args.push("-v");
    }
    engine.compose_ok(&p, &args)?;
    println!(
        "{} is down{}",
        a.plan.name,
        if volumes { " (volumes removed)" } else { "" }
    );
    Ok(0)
}

pub fn verify(c: &Common, json: bool, keep: bool) -> Result<i32> {
    let a = analyse(c, false)?;
    let engine = Engine::connect()?;
    project(&a, true)?;
    let env_text = std::fs::read_to_string(a.root.join(".env"))
        .map_err(|e| Error::io(a.root.join(".env"), e))?;
    let values = crate::write::secrets::parse_env(&env_text);
    let secrets: Vec<String> = a
        .plan
        .env
        .vars
        .iter()
        .filter(|v| v.secret || v.generate.is_some())
        .filter_map(|v| values.get(&v.name).cloned())
        .filter(|v| !v.is_empty())
        .collect();
    let target = verify::Target {
        root: &a.root,
        plan: &a.plan,
        admin: a
            .facts
            .installed_apps
            .iter()
            .any(|x| x == "django.contrib.admin"),
        secrets,
    };
    let mut print = |r: &verify::Report| {
        if !json {
            print!("{}", render_report(r));
            if !r.ok() && r.kept.is_none() {
                println!(
                    "tearing down {} (`djship verify --keep` leaves it running to look at)",
                    r.project
                );
            }
        }
    };
    let report = verify::run(
        &engine,
        &target,
        &verify::Options {
            keep,
            progress: !json,
            build_args: Vec::new(),
        },
        &mut print,
    )?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", render_after(&report));
    }
    Ok(if report.ok() { 0 } else { 1 })
}

/// Verify's report as printed before the stack is torn down: the checks, and when verify
/// failed, each service that explains it with its state and last log lines.
fn render_report(r: &verify::Report) -> String {
    let mut s = format!(
        "verify {} ({}, {}):\n",
        r.image,
        mb(r.image_bytes),
        r.project
    );
    if let Some(e) = &r.start_error {
        s.push_str("  the stack did not come up, so no check ran:\n");
        for l in e.lines() {
            s.push_str(&format!("    {l}\n"));
        }
    } else {
        for ch in &r.checks {
            s.push_str(&format!(
                "  {} {:<28} {}\n",
                if ch.ok { "PASS" } else { "FAIL" },
                ch.name,
                ch.detail
            ));
        }
        let passed = r.checks.iter().filter(|c| c.ok).count();
        s.push_str(&format!(
            "{passed} passed, {} failed\n",
            r.checks.len() - passed
        ));
    }
    let failing: Vec<_> = r.services.iter().filter(|x| x.failing).collect();
    for x in &failing {
        let st = &x.state;
        let why = match (st.failure(), &x.reason) {
            (Some(f), _) => f,
            (None, Some(reason)) => format!("{}; shown because {reason}", st.describe()),
            (None, None) => st.describe(),
        };
        s.push_str(&format!(
            "\n{}: {why} [container {}]\n",
            st.service, st.container
        ));
        if x.log_tail.is_empty() {
            s.push_str("  (it wrote no log line)\n");
        } else {
            s.push_str(&format!("  its last {} log lines:\n", x.log_tail.len()));
            for l in &x.log_tail {
                s.push_str(&format!("  | {l}\n"));
            }
        }
    }
    let others: Vec<String> = r
        .services
        .iter()
        .filter(|x| !x.failing)
        .map(|x| format!("{} {}", x.state.service, x.state.describe()))
        .collect();
    if !failing.is_empty() && !others.is_empty() {
        s.push_str(&format!("\nthe other services: {}\n", others.join("; ")));
    }
    if let Some(e) = &r.services_error {
        s.push_str(&format!(
            "\ncould not list the services and their logs: {e}\n"
        ));
    }
    s
}

/// What became of the stack: torn down, or left running and how to look at it.
fn render_after(r: &verify::Report) -> String {
    if let Some(k) = &r.kept {
        format!(
            "left running (--keep) on {}\n  services: {}\n  logs:     {}\n  remove:   {}\n",
            k.url, k.ps, k.logs, k.down
        )
    } else if r.torn_down {
        format!(
            "{} is torn down: its containers, networks and volumes are removed\n",
            r.project
        )
    } else {
        format!(
            "could not tear down {}: {}\n",
            r.project,
            r.teardown_error.as_deref().unwrap_or("").trim_end()
        )
    }
}

fn at(path: &Path) -> Result<Analysis> {
    analyse(&Common::at(path, None), false)
}

pub fn manage(path: &Path, prod: bool, args: &[String]) -> Result<i32> {
    let a = at(path)?;
    let engine = Engine::connect()?;
    let p = project(&a, prod)?;
    let mut cmd: Vec<&str> = vec!["exec"];
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        cmd.push("-T");
    }
    cmd.extend(["web", "python", "manage.py"]);
    cmd.extend(args.iter().map(String::as_str));
    interactive(&engine, &p, &cmd)
}

pub fn logs(path: &Path, prod: bool, follow: bool, service: Option<&str>) -> Result<i32> {
    let a = at(path)?;
    let engine = Engine::connect()?;
    let p = project(&a, prod)?;
    let mut cmd = vec!["logs", "--no-color"];
    if follow {
        cmd.push("--follow");
    }
    cmd.extend(service);
    interactive(&engine, &p, &cmd)
}

/// Run a compose command with the terminal attached; its exit code is ours.
fn interactive(engine: &Engine, p: &Project, args: &[&str]) -> Result<i32> {
    let status = engine.compose_status(p, args)?;
    Ok(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ServiceReport, ServiceState};

    fn service(name: &str, status: &str, code: i64, health: Option<&str>) -> ServiceState {
        ServiceState {
            service: name.into(),
            container: format!("shop-verify-{name}-1"),
            id: String::new(),
            status: status.into(),
            exit_code: code,
            health: health.map(String::from),
            restarts: 0,
            restart_policy: "no".into(),
            oom_killed: false,
            error: None,
        }
    }

    fn report(services: Vec<ServiceReport>) -> verify::Report {
        verify::Report {
            project: "shop-verify".into(),
            image: "shop:latest".into(),
            image_bytes: 1_000_000,
            port: 8080,
            checks: Vec::new(),
            start_error: Some("service \"migrate\" didn't complete successfully: exit 1".into()),
            services,
            services_error: None,
            kept: None,
            torn_down: false,
            teardown_error: None,
        }
    }

    #[test]
    fn a_failing_service_is_printed_with_its_log_and_the_others_in_a_line() {
        let r = report(vec![
            ServiceReport {
                state: service("migrate", "exited", 1, None),
                failing: true,
                reason: Some("exited with code 1".into()),
                log_tail: vec![
                    "Traceback (most recent call last):".into(),
                    "RuntimeError: boom".into(),
                ],
            },
            ServiceReport {
                state: service("web", "running", 0, Some("healthy")),
                failing: true,
                reason: Some("the check \"page through nginx\" failed".into()),
                log_tail: Vec::new(),
            },
            ServiceReport {
                state: service("db", "running", 0, Some("healthy")),
                failing: false,
                reason: None,
                log_tail: Vec::new(),
            },
        ]);
        let text = render_report(&r);
        assert!(text.contains(
            "  the stack did not come up, so no check ran:\n    service \"migrate\" didn't complete"
        ), "{text}");
        assert!(text.contains(
            "\nmigrate: exited with code 1 [container shop-verify-migrate-1]\n  its last 2 log lines:\n  \
             | Traceback (most recent call last):\n  | RuntimeError: boom\n"
        ), "{text}");
        assert!(
            text.contains(
                "\nweb: running, healthy; shown because the check \"page through nginx\" failed"
            ),
            "{text}"
        );
        assert!(text.contains("  (it wrote no log line)\n"), "{text}");
        assert!(
            text.ends_with("\nthe other services: db running, healthy\n"),
            "{text}"
        );
        assert!(!text.contains("passed"), "no check ran: {text}");
    }

    #[test]
    fn checks_without_failing_services() {
        let mut r = report(Vec::new());
        r.start_error = None;
        r.checks = vec![verify::Check {
            name: "migrations applied",
            ok: true,
            detail: "18 applied".into(),
            services: Vec::new(),
        }];
        let text = render_report(&r);
        assert_eq!(
            text,
            "verify shop:latest (1.0 MB, shop-verify):\n  PASS migrations applied           18 applied\n1 passed, 0 failed\n"
        );
    }

    #[test]
    fn what_became_of_the_stack() {
        let mut r = report(Vec::new());
        r.torn_down = true;
        assert!(render_after(&r).starts_with("shop-verify is torn down"));
        r.torn_down = false;
        r.teardown_error = Some("boom\nremove it with: docker compose down".into());
        assert!(render_after(&r).contains("could not tear down shop-verify: boom\nremove it with"));
        r.kept = Some(verify::Kept {
            url: "http://localhost:8080/".into(),
            ps: "PS".into(),
            logs: "LOGS".into(),
            down: "DOWN".into(),
        });
        assert_eq!(
            render_after(&r),
            "left running (--keep) on http://localhost:8080/\n  services: PS\n  logs:     LOGS\n  remove:   DOWN\n"
        );
    }
}

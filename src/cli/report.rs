//! What the commands print for people: the inspect report, settings problems, warnings,
//! and verify's report.

use crate::detect::{self, Facts};
use crate::engine::verify;
use crate::pipeline::Analysis;
use std::path::Path;

pub fn print_warnings(facts: &Facts) {
    for w in &facts.warnings {
        eprintln!("{w}");
    }
}

/// Bytes as megabytes, one decimal.
pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn ev(e: &Option<detect::evidence::Evidence>) -> String {
    e.as_ref().map(|e| format!(" ({e})")).unwrap_or_default()
}

pub fn human_report(root: &Path, a: &Analysis) -> String {
    let f = &a.facts;
    let p = &a.plan;
    let mut s = String::new();
    let mut line = |k: &str, v: String| s.push_str(&format!("{k:<16}{v}\n"));
    line("project", format!("{}", root.display()));
    line("manage.py", f.manage_py.clone());
    line(
        "settings",
        format!(
            "production {} ({}); development {}{}",
            f.settings.production.module,
            f.settings.production.reason,
            f.settings.development.module,
            if f.settings.split {
                " [split package]"
            } else {
                ""
            }
        ),
    );
    line(
        "python",
        format!(
            "{} — {}{}",
            f.python.version,
            f.python.source,
            ev(&f.python.evidence)
        ),
    );
    line(
        "django",
        f.django
            .as_ref()
            .map(|d| format!("{} ({})", d.value, d.evidence))
            .unwrap_or_else(|| "version unknown".into()),
    );
    let deps = &f.dependencies;
    line(
        "dependencies",
        match deps.manager {
            Some(m) => format!(
                "{} [{}] — {}",
                m.name(),
                deps.install_files.join(", "),
                deps.reason
            ),
            None => deps.reason.clone(),
        },
    );
    line(
        "server",
        format!("{} {} — {}", p.server.kind, p.server.target, p.server.why),
    );
    for db in &f.databases {
        line(
            "database",
            format!(
                "{}: {:?}{}{} drivers [{}] ({})",
                db.alias,
                db.kind,
                db.engine
                    .as_ref()
                    .map(|e| format!(" engine {e}"))
                    .unwrap_or_default(),
                db.url_env
                    .as_ref()
                    .map(|e| format!(" from ${e}"))
                    .unwrap_or_default(),
                db.drivers.join(", "),
                db.evidence
            ),
        );
        if let Some(sel) = &db.selected_by {
            line(
                "",
                format!(
                    "  chosen by ${} ({}, {}): djship {}; {}",
                    sel.var,
                    sel.test,
                    sel.evidence,
                    match &sel.value {
                        Some(_) if db.url_env.as_ref() == Some(&sel.var) =>
                            format!("sets {} to the database URL", sel.var),
                        Some(v) => format!("sets {}={v}", sel.var),
                        None => format!("leaves {} unset", sel.var),
                    },
                    sel.alternatives.join("; ")
                ),
            );
        }
    }
    if let Some(c) = &f.cache {
        line(
            "cache",
            format!(
                "{} redis={} ({})",
                c.backend.clone().unwrap_or_else(|| "from env".into()),
                c.redis,
                c.evidence
            ),
        );
    }
    if let Some(c) = &f.celery {
        line(
            "celery",
            format!("app {} beat={} ({})", c.app, c.beat, c.evidence),
        );
    }
    line(
        "static",
        format!(
            "STATIC_URL {} STATIC_ROOT {} whitenoise={}",
            f.static_files
                .url
                .as_ref()
                .map(|u| u.value.clone())
                .unwrap_or_else(|| "unset".into()),
            f.static_files
                .root
                .as_ref()
                .map(|u| format!("{} ({})", u.value, u.evidence))
                .unwrap_or_else(|| "unset".into()),
            f.static_files.whitenoise
        ),
    );
    line(
        "media",
        format!(
            "MEDIA_URL {} MEDIA_ROOT {}",
            f.media
                .url
                .as_ref()
                .map(|u| u.value.clone())
                .unwrap_or_else(|| "unset".into()),
            f.media
                .root
                .as_ref()
                .map(|u| format!("{} ({})", u.value, u.evidence))
                .unwrap_or_else(|| "unset".into()),
        ),
    );
    if let Some(fe) = &f.frontend {
        line(
            "frontend",
            format!(
                "{} with {}{}, Node {} — {}; {}",
                fe.package_json.file,
                fe.manager.name(),
                if fe.build_scripts.is_empty() {
                    String::new()
                } else {
                    format!(", build {}", fe.build_scripts.join(" + "))
                },
                fe.node.version,
                fe.node.source,
                fe.reason
            ),
        );
    }
    if !p.build_packages.is_empty() || !p.run_packages.is_empty() {
        line(
            "native",
            format!(
                "build [{}] run [{}]",
                p.build_packages.join(" "),
                p.run_packages.join(" ")
            ),
        );
    }
    for v in &f.env_vars {
        line(
            "env",
            format!(
                "{}{}{} via {} ({})",
                v.name,
                v.default
                    .as_ref()
                    .map(|d| format!(" default {d:?}"))
                    .unwrap_or_else(|| " required".into()),
                if v.secret { " [secret]" } else { "" },
                v.via,
                v.evidence
            ),
        );
    }
    for n in &p.notes {
        line("note", n.clone());
    }
    s.push_str(&problems_report(f));
    s
}

pub fn problems_report(f: &Facts) -> String {
    if f.problems.is_empty() {
        return "\nNo settings problems found.\n".into();
    }
    let mut s = format!("\n{} settings problem(s):\n", f.problems.len());
    for p in &f.problems {
        let sev = p.severity.as_str();
        s.push_str(&format!(
            "  {sev}[{}] {}: {}\n      fix: {}\n",
            p.code, p.evidence, p.message, p.fix
        ));
    }
    if f.problems.iter().any(|p| p.patchable) {
        s.push_str("  `djship init --patch-settings` makes these changes for you (shown as a diff first).\n");
    }
    s
}

/// Verify's report as printed before the stack is torn down: the checks, and when verify
/// failed, each service that explains it with its state and last log lines.
pub fn verify_report(r: &verify::Report) -> String {
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
pub fn verify_after(r: &verify::Report) -> String {
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

/// `djship deploy swarm`'s outcome: a line per service, and for each that did not converge
/// its task errors and last log lines.
pub fn deployment(d: &crate::engine::swarm::Deployment) -> String {
    let mut out = String::new();
    for s in &d.services {
        out.push_str(&format!(
            "  {} {:<28} {}\n",
            if s.ok { "ok  " } else { "FAIL" },
            s.service,
            s.state
        ));
        for e in &s.task_errors {
            out.push_str(&format!("         {e}\n"));
        }
        if !s.log_tail.is_empty() {
            out.push_str(&format!("         last log lines of {}:\n", s.service));
            for l in &s.log_tail {
                out.push_str(&format!("           {l}\n"));
            }
        }
    }
    if d.ok() {
        out.push_str(&format!(
            "{} converged with {} in {:.0}s\n",
            d.stack, d.image, d.seconds
        ));
        if !d.removed_secrets.is_empty() {
            out.push_str(&format!(
                "removed earlier versions of secrets no service uses: {}\n",
                d.removed_secrets.join(", ")
            ));
        }
    } else {
        let failed: Vec<&str> = d
            .services
            .iter()
            .filter(|s| !s.ok)
            .map(|s| s.service.as_str())
            .collect();
        out.push_str(&format!(
            "{} did not converge with {}: {} (docker service ps --no-trunc SERVICE shows every task)\n",
            d.stack,
            d.image,
            failed.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::state::{ServiceReport, ServiceState};

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
            url: "https://localhost:8080/".into(),
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
        let text = verify_report(&r);
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
        let text = verify_report(&r);
        assert_eq!(
            text,
            "verify shop:latest (1.0 MB, shop-verify):\n  PASS migrations applied           18 applied\n1 passed, 0 failed\n"
        );
    }

    #[test]
    fn what_became_of_the_stack() {
        let mut r = report(Vec::new());
        r.torn_down = true;
        assert!(verify_after(&r).starts_with("shop-verify is torn down"));
        r.torn_down = false;
        r.teardown_error = Some("boom\nremove it with: docker compose down".into());
        assert!(verify_after(&r).contains("could not tear down shop-verify: boom\nremove it with"));
        r.kept = Some(verify::Kept {
            url: "http://localhost:8080/".into(),
            ps: "PS".into(),
            logs: "LOGS".into(),
            down: "DOWN".into(),
        });
        assert_eq!(
            verify_after(&r),
            "left running (--keep) on http://localhost:8080/\n  services: PS\n  logs:     LOGS\n  remove:   DOWN\n"
        );
    }

    #[test]
    fn a_rolled_back_service_is_named_with_its_task_errors_and_logs() {
        use crate::engine::swarm::{Deployment, Outcome};
        let d = Deployment {
            stack: "shop".into(),
            image: "shop:v3".into(),
            labelled: None,
            removed_secrets: Vec::new(),
            services: vec![
                Outcome {
                    service: "shop_db".into(),
                    ok: true,
                    state: "1/1 running".into(),
                    task_errors: Vec::new(),
                    log_tail: Vec::new(),
                },
                Outcome {
                    service: "shop_web".into(),
                    ok: false,
                    state: "rolled back: update rolled back due to failure".into(),
                    task_errors: vec!["task abc failed: task: non-zero exit (3)".into()],
                    log_tail: vec!["RuntimeError: a deliberately broken release".into()],
                },
            ],
            seconds: 61.0,
        };
        assert!(!d.ok());
        let text = deployment(&d);
        assert!(text.contains("FAIL shop_web"), "{text}");
        assert!(text.contains("rolled back"), "{text}");
        assert!(text.contains("non-zero exit (3)"), "{text}");
        assert!(text.contains("deliberately broken"), "{text}");
        assert!(
            text.contains("did not converge with shop:v3: shop_web"),
            "{text}"
        );
    }
}

use super::is_database;
use crate::lint::compose::Value;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL025",
    name: "depends-on-without-health",
    buildkit: None,
    severity: Severity::Warning,
    summary: "`depends_on` a database without waiting for it to be healthy",
    doc: "### What it does\nFinds `depends_on` naming a database or cache service in the short (list) form, or with\n`condition: service_started`.\n### Why is this bad?\n`depends_on` alone waits for the container to start, not for the database to accept\nconnections: the app's first connection or its migration fails with `connection\nrefused` (seed 000's troubleshooting section).\n### Example\n```yaml\nweb:\n  depends_on:\n    - db\n```\n### Fix\nGive the database a healthcheck (`pg_isready`) and wait for it:\n```yaml\ndepends_on:\n  db:\n    condition: service_healthy\n```",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in &ctx.compose {
        let dbs: Vec<&str> = c
            .services()
            .filter(|(_, _, s)| is_database(s))
            .map(|(n, _, _)| n)
            .collect();
        for (name, _, svc) in c.services() {
            let Some(dep) = svc.get("depends_on") else {
                continue;
            };
            match &dep.value {
                Value::Seq(items) => {
                    for i in items {
                        if let Some(d) = i.as_str().filter(|d| dbs.contains(d)) {
                            out.push(Hit::new(
                                file,
                                i.span.clone(),
                                format!("service `{name}` starts when `{d}` starts, not when it accepts connections"),
                            ));
                        }
                    }
                }
                Value::Map(entries) => {
                    for (d, key, spec) in entries {
                        if !dbs.contains(&d.as_str()) {
                            continue;
                        }
                        let cond = spec
                            .get("condition")
                            .and_then(|c| c.as_str())
                            .unwrap_or("service_started");
                        if cond == "service_started" {
                            out.push(Hit::new(
                                file,
                                key.clone(),
                                format!(
                                    "service `{name}` waits for `{d}` to start, not to be healthy"
                                ),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

use super::is_database;
use crate::lint::compose::Value;
use crate::lint::start;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL025",
    name: "depends-on-without-health",
    buildkit: None,
    severity: Severity::Warning,
    summary: "`depends_on` a database without waiting for it to be healthy",
    doc: "### What it does\nFinds `depends_on` naming a database or cache service in the short (list) form, or with\n`condition: service_started`, when the service's own start does not wait for it. djship\nreads the entrypoint and command, and the scripts they run (found through the\nDockerfile's `COPY`, bind mounts, or beside the calling script; never executed): a loop\non `pg_isready`, `psql`, `nc -z`, `/dev/tcp/host/port` or `mysqladmin ping`,\n`wait-for-it`, `wait-for`, `dockerize -wait`, a `manage.py wait_for_db`-style command,\nor an s6-overlay service that waits all count as waiting (a wait for another service\nnamed literally does not). An idle container (`command: sleep infinity`, a dev container\nthe developer starts the app in) is left alone.\n### Why is this bad?\n`depends_on` alone waits for the container to start, not for the database to accept\nconnections: the app's first connection or its migration fails with `connection\nrefused` (seed 000's troubleshooting section).\n### Example\n```yaml\nweb:\n  depends_on:\n    - db\n```\n### Fix\nGive the database a healthcheck (`pg_isready`) and wait for it:\n```yaml\ndepends_on:\n  db:\n    condition: service_healthy\n```",
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
        let names: Vec<&str> = c.services().map(|(n, _, _)| n).collect();
        for (name, _, svc) in c.services() {
            let Some(dep) = svc.get("depends_on") else {
                continue;
            };
            // (database, where, how it is waited for)
            let mut early: Vec<(&str, std::ops::Range<usize>, &str)> = Vec::new();
            match &dep.value {
                Value::Seq(items) => {
                    for i in items {
                        if let Some(d) = i.as_str().filter(|d| dbs.contains(d)) {
                            early.push((d, i.span.clone(), "starts when `{d}` starts"));
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
                            early.push((d, key.clone(), "waits for `{d}` to start"));
                        }
                    }
                }
                _ => {}
            }
            if early.is_empty() {
                continue;
            }
            // The service's own start may wait (an entrypoint that loops on pg_isready).
            let start = start::of_service(ctx, file, svc);
            if start::idle(&start.command) {
                continue; // `sleep infinity`: nothing starts that could connect too early
            }
            let waits = start.waits();
            for (d, range, how) in early {
                // A wait for a host that is another service of the file does not wait for
                // this one; a wait for a variable or an unknown host is taken to.
                let waited = waits.iter().any(|(w, _)| match &w.host {
                    Some(h) => h == d || !names.contains(&h.as_str()),
                    None => true,
                });
                if waited {
                    continue;
                }
                let mut hit = Hit::new(
                    file,
                    range,
                    format!(
                        "service `{name}` {}, not when it accepts connections",
                        how.replace("{d}", d)
                    ),
                );
                if !start.unresolved.is_empty() {
                    hit = hit.with_help(format!(
                        "djship did not find {} in the repository, so it could not read whether it waits for `{d}`; give `{d}` a healthcheck and use `condition: service_healthy`",
                        start.unresolved.join(", ")
                    ));
                }
                out.push(hit);
            }
        }
    }
    out
}

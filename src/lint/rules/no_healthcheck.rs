use super::{one_shot, production};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL026",
    name: "no-healthcheck",
    buildkit: None,
    severity: Severity::Warning,
    summary: "a production service has no healthcheck",
    doc: "### What it does\nFinds a service in a production compose file without `healthcheck:` (one-shot services\nwith `restart: \"no\"` are exempt; `healthcheck: {disable: true}` is an explicit choice\nand accepted).\n### Why is this bad?\nWithout a healthcheck, a hung app (deadlocked workers, lost database) looks healthy:\nnothing restarts it, `depends_on: condition: service_healthy` cannot wait for it, and\nrolling updates send traffic to containers that are not ready (cookiecutter-django has none).\n### Example\n```yaml\nweb:\n  build: .\n  restart: unless-stopped\n```\n### Fix\nAdd a healthcheck that exercises the app: `test: [\"CMD\", \"python\", \"-c\", \"import\nurllib.request; urllib.request.urlopen('http://127.0.0.1:8000/')\"]`, and\n`pg_isready` for PostgreSQL.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in production(ctx) {
        for (name, key, svc) in c.services() {
            if svc.get("healthcheck").is_none() && !one_shot(svc) {
                out.push(Hit::new(
                    file,
                    key,
                    format!("service `{name}` has no healthcheck"),
                ));
            }
        }
    }
    out
}

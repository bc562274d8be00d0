use super::{one_shot, production};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL027",
    name: "no-restart-policy",
    buildkit: None,
    severity: Severity::Warning,
    summary: "a production service has no restart policy",
    doc: "### What it does\nFinds a service in a production compose file with neither `restart:` nor\n`deploy.restart_policy`.\n### Why is this bad?\nThe default is `no`: after a crash, an out-of-memory kill or a host reboot the service\nstays down until someone notices.\n### Example\n```yaml\nweb:\n  build: .\n```\n### Fix\n`restart: unless-stopped` (or `deploy.restart_policy` in Swarm); one-shot jobs say\n`restart: \"no\"` explicitly.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in production(ctx) {
        for (name, key, svc) in c.services() {
            let policy = svc.get("restart").is_some()
                || svc
                    .get("deploy")
                    .and_then(|d| d.get("restart_policy"))
                    .is_some();
            if !policy && !one_shot(svc) {
                out.push(Hit::new(
                    file,
                    key,
                    format!("service `{name}` has no restart policy"),
                ));
            }
        }
    }
    out
}

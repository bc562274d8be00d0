use super::production;
use crate::lint::start::one_shot;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL027",
    name: "no-restart-policy",
    buildkit: None,
    severity: Severity::Warning,
    summary: "a production service has no restart policy",
    doc: "### What it does\nFinds a service in a production compose file with neither `restart:` nor\n`deploy.restart_policy`. One-shot services are exempt (a restart policy would run them\nagain and again): a service others wait for with\n`condition: service_completed_successfully`, a command that ends with a Django command\nthat exits (`migrate`, `collectstatic`, ...), or a service behind `profiles:` not named\nfor production (a tool run by hand).\n### Why is this bad?\nThe default is `no`: after a crash, an out-of-memory kill or a host reboot the service\nstays down until someone notices.\n### Example\n```yaml\nweb:\n  build: .\n```\n### Fix\n`restart: unless-stopped` (or `deploy.restart_policy` in Swarm); one-shot jobs say\n`restart: \"no\"` explicitly.",
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
            if !policy && one_shot(ctx, file, c, name, svc).is_none() {
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

use super::production;
use crate::lint::dockerfile::assignments;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL015",
    name: "allowed-hosts-wildcard-env",
    buildkit: None,
    severity: Severity::Warning,
    summary: "ALLOWED_HOSTS is `*` in the image or the production compose file",
    doc: "### What it does\nFinds `ALLOWED_HOSTS` or `DJANGO_ALLOWED_HOSTS` containing `*` in a Dockerfile `ENV`\nor in the environment of a service in a production compose file. (`DJS010` finds the\nsame in the settings.)\n### Why is this bad?\nDjango then trusts any Host header: password-reset links and absolute URLs can be\npointed at an attacker's domain (host header poisoning), and cache poisoning gets easier.\n### Example\n```dockerfile\nENV DJANGO_ALLOWED_HOSTS=*\n```\n### Fix\nList the real host names at run time: `DJANGO_ALLOWED_HOSTS=example.com,www.example.com`.",
    fixable: false,
    check,
};

fn is_hosts(k: &str) -> bool {
    k == "ALLOWED_HOSTS" || k == "DJANGO_ALLOWED_HOSTS"
}

fn wildcard(v: &str) -> bool {
    v.split([',', ' '])
        .any(|h| h.trim().trim_matches(['"', '\'', '[', ']']) == "*")
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in super::deployed_dockerfiles(ctx) {
        for i in df.stage(df.final_stage()).filter(|i| i.keyword == "ENV") {
            for (k, v) in assignments(&i.args) {
                if is_hosts(&k) && v.as_deref().is_some_and(wildcard) {
                    out.push(Hit::new(
                        file,
                        ctx.src(file).find(i.line, i.end_line, &k),
                        format!("ENV {k} allows every host"),
                    ));
                }
            }
        }
    }
    for (file, c) in production(ctx) {
        for (name, _, svc) in c.services() {
            for (k, v, range) in svc
                .get("environment")
                .map(|e| e.env_pairs())
                .unwrap_or_default()
            {
                if is_hosts(&k) && v.as_deref().is_some_and(wildcard) {
                    out.push(Hit::new(
                        file,
                        range,
                        format!("service `{name}` allows every host with {k}"),
                    ));
                }
            }
        }
    }
    out
}

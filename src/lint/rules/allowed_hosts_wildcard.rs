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
    super::production_env(ctx)
        .into_iter()
        .filter(|e| is_hosts(&e.key) && wildcard(&e.value))
        .map(|e| {
            let message = match e.service {
                None => format!("ENV {} allows every host", e.key),
                Some(s) => format!("service `{s}` allows every host with {}", e.key),
            };
            Hit::new(e.file, e.range, message)
        })
        .collect()
}

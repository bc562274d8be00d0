use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL007",
    name: "debug-on",
    buildkit: None,
    severity: Severity::Error,
    summary: "Django's DEBUG is turned on in the image or the production compose file",
    doc: "### What it does\nFinds `DEBUG` or `DJANGO_DEBUG` set to 1/true/yes/on by `ENV` in a Dockerfile's final\nstage, or in the `environment:` of a service in a production compose file.\n### Why is this bad?\nWith DEBUG on, Django shows tracebacks and settings to any visitor and keeps every SQL\nquery in memory.\n### Example\n```dockerfile\nENV DEBUG=True\n```\n### Fix\nLeave DEBUG off in the image and in production; turn it on in the development compose\nfile only.",
    fixable: false,
    check,
};

fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

fn is_debug(k: &str) -> bool {
    k == "DEBUG" || k == "DJANGO_DEBUG"
}

fn check(ctx: &Context) -> Vec<Hit> {
    super::production_env(ctx)
        .into_iter()
        .filter(|e| is_debug(&e.key) && truthy(&e.value))
        .map(|e| {
            let message = match e.service {
                None => format!("ENV {}={}: DEBUG is on in the image", e.key, e.value),
                Some(s) => format!("service `{s}` turns {} on in production", e.key),
            };
            Hit::new(e.file, e.range, message)
        })
        .collect()
}

use super::production;
use crate::lint::dockerfile::assignments;
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
    let mut out = Vec::new();
    for (file, df) in super::deployed_dockerfiles(ctx) {
        for i in df.stage(df.final_stage()).filter(|i| i.keyword == "ENV") {
            for (k, v) in assignments(&i.args) {
                if is_debug(&k) && v.as_deref().is_some_and(truthy) {
                    out.push(Hit::new(
                        file,
                        ctx.src(file).find(i.line, i.end_line, &k),
                        format!(
                            "ENV {k}={}: DEBUG is on in the image",
                            v.unwrap_or_default()
                        ),
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
                if is_debug(&k) && v.as_deref().is_some_and(truthy) {
                    out.push(Hit::new(
                        file,
                        range,
                        format!("service `{name}` turns {k} on in production"),
                    ));
                }
            }
        }
    }
    out
}

use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL007",
    name: "debug-on",
    severity: Severity::Error,
    summary: "the image turns Django's DEBUG on",
    doc: "### What it does\nFinds `ENV DEBUG=True` (or DJANGO_DEBUG=1/true/on) in a Dockerfile's final stage.\n### Why is this bad?\nWith DEBUG on, Django shows tracebacks and settings to any visitor and keeps every SQL\nquery in memory.\n### Fix\nLeave DEBUG off in the image; turn it on in the development compose file only.",
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df.stage(df.final_stage()).filter(|i| i.keyword == "ENV") {
            for w in i.args.split_whitespace() {
                let Some((k, v)) = w.split_once('=') else {
                    continue;
                };
                let v = v.trim_matches(['"', '\'']).to_ascii_lowercase();
                if (k == "DEBUG" || k == "DJANGO_DEBUG")
                    && matches!(v.as_str(), "1" | "true" | "yes" | "on")
                {
                    out.push(Hit {
                        file: file.clone(),
                        line: i.line,
                        message: format!("ENV {k}={v}: DEBUG is on in the image"),
                    });
                }
            }
        }
    }
    out
}

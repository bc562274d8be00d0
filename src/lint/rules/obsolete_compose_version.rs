use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL020",
    name: "obsolete-compose-version",
    severity: Severity::Info,
    summary: "the compose file has the obsolete top-level `version:` key",
    doc: "### What it does\nFinds a top-level `version:` key in a compose file.\n### Why is this bad?\nCompose v2 ignores it and warns on every command; it suggests a file format that no longer exists and misleads readers about which features apply.\n### Example\n`version: '3.8'` at the top of docker-compose.yml (as in the seeds).\n### Fix\nDelete the line; name the project with a top-level `name:` if needed.",
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, text) in &ctx.compose {
        for (i, line) in text.lines().enumerate() {
            if line.starts_with("version:") {
                out.push(Hit {
                    file: file.clone(),
                    line: i as u32 + 1,
                    message: "`version:` is obsolete in compose v2".into(),
                });
            }
        }
    }
    out
}

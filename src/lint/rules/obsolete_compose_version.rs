use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL020",
    name: "obsolete-compose-version",
    buildkit: None,
    severity: Severity::Info,
    summary: "the compose file has the obsolete top-level `version:` key",
    doc: "### What it does\nFinds the top-level `version:` key of a compose file.\n### Why is this bad?\nCompose v2 ignores it and warns on every command (`the attribute version is obsolete`);\nit suggests a file-format choice that no longer exists.\n### Example\n```yaml\nversion: \"3.8\"\nservices:\n  web:\n    build: .\n```\n### Fix\nDelete the line (`--fix` does).",
    fixable: true,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in &ctx.compose {
        let Some((key, _)) = c.root.as_ref().and_then(|r| r.entry("version")) else {
            continue;
        };
        let src = ctx.src(file);
        let line = src.position(key.start).line;
        let whole = src.line_range(line);
        let end = (whole.end + 1).min(src.text.len());
        let end = if src.text[whole.end..].starts_with("\r\n") {
            whole.end + 2
        } else {
            end
        };
        out.push(
            Hit::new(
                file,
                src.line_span(line),
                "`version:` is obsolete in compose v2",
            )
            .with_fix(
                "delete the `version:` line",
                vec![Edit {
                    file: file.clone(),
                    range: whole.start..end,
                    text: String::new(),
                }],
            ),
        );
    }
    out
}

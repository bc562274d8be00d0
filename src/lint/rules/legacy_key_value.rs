use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL031",
    name: "legacy-key-value",
    buildkit: Some("LegacyKeyValueFormat"),
    severity: Severity::Info,
    summary: "`ENV key value` instead of `ENV key=value`",
    doc: "### What it does\nFinds `ENV` and `LABEL` in the old space-separated form (`ENV PYTHONUNBUFFERED 1`, as in\nseeds 003 and 004). BuildKit's LegacyKeyValueFormat.\n### Why is this bad?\nThe old form sets one variable to the whole rest of the line, spaces included; it is\neasy to misread, cannot set two variables at once, and is deprecated.\n### Example\n```dockerfile\nENV PYTHONUNBUFFERED 1\n```\n### Fix\n`ENV PYTHONUNBUFFERED=1` (`--fix` rewrites it, quoting values that have spaces).",
    fixable: true,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df
            .instructions
            .iter()
            .filter(|i| i.keyword == "ENV" || i.keyword == "LABEL")
        {
            let args = i.args.trim();
            let Some((key, value)) = args.split_once(char::is_whitespace) else {
                continue;
            };
            if key.contains('=') || key.is_empty() {
                continue;
            }
            let src = ctx.src(file);
            let span = src.line_span(i.line);
            let mut hit = Hit::new(
                file,
                span.clone(),
                format!("{} {key} uses the legacy `key value` form", i.keyword),
            );
            let value = value.trim();
            let line = &src.text[span.clone()];
            if i.line == i.end_line && !value.contains(['"', '\'', '\\']) && line.ends_with(value) {
                let kw = &line[..line.find(char::is_whitespace).unwrap_or(line.len())];
                let v = if value.contains(char::is_whitespace) {
                    format!("\"{value}\"")
                } else {
                    value.to_string()
                };
                hit = hit.with_fix(
                    format!("rewrite as {key}={v}"),
                    vec![Edit {
                        file: file.clone(),
                        range: span,
                        text: format!("{kw} {key}={v}"),
                    }],
                );
            }
            out.push(hit);
        }
    }
    out
}

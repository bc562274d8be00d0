use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL000",
    name: "parse-error",
    buildkit: None,
    severity: Severity::Error,
    summary: "a compose file is not valid YAML",
    doc: "### What it does\nReports a compose file the YAML parser rejects, at the place it stopped.\n### Why is this bad?\n`docker compose` refuses the file, and no other rule can check it.\n### Example\n```yaml\nservices:\n  web: [\n```\n### Fix\nCorrect the YAML at the reported position (`docker compose config` shows the same error).",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    ctx.compose
        .iter()
        .filter_map(|(file, c)| {
            let (at, msg) = c.error.as_ref()?;
            Some(Hit::new(file, at.clone(), format!("invalid YAML: {msg}")))
        })
        .collect()
}

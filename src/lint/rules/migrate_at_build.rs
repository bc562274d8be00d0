use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL005",
    name: "migrate-at-build",
    severity: Severity::Error,
    summary: "migrations run while building the image",
    doc: "### What it does\nFinds `manage.py migrate` in a `RUN` step.\n### Why is this bad?\nAt build time there is no production database: the migration runs against whatever\nthe build can reach (often SQLite inside the image), and the real database is never migrated.\n### Fix\nRun migrations once per deployment, as a one-shot service the web service waits for.",
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df.instructions.iter().filter(|i| i.keyword == "RUN") {
            let text = format!(
                "{} {}",
                i.args,
                i.heredocs
                    .iter()
                    .map(|h| h.body.as_str())
                    .collect::<String>()
            );
            if text.contains("manage.py migrate") {
                out.push(Hit {
                    file: file.clone(),
                    line: i.line,
                    message: "`manage.py migrate` runs at build time".into(),
                });
            }
        }
    }
    out
}

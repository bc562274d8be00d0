use super::run_text;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL005",
    name: "migrate-at-build",
    buildkit: None,
    severity: Severity::Error,
    summary: "`manage.py migrate` runs while the image is built",
    doc: "### What it does\nFinds `manage.py migrate` in a RUN instruction.\n### Why is this bad?\nAt build time there is no production database: the migration runs against whatever\nthe build can reach (an SQLite file baked into the image, or nothing), and the real\ndatabase is never migrated.\n### Example\n```dockerfile\nRUN python manage.py migrate\n```\n### Fix\nMigrate when the stack starts, once: a one-shot `migrate` service that the web\nservice depends on (`condition: service_completed_successfully`).",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df.instructions.iter().filter(|i| i.keyword == "RUN") {
            if run_text(i).contains("manage.py migrate") {
                out.push(Hit::new(
                    file,
                    ctx.src(file).find(i.line, i.end_line, "manage.py migrate"),
                    "`manage.py migrate` runs at build time",
                ));
            }
        }
    }
    out
}

use super::run_text;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL017",
    name: "collectstatic-without-static-root",
    buildkit: None,
    severity: Severity::Error,
    summary: "the Dockerfile runs collectstatic but the settings have no STATIC_ROOT",
    doc: "### What it does\nFinds `collectstatic` in a RUN when the production settings do not set STATIC_ROOT.\n### Why is this bad?\nThe build fails: `ImproperlyConfigured: You're using the staticfiles app without having\nset the STATIC_ROOT setting` (seed 000's Dockerfile on a fresh `startproject`).\n### Example\n```dockerfile\nRUN python manage.py collectstatic --noinput\n```\nwith settings that have only `STATIC_URL = \"static/\"`.\n### Fix\nSet `STATIC_ROOT = BASE_DIR / \"staticfiles\"` in the settings.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        // The settings of the project this Dockerfile builds (`COPY backend /app`).
        let Some(facts) = ctx.project_for(file) else {
            continue;
        };
        if facts.static_files.root.is_some() {
            continue;
        }
        for i in df.instructions.iter().filter(|i| i.keyword == "RUN") {
            if run_text(i).contains("collectstatic") {
                out.push(Hit::new(
                    file,
                    ctx.src(file).find(i.line, i.end_line, "collectstatic"),
                    format!(
                        "collectstatic fails: {} sets no STATIC_ROOT",
                        facts.settings.production.file
                    ),
                ));
            }
        }
    }
    out
}

use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL4003",
    name: "multiple-cmd",
    buildkit: Some("MultipleInstructionsDisallowed"),
    severity: Severity::Warning,
    summary: "a stage has more than one CMD",
    doc: "### What it does\nFinds a second (third, ...) `CMD` in one build stage. hadolint's DL4003; BuildKit's\nMultipleInstructionsDisallowed.\n### Why is this bad?\nOnly the last CMD takes effect: the earlier ones are dead code that readers take for the\ncommand the container runs.\n### Example\n```dockerfile\nCMD [\"python\", \"manage.py\", \"migrate\"]\nCMD [\"gunicorn\", \"mysite.wsgi\"]\n```\n### Fix\nKeep one CMD. Run one-off steps (migrations) as their own service or job.",
    fixable: false,
    check: |ctx| repeated(ctx, "CMD"),
};

/// Every `keyword` instruction after the first in its stage.
pub fn repeated(ctx: &Context, keyword: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for s in 0..df.stages.len() {
            for i in df.stage(s).filter(|i| i.keyword == keyword).skip(1) {
                out.push(Hit::new(
                    file,
                    ctx.src(file).line_span(i.line),
                    format!("another {keyword} in this stage: only the last one takes effect"),
                ));
            }
        }
    }
    out
}

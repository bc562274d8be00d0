use super::{installs, run_text};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL003",
    name: "copy-before-install",
    buildkit: None,
    severity: Severity::Warning,
    summary: "`COPY . .` comes before the dependency install",
    doc: "### What it does\nFinds a stage that copies the whole build context before it installs the Python\ndependencies.\n### Why is this bad?\nAny change to any file invalidates the `COPY .` layer and every layer after it, so\nevery code change reinstalls every package: slow builds, no layer caching.\n### Example\n```dockerfile\nCOPY . .\nRUN pip install -r requirements.txt\n```\n### Fix\nCopy the dependency files first, install, then copy the code:\n```dockerfile\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n```",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for s in 0..df.stages.len() {
            let mut copied_all = None;
            for i in df.stage(s) {
                if i.keyword == "COPY" && i.copies_context() {
                    copied_all.get_or_insert(i);
                }
                let text = run_text(i);
                if i.keyword == "RUN" && installs(&text) && !text.contains("-e .") {
                    if let Some(c) = copied_all {
                        out.push(Hit::new(
                            file,
                            ctx.src(file).line_span(c.line),
                            format!(
                                "`COPY .` comes before the dependency install at line {}",
                                i.line
                            ),
                        ));
                        break;
                    }
                }
            }
        }
    }
    out
}

use super::commands;
use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL3015",
    name: "apt-install-recommends",
    buildkit: None,
    severity: Severity::Info,
    summary: "`apt-get install` without `--no-install-recommends`",
    doc: "### What it does\nFinds `apt-get install` without `--no-install-recommends` (or\n`-o APT::Install-Recommends=false`). hadolint's DL3015.\n### Why is this bad?\nRecommended packages are installed too: often hundreds of MB of documentation, fonts,\ncompilers and tools the app never uses, each one more thing to patch.\n### Example\n```dockerfile\nRUN apt-get install -y libpq-dev\n```\n### Fix\n`apt-get install -y --no-install-recommends libpq-dev` (`--fix` adds the flag).",
    fixable: true,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df.instructions.iter().filter(|i| i.keyword == "RUN") {
            let text = super::run_text(i);
            let missing = commands(&text).iter().any(|c| {
                c.iter().any(|w| w == "apt-get")
                    && c.iter().any(|w| w == "install")
                    && !c.iter().any(|w| {
                        w == "--no-install-recommends" || w.contains("Install-Recommends=false")
                    })
            });
            if !missing {
                continue;
            }
            let src = ctx.src(file);
            let r = src.find(i.line, i.end_line, "apt-get install");
            let mut hit = Hit::new(
                file,
                r.clone(),
                "`apt-get install` also installs the recommended packages",
            );
            if &src.text[r.clone()] == "apt-get install" {
                hit = hit.with_fix(
                    "add `--no-install-recommends`",
                    vec![Edit {
                        file: file.clone(),
                        range: r.end..r.end,
                        text: " --no-install-recommends".into(),
                    }],
                );
            }
            out.push(hit);
        }
    }
    out
}

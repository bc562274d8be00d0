use super::commands;
use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL3042",
    name: "pip-cache",
    buildkit: None,
    severity: Severity::Warning,
    summary: "`pip install` keeps its download cache in the image",
    doc: "### What it does\nFinds `pip install` without `--no-cache-dir`, unless the RUN mounts a cache\n(`--mount=type=cache`) or `PIP_NO_CACHE_DIR` is set. hadolint's DL3042.\n### Why is this bad?\npip keeps every downloaded wheel under ~/.cache/pip: tens to hundreds of MB in the\nlayer that are never used again.\n### Example\n```dockerfile\nRUN pip install -r requirements.txt\n```\n### Fix\n`pip install --no-cache-dir -r requirements.txt` (`--fix` adds the flag), or\n`RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt` to\nreuse downloads across builds.",
    fixable: true,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        let no_cache_env = |stage: usize| {
            df.instructions.iter().any(|i| {
                (i.stage == stage || i.keyword == "ARG")
                    && matches!(i.keyword.as_str(), "ENV" | "ARG")
                    && i.args.contains("PIP_NO_CACHE_DIR")
            })
        };
        for i in df.instructions.iter().filter(|i| i.keyword == "RUN") {
            if i.flags
                .iter()
                .any(|(k, v)| k == "mount" && v.contains("type=cache"))
                || no_cache_env(i.stage)
            {
                continue;
            }
            let text = super::run_text(i);
            let bad = commands(&text).iter().any(|c| {
                let pip = c
                    .iter()
                    .position(|w| {
                        let b = w.rsplit('/').next().unwrap_or(w);
                        b == "pip" || b == "pip3" || b.starts_with("pip3.")
                    })
                    .or_else(|| {
                        c.windows(2)
                            .position(|w| w[0] == "-m" && w[1] == "pip")
                            .map(|p| p + 1)
                    });
                let Some(p) = pip else { return false };
                c.get(p + 1).map(String::as_str) == Some("install")
                    && !c.iter().any(|w| w == "--no-cache-dir" || w == "--no-cache")
            });
            if !bad {
                continue;
            }
            let src = ctx.src(file);
            let r = src.find(i.line, i.end_line, "pip install");
            let r = if &src.text[r.clone()] == "pip install" {
                r
            } else {
                src.find(i.line, i.end_line, "pip3 install")
            };
            let mut hit = Hit::new(
                file,
                r.clone(),
                "`pip install` without `--no-cache-dir` keeps the cache in the layer",
            );
            if src.text[r.clone()].ends_with(" install") {
                hit = hit.with_fix(
                    "add `--no-cache-dir`",
                    vec![Edit {
                        file: file.clone(),
                        range: r.end..r.end,
                        text: " --no-cache-dir".into(),
                    }],
                );
            }
            out.push(hit);
        }
    }
    out
}

use super::commands;
use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL3042",
    name: "pip-cache",
    buildkit: None,
    severity: Severity::Warning,
    summary: "`pip install` keeps its download cache in the image",
    doc: "### What it does\nFinds `pip install` without `--no-cache-dir`, unless the RUN mounts a cache\n(`--mount=type=cache`) or `PIP_NO_CACHE_DIR` is set. hadolint's DL3042, except that an\n`ARG PIP_NO_CACHE_DIR=1` counts too (pip reads it from RUN's environment). `uv pip\ninstall` is not pip.\n### Why is this bad?\npip keeps every downloaded wheel under ~/.cache/pip: tens to hundreds of MB in the\nlayer that are never used again.\n### Example\n```dockerfile\nRUN pip install -r requirements.txt\n```\n### Fix\n`pip install --no-cache-dir -r requirements.txt` (`--fix` adds the flag), or\n`RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt` to\nreuse downloads across builds. pip's own abbreviations (`--no-cache`) count.",
    fixable: true,
    check,
};

/// Is this command `pip install` (also `pip3`, `python -m pip`), not `uv pip install`?
fn pip_install(c: &[String]) -> bool {
    let pip = c
        .iter()
        .enumerate()
        .position(|(n, w)| {
            let b = w.rsplit('/').next().unwrap_or(w);
            (b == "pip" || b == "pip3" || b.starts_with("pip3.")) && (n == 0 || c[n - 1] != "uv")
        })
        .or_else(|| {
            c.windows(2)
                .position(|w| w[0] == "-m" && w[1] == "pip")
                .map(|p| p + 1)
        });
    pip.is_some_and(|p| c.get(p + 1).map(String::as_str) == Some("install"))
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for (n, i) in df.instructions.iter().enumerate() {
            if i.keyword != "RUN"
                || i.flags
                    .iter()
                    .any(|(k, v)| k == "mount" && v.contains("type=cache"))
            {
                continue;
            }
            // PIP_NO_CACHE_DIR set by an ENV (or ARG) before this RUN, in its stage or one it is
            // built from.
            let chain = df.stage_chain(i.stage);
            let no_cache_env = df.instructions[..n].iter().any(|x| {
                (chain.contains(&x.stage) || x.keyword == "ARG")
                    && matches!(x.keyword.as_str(), "ENV" | "ARG")
                    && x.args.contains("PIP_NO_CACHE_DIR")
            });
            if no_cache_env {
                continue;
            }
            let bad = commands(&super::run_text(i))
                .iter()
                .any(|c| pip_install(c) && !c.iter().any(|w| is_no_cache_dir(w)));
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
            // The flag goes after the first `pip install`, which must not be `uv pip install`.
            let before = &src.text[..r.start];
            if src.text[r.clone()].ends_with(" install") && !before.ends_with("uv ") {
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

/// `--no-cache-dir`, or an abbreviation pip accepts for it: pip's option parser takes any
/// unambiguous prefix of a long option, and `--no-cac` is the shortest that is not also
/// `--no-color`, `--no-compile` or `--no-clean` (healthchecks' Dockerfile writes `--no-cache`).
fn is_no_cache_dir(word: &str) -> bool {
    let flag = word.split('=').next().unwrap_or(word);
    flag.len() >= "--no-cac".len() && "--no-cache-dir".starts_with(flag)
}

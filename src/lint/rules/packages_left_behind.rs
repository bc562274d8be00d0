use super::installs;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL008",
    name: "packages-left-behind",
    buildkit: None,
    severity: Severity::Error,
    summary: "the final stage leaves the installed packages behind",
    doc: "### What it does\nFinds a multi-stage build whose final stage copies files from a stage that installed\npackages, but not the installed packages themselves (seed 000's bug: `COPY --from=build\n/app /app` after `pip install` into the build stage's system Python).\n### Why is this bad?\nThe image builds, then fails at start: `ModuleNotFoundError: No module named 'django'`.\n### Example\n```dockerfile\nFROM python:3.12 AS build\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nFROM python:3.12-slim\nCOPY --from=build /app /app\n```\n### Fix\nInstall into a virtualenv in the build stage and copy it: `COPY --from=build /opt/venv /opt/venv`.",
    fixable: false,
    check,
};

const PACKAGE_PATHS: &[&str] = &[
    "venv",
    "site-packages",
    "/usr/local",
    "/root/.local",
    "/install",
    "wheel",
    "/opt",
    "/home",
    "/usr/lib/python",
];

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        let last = df.final_stage();
        if last == 0
            || df
                .stage(last)
                .any(|i| i.keyword == "RUN" && installs(&super::run_text(i)))
        {
            continue;
        }
        for i in df.stage(last).filter(|i| i.keyword == "COPY") {
            let Some(from) = i.flag("from") else { continue };
            let src = df
                .stages
                .iter()
                .position(|s| s.name.as_deref() == Some(from))
                .or_else(|| from.parse().ok());
            let Some(src) = src else { continue };
            let installed = df
                .stage(src)
                .any(|x| x.keyword == "RUN" && installs(&super::run_text(x)));
            let sources = i.sources();
            let copies_packages = sources
                .iter()
                .any(|s| PACKAGE_PATHS.iter().any(|p| s.contains(p)));
            let copies_all_packages_elsewhere = df.stage(last).any(|x| {
                x.keyword == "COPY"
                    && x.flag("from") == Some(from)
                    && x.words()
                        .iter()
                        .any(|s| PACKAGE_PATHS.iter().any(|p| s.contains(p)))
            });
            if installed && !copies_packages && !copies_all_packages_elsewhere {
                out.push(Hit::new(
                    file,
                    ctx.src(file).line_span(i.line),
                    format!("copies {} from stage `{from}`, which installed packages, but not the packages", sources.join(" ")),
                ));
            }
        }
    }
    out
}

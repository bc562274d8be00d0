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
        for (n, i) in df
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.stage == last && i.keyword == "COPY")
        {
            let Some(from) = i.flag("from") else { continue };
            let src = df
                .stages
                .iter()
                .position(|s| s.name.as_deref() == Some(from))
                .or_else(|| from.parse().ok());
            let Some(src) = src else { continue };
            let sources: Vec<String> = i.sources().iter().map(|s| df.expand(n, s)).collect();
            // Installs whose packages land outside what is copied: the system Python, or a
            // virtualenv or --target/--prefix folder that no copied source covers.
            let mut workdir = String::from("/");
            let mut installed = false;
            for (n, x) in df
                .instructions
                .iter()
                .enumerate()
                .filter(|(_, x)| x.stage == src)
            {
                if x.keyword == "WORKDIR" {
                    let w = df.expand(n, x.args.trim());
                    workdir = if w.starts_with('/') {
                        w
                    } else {
                        format!("{}/{w}", workdir.trim_end_matches('/'))
                    };
                }
                let text = super::run_text(x);
                if x.keyword != "RUN" || !installs(&text) {
                    continue;
                }
                // Where the packages go: the project's `.venv` for uv and PDM, else the path
                // after --target/--prefix/-t or after `venv`/`virtualenv`.
                let resolve = |p: &str| {
                    if p.starts_with('/') {
                        p.trim_end_matches('/').to_string()
                    } else {
                        format!(
                            "{}/{}",
                            workdir.trim_end_matches('/'),
                            p.trim_start_matches("./").trim_end_matches('/')
                        )
                    }
                };
                let mut dest: Vec<String> = Vec::new();
                let in_project = crate::detect::deps::ALL
                    .iter()
                    .filter(|m| m.lint.venv_in_project)
                    .flat_map(|m| m.lint.install_commands())
                    .any(|c| text.contains(&c));
                // `in-project`: Poetry's `virtualenvs.in-project`, PIPENV_VENV_IN_PROJECT.
                if in_project || text.contains("in-project") {
                    dest.push(resolve(".venv"));
                }
                for c in super::commands(&text) {
                    for (k, w) in c.iter().enumerate() {
                        if matches!(
                            w.as_str(),
                            "--target" | "--prefix" | "-t" | "venv" | "virtualenv"
                        ) {
                            if let Some(p) = c.get(k + 1).filter(|p| !p.starts_with('-')) {
                                dest.push(resolve(p));
                            }
                        } else if let Some(p) = w
                            .strip_prefix("--target=")
                            .or_else(|| w.strip_prefix("--prefix="))
                        {
                            dest.push(resolve(p));
                        }
                    }
                }
                let copied = !dest.is_empty()
                    && dest.iter().all(|d| {
                        sources.iter().any(|s| {
                            let s = s.trim_end_matches('/');
                            s == "." || s.is_empty() || d == s || d.starts_with(&format!("{s}/"))
                        })
                    });
                if !copied {
                    installed = true;
                }
            }
            let copies_packages = sources.iter().any(|s| {
                PACKAGE_PATHS
                    .iter()
                    .any(|p| s.to_ascii_lowercase().contains(p))
            });
            let copies_all_packages_elsewhere = df.instructions.iter().enumerate().any(|(m, x)| {
                x.stage == last
                    && x.keyword == "COPY"
                    && x.flag("from") == Some(from)
                    && x.words().iter().any(|s| {
                        let s = df.expand(m, s).to_ascii_lowercase();
                        PACKAGE_PATHS.iter().any(|p| s.contains(p))
                    })
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

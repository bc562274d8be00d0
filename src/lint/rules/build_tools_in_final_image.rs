use super::{commands, run_text};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL030",
    name: "build-tools-in-final-image",
    buildkit: None,
    severity: Severity::Warning,
    summary: "the final image keeps compilers, headers or a packaging tool",
    doc: "### What it does\nFinds the final stage installing build tools (`build-essential`, `gcc`, `build-base`,\n`-dev` header packages) with apt-get or apk, or a packaging tool (pipenv, poetry, pdm)\nwith pip, unless the same RUN removes them again.\n### Why is this bad?\nThey are needed to build wheels, never to run the app: hundreds of MB per image (seed\n001's image is 843 MB where about 500 MB does), and a compiler in the image helps an\nattacker.\n### Example\n```dockerfile\nFROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev\nRUN pip install --no-cache-dir pipenv && pipenv install --system --deploy\n```\n### Fix\nBuild in a first stage (install the tools there, build a virtualenv or wheels), then\ncopy only the result into a slim final stage with the runtime libraries (`libpq5`).",
    fixable: false,
    check,
};

fn is_build_package(p: &str) -> bool {
    let p = p.split('=').next().unwrap_or(p);
    matches!(
        p,
        "build-essential" | "gcc" | "g++" | "make" | "build-base" | "musl-dev" | "clang" | "cmake"
    ) || p.ends_with("-dev") && !p.starts_with('-')
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in super::deployed_dockerfiles(ctx) {
        for i in df.stage(df.final_stage()).filter(|i| i.keyword == "RUN") {
            let cmds = commands(&run_text(i));
            let removed = cmds.iter().any(|c| {
                c.iter().any(|w| {
                    w == "purge"
                        || w == "autoremove"
                        || w == "del"
                        || w == "remove"
                        || w == "uninstall"
                })
            });
            if removed {
                continue;
            }
            let mut found: Vec<String> = Vec::new();
            for c in &cmds {
                let tool = c
                    .iter()
                    .position(|w| w == "apt-get" || w == "apt" || w == "apk");
                if let Some(t) = tool {
                    if c.get(t + 1..)
                        .is_some_and(|r| r.iter().any(|w| w == "install" || w == "add"))
                    {
                        found.extend(c.iter().filter(|w| is_build_package(w)).cloned());
                    }
                }
                let pip = c
                    .iter()
                    .position(|w| matches!(w.as_str(), "pip" | "pip3" | "pipx"));
                if let Some(p) = pip {
                    if c.get(p + 1).map(String::as_str) == Some("install") {
                        found.extend(
                            c.iter()
                                .filter(|w| matches!(w.as_str(), "pipenv" | "poetry" | "pdm"))
                                .cloned(),
                        );
                    }
                }
            }
            if let Some(first) = found.first() {
                out.push(Hit::new(
                    file,
                    ctx.src(file).find(i.line, i.end_line, first),
                    format!(
                        "the final image keeps {}: needed to build, not to run",
                        found.join(", ")
                    ),
                ));
            }
        }
    }
    out
}

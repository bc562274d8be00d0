use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL003",
    name: "copy-before-install",
    severity: Severity::Warning,
    summary: "the whole context is copied before installing dependencies",
    doc: "### What it does\nFinds `COPY . .` before the step that installs the dependencies, in the same stage.\n### Why is this bad?\nEvery code change invalidates the layer cache from the copy on: dependencies are\ndownloaded and built again on each build.\n### Fix\nCopy the dependency files first (`COPY requirements.txt .`), install, then `COPY . .`.",
    check,
};

pub fn installs(run: &str) -> bool {
    [
        "pip install",
        "pipenv install",
        "poetry install",
        "uv sync",
        "uv pip install",
        "pdm install",
        "pip3 install",
    ]
    .iter()
    .any(|p| run.contains(p))
        && !run.contains("pip install --upgrade pip")
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for s in 0..df.stages.len() {
            let mut copied_all: Option<u32> = None;
            for i in df.stage(s) {
                if i.keyword == "COPY" && i.copies_context() {
                    copied_all.get_or_insert(i.line);
                }
                if i.keyword == "RUN" && installs(&i.args) && !i.args.contains("-e .") {
                    if let Some(line) = copied_all {
                        out.push(Hit {
                            file: file.clone(),
                            line,
                            message: format!(
                                "`COPY .` comes before the dependency install at line {}",
                                i.line
                            ),
                        });
                        break;
                    }
                }
            }
        }
    }
    out
}

use super::{commands, run_text};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL013",
    name: "apt-update-alone",
    buildkit: None,
    severity: Severity::Warning,
    summary: "`apt-get update` in a RUN that installs nothing",
    doc: "### What it does\nFinds a RUN that runs `apt-get update` (or `apt update`) without an install in the same RUN.\n### Why is this bad?\nThe package index is cached in its own layer; a later `RUN apt-get install` reuses that\nstale layer and fails (404) or installs outdated packages once the mirror moves on.\n### Example\n```dockerfile\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends libpq5\n```\n### Fix\nUpdate, install and clean up in one RUN:\n`RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*`.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df.instructions.iter().filter(|i| i.keyword == "RUN") {
            let cmds = commands(&run_text(i));
            let is = |c: &Vec<String>, verb: &str| {
                c.iter().any(|w| w == "apt-get" || w == "apt") && c.iter().any(|w| w == verb)
            };
            if cmds.iter().any(|c| is(c, "update")) && !cmds.iter().any(|c| is(c, "install")) {
                out.push(Hit::new(
                    file,
                    ctx.src(file).find(i.line, i.end_line, "update"),
                    "`apt-get update` without an install in the same RUN leaves a stale cached index",
                ));
            }
        }
    }
    out
}

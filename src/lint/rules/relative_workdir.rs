use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL3000",
    name: "relative-workdir",
    buildkit: Some("WorkdirRelativePath"),
    severity: Severity::Error,
    summary: "WORKDIR is a relative path",
    doc: "### What it does\nFinds `WORKDIR` with a relative path (variables and quoted absolute paths are accepted).\nhadolint's DL3000; BuildKit's WorkdirRelativePath.\n### Why is this bad?\nA relative WORKDIR is relative to the previous one, which depends on the base image:\nthe same Dockerfile puts the app in different places on different bases.\n### Example\n```dockerfile\nWORKDIR app\n```\n### Fix\n`WORKDIR /app`.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df.instructions.iter().filter(|i| i.keyword == "WORKDIR") {
            let p = i.args.trim().trim_matches(['"', '\'']);
            let windows = p.get(1..3).is_some_and(|d| d == ":\\" || d == ":/");
            if !p.is_empty() && !p.starts_with('/') && !p.starts_with('$') && !windows {
                out.push(Hit::new(
                    file,
                    ctx.src(file).find(i.line, i.line, &i.args),
                    format!("WORKDIR {p} is relative to whatever the base image set"),
                ));
            }
        }
    }
    out
}

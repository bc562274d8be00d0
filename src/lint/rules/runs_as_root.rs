use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL002",
    name: "runs-as-root",
    buildkit: None,
    severity: Severity::Warning,
    summary: "the container runs as root",
    doc: "### What it does\nFinds a final stage without `USER`, or whose last `USER` is root. (hadolint's DL3002\nonly sees an explicit `USER root`; a missing USER is the common case.) Images built on\nnginx, a proxy or a database image are left alone: their own entrypoints drop root.\n### Why is this bad?\nA compromised app process is root in the container: it can change the code it serves\nand has a shorter way out of the container.\n### Example\n```dockerfile\nFROM python:3.12-slim\nCOPY . /app\nCMD [\"gunicorn\", \"mysite.wsgi\"]\n```\n### Fix\nCreate a user with a numeric UID and end with `USER 10001:10001`.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in super::deployed_dockerfiles(ctx) {
        let Some(stage) = df.stages.last() else {
            continue;
        };
        if super::is_infrastructure_image(df) {
            continue; // nginx's master process needs root to bind port 80
        }
        let src = ctx.src(file);
        let last_user = df
            .stage(df.final_stage())
            .filter(|i| i.keyword == "USER")
            .last();
        match last_user {
            None => out.push(Hit::new(
                file,
                src.line_span(stage.line),
                "the final stage has no USER: the app runs as root",
            )),
            Some(u) if matches!(u.args.split(':').next(), Some("root" | "0")) => {
                out.push(Hit::new(
                    file,
                    src.find(u.line, u.line, &u.args),
                    "the last USER of the final stage is root",
                ))
            }
            _ => {}
        }
    }
    out
}

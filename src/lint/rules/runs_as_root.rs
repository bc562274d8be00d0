use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL002",
    name: "runs-as-root",
    severity: Severity::Warning,
    summary: "the container runs as root",
    doc: "### What it does\nFinds a final stage without `USER`, or whose last `USER` is root.\n### Why is this bad?\nA compromised app process is root in the container: it can change the code it serves\nand has a shorter way out of the container.\n### Fix\nCreate a user with a numeric UID and end with `USER 10001:10001`.",
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        let Some(stage) = df.stages.last() else {
            continue;
        };
        let last_user = df
            .stage(df.final_stage())
            .filter(|i| i.keyword == "USER")
            .last();
        match last_user {
            None => out.push(Hit {
                file: file.clone(),
                line: stage.line,
                message: "the final stage has no USER: the app runs as root".into(),
            }),
            Some(u) if matches!(u.args.split(':').next(), Some("root" | "0")) => out.push(Hit {
                file: file.clone(),
                line: u.line,
                message: "the last USER of the final stage is root".into(),
            }),
            _ => {}
        }
    }
    out
}

use crate::lint::{Context, Hit, Rule, Severity};

/// ## What it does
/// Finds a final stage without `USER`, or whose last `USER` is root.
/// ## Why is this bad?
/// A compromised app process is root in the container: it can change the code it serves
/// and has a shorter way out of the container.
/// ## Fix
/// Create a user with a numeric UID and end with `USER 10001:10001`.
pub const RULE: Rule = Rule {
    code: "DJL002",
    name: "runs-as-root",
    severity: Severity::Warning,
    summary: "the container runs as root",
    doc: "Add a non-root user with a numeric UID and switch to it with USER before CMD.",
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

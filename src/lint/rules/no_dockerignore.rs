use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL009",
    name: "no-dockerignore",
    severity: Severity::Warning,
    summary: "no .dockerignore, and the whole context is copied",
    doc: "### What it does\nFinds `COPY .` in a project without a .dockerignore.\n### Why is this bad?\nThe whole folder goes into the build context and the image: .git, .env, virtualenvs,\nlocal databases, node_modules. Builds are slower and secrets leak.\n### Fix\nAdd a .dockerignore (`djship init` writes one).",
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    if ctx.dockerignore.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        if let Some(i) = df
            .instructions
            .iter()
            .find(|i| i.keyword == "COPY" && i.copies_context())
        {
            out.push(Hit {
                file: file.clone(),
                line: i.line,
                message:
                    "`COPY .` without a .dockerignore copies everything, .git and .env included"
                        .into(),
            });
        }
    }
    out
}

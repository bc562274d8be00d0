use super::dockerignore_incomplete::MUST_EXCLUDE;
use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL009",
    name: "no-dockerignore",
    buildkit: None,
    severity: Severity::Warning,
    summary: "`COPY .` with no .dockerignore",
    doc: "### What it does\nFinds a Dockerfile that copies the build context when the project has no .dockerignore.\n### Why is this bad?\nEverything is sent to the builder and copied into the image: `.git`, `.env` with its\nsecrets, virtualenvs, local databases. Builds are slow and every commit busts the cache.\n### Example\n```dockerfile\nCOPY . .\n```\n### Fix\nCreate a .dockerignore (`--fix` writes one that excludes .git, .env, virtualenvs,\nSQLite files and node_modules; `djship init` writes a fuller one).",
    fixable: true,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    if ctx.dockerignore.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        if let Some(i) = df.instructions.iter().find(|i| i.copies_context()) {
            let text: String = MUST_EXCLUDE.iter().map(|(_, p)| format!("{p}\n")).collect();
            out.push(
                Hit::new(
                    file,
                    ctx.src(file).line_span(i.line),
                    "`COPY .` without a .dockerignore copies everything, .git and .env included",
                )
                .with_fix(
                    "create .dockerignore",
                    vec![Edit {
                        file: ".dockerignore".into(),
                        range: 0..0,
                        text,
                    }],
                ),
            );
        }
    }
    out
}

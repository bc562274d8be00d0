use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL004",
    name: "env-file-in-image",
    buildkit: None,
    severity: Severity::Error,
    summary: "`.env` is copied into the image",
    doc: "### What it does\nFinds `COPY .env` and `COPY . .` when .dockerignore does not exclude `.env`.\n### Why is this bad?\nThe .env file holds the secrets (SECRET_KEY, database password). In the image, anyone\nwho can pull it can read them, and they outlive every rotation.\n### Example\n```dockerfile\nCOPY . .          # no .dockerignore: .env goes in\n```\n### Fix\nAdd `.env` to .dockerignore and pass the variables at run time (compose `env_file:`).",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    let excluded = ctx.ignored(".env");
    for (file, df) in &ctx.dockerfiles {
        let src = ctx.src(file);
        for i in df
            .instructions
            .iter()
            .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && i.flag("from").is_none())
        {
            if let Some(w) = i
                .sources()
                .into_iter()
                .find(|w| w.trim_start_matches("./") == ".env")
            {
                out.push(Hit::new(
                    file,
                    src.find(i.line, i.end_line, &w),
                    "`.env` is copied into the image by name",
                ));
            } else if i.copies_context() && !excluded {
                out.push(Hit::new(
                    file,
                    src.line_span(i.line),
                    "`COPY .` copies `.env`: .dockerignore does not exclude it",
                ));
            }
        }
    }
    out
}

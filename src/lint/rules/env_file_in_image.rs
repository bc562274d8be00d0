use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL004",
    name: "env-file-in-image",
    severity: Severity::Error,
    summary: ".env is copied into the image",
    doc: "### What it does\nFinds `.env` copied into an image: by name, or by `COPY .` when .dockerignore does not\nexclude it.\n### Why is this bad?\nThe image then carries the secrets (SECRET_KEY, database password) to every registry\nand host it is pushed to, in a layer that cannot be removed.\n### Fix\nList `.env` in .dockerignore; pass the values at run time (`env_file:` in compose).",
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    let excluded = ctx.ignored(".env");
    for (file, df) in &ctx.dockerfiles {
        for i in df
            .instructions
            .iter()
            .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && i.flag("from").is_none())
        {
            if i.sources()
                .iter()
                .any(|w| w.trim_start_matches("./") == ".env")
            {
                out.push(Hit {
                    file: file.clone(),
                    line: i.line,
                    message: "`.env` is copied into the image by name".into(),
                });
            } else if i.copies_context() && !excluded {
                out.push(Hit {
                    file: file.clone(),
                    line: i.line,
                    message: "`COPY .` copies `.env`: .dockerignore does not exclude it".into(),
                });
            }
        }
    }
    out
}

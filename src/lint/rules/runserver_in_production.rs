use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL001",
    name: "runserver-in-production",
    severity: Severity::Error,
    summary: "the image runs Django's development server",
    doc: "### What it does\nFinds `manage.py runserver` as the command of a Dockerfile's final stage.\n### Why is this bad?\nDjango's development server is single-threaded per request path, unreviewed for security,\nand documented as not for production.\n### Example\n`CMD [\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]`\n### Fix\n`CMD [\"gunicorn\", \"mysite.wsgi:application\", \"--bind\", \"0.0.0.0:8000\"]` (uvicorn or daphne for ASGI).",
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df
            .stage(df.final_stage())
            .filter(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT")
        {
            if i.words().iter().any(|w| w == "runserver") {
                out.push(Hit {
                    file: file.clone(),
                    line: i.line,
                    message: "the final image runs `manage.py runserver`".into(),
                });
            }
        }
    }
    out
}

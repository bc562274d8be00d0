use crate::lint::{Context, Hit, Rule, Severity};

/// ## What it does
/// Finds `manage.py runserver` as the command of a Dockerfile's final stage.
/// ## Why is this bad?
/// Django's development server is single-threaded per request path, unreviewed for security,
/// and documented as not for production.
/// ## Example
/// `CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]`
/// ## Fix
/// `CMD ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]` (uvicorn or daphne for ASGI).
pub const RULE: Rule = Rule {
    code: "DJL001",
    name: "runserver-in-production",
    severity: Severity::Error,
    summary: "the image runs Django's development server",
    doc: "Django's development server is not for production: serve with gunicorn (WSGI) or uvicorn/daphne (ASGI).",
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

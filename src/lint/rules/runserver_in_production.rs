use super::production;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL001",
    name: "runserver-in-production",
    buildkit: None,
    severity: Severity::Error,
    summary: "the production command is `manage.py runserver`",
    doc: "### What it does\nFinds `runserver` in the final stage's CMD or ENTRYPOINT, or in the `command:` of a\nservice in a production compose file.\n### Why is this bad?\nDjango's development server is single-process, unhardened and documented as not for\nproduction; it also reloads on file changes and serves static files only with DEBUG on.\n### Example\n```dockerfile\nCMD [\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]\n```\n### Fix\nRun a WSGI/ASGI server: `CMD [\"gunicorn\", \"mysite.wsgi\", \"--bind\", \"0.0.0.0:8000\"]`,\nand keep `runserver` for the development compose file.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in super::deployed_dockerfiles(ctx) {
        for i in df
            .stage(df.final_stage())
            .filter(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT")
        {
            if i.words().iter().any(|w| w == "runserver") {
                let r = ctx.src(file).find(i.line, i.end_line, "runserver");
                out.push(Hit::new(
                    file,
                    r,
                    "the final image runs `manage.py runserver`",
                ));
            }
        }
    }
    for (file, c) in production(ctx) {
        for (name, _, svc) in c.services() {
            if let Some(cmd) = svc.get("command") {
                if cmd.joined().split_whitespace().any(|w| w == "runserver") {
                    out.push(Hit::new(
                        file,
                        cmd.span.clone(),
                        format!("service `{name}` runs `manage.py runserver` in production"),
                    ));
                }
            }
        }
    }
    out
}

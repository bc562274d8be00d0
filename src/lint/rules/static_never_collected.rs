use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL018",
    name: "static-never-collected",
    buildkit: None,
    severity: Severity::Warning,
    summary: "STATIC_ROOT is set but nothing runs collectstatic, and whitenoise is not used",
    doc: "### What it does\nFinds a containerized project whose settings set STATIC_ROOT while no Dockerfile, compose\ncommand or script runs `collectstatic`, and whitenoise is not in MIDDLEWARE.\n### Why is this bad?\nWith DEBUG off Django does not serve static files: the admin and every page render\nwithout CSS or JavaScript, and STATIC_ROOT stays empty for nginx.\n### Example\n```dockerfile\nFROM python:3.12-slim\nCOPY . /app\nCMD [\"gunicorn\", \"mysite.wsgi\"]\n```\n### Fix\nCollect at build time, `RUN python manage.py collectstatic --noinput` (with placeholder\nsettings values if needed), and serve STATIC_ROOT with nginx or whitenoise.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let Some(facts) = &ctx.facts else {
        return Vec::new();
    };
    let Some(root) = &facts.static_files.root else {
        return Vec::new();
    };
    if ctx.dockerfiles.is_empty() || facts.static_files.whitenoise || ctx.mentions("collectstatic")
    {
        return Vec::new();
    }
    let file = &root.evidence.file;
    let range = root
        .evidence
        .line
        .map(|l| ctx.src(file).line_span(l))
        .unwrap_or(0..0);
    vec![Hit::new(
        file,
        range,
        format!(
            "STATIC_ROOT is {} but no Dockerfile, compose command or script runs collectstatic, and whitenoise is not used",
            root.value
        ),
    )]
}

use super::not_dev;
use crate::detect::is_secret_name;
use crate::dockerfile::assignments;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL006",
    name: "secret-in-env",
    buildkit: Some("SecretsUsedInArgOrEnv"),
    severity: Severity::Error,
    summary: "a secret is written as a literal in ENV, ARG, LABEL or a compose file",
    doc: "### What it does\nFinds `ENV`, `ARG` or `LABEL` giving a literal value to a secret (SECRET_KEY,\n*_PASSWORD, tokens, API keys), and the same in the `environment:` of a compose file\nthat is not for development only (by its name, or its content: see the roles above).\n### Why is this bad?\nENV, ARG and LABEL values are stored in the image config and history, readable by\nanyone who can pull the image; a compose file is committed to version control.\n### Example\n```dockerfile\nENV SECRET_KEY=django-insecure-abc123\n```\n```yaml\nenvironment:\n  POSTGRES_PASSWORD: hunter2\n```\n### Fix\nPass secrets at run time: compose `env_file: .env` (gitignored), `${VAR}`\ninterpolation, or orchestrator secrets; for build-time needs use\n`RUN --mount=type=secret`.",
    fixable: false,
    check,
};

fn literal(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty() && !v.starts_with('$') && !v.contains("${") && !v.starts_with("/run/secrets")
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        let src = ctx.src(file);
        for i in df
            .instructions
            .iter()
            .filter(|i| matches!(i.keyword.as_str(), "ENV" | "ARG" | "LABEL"))
        {
            for (k, v) in assignments(&i.args) {
                if is_secret_name(&k) && v.as_deref().is_some_and(literal) {
                    out.push(Hit::new(
                        file,
                        src.find(i.line, i.end_line, &k),
                        format!("{} sets {k} to a literal value", i.keyword),
                    ));
                }
            }
        }
    }
    for (file, c) in not_dev(ctx) {
        for (name, _, svc) in c.services() {
            let Some(env) = svc.get("environment") else {
                continue;
            };
            for (k, v, range) in env.env_pairs() {
                if is_secret_name(&k) && v.as_deref().is_some_and(literal) {
                    let mut hit = Hit::new(
                        file,
                        range,
                        format!("service `{name}` sets {k} to a literal value"),
                    );
                    if let Some(h) = super::role_help(file, c) {
                        hit = hit.with_help(h);
                    }
                    out.push(hit);
                }
            }
        }
    }
    out
}

use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL014",
    name: "unneeded-port-exposed",
    buildkit: None,
    severity: Severity::Warning,
    summary: "the image exposes a port the web app does not serve (SSH, a database)",
    doc: "### What it does\nFinds `EXPOSE` of SSH (22) or of a database or cache port (5432, 3306, 6379, 27017,\n11211) in a Django image.\n### Why is this bad?\nA web image should listen on its app port only. Exposing SSH means an SSH server runs\nin the container; exposing a database port in the app image documents, and with\n`-P` publishes, a service that is not there or should not be reachable.\n### Example\n```dockerfile\nEXPOSE 8000 22 5432\n```\n### Fix\nExpose only the port gunicorn binds (`EXPOSE 8000`); run the database in its own\ncontainer on an internal network.",
    fixable: false,
    check,
};

const UNNEEDED: &[(u32, &str)] = &[
    (22, "SSH"),
    (5432, "PostgreSQL"),
    (3306, "MySQL"),
    (6379, "Redis"),
    (27017, "MongoDB"),
    (11211, "memcached"),
];

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        // A database's own image may expose its port.
        if super::is_infrastructure_image(df) {
            continue;
        }
        for (n, i) in df.instructions.iter().enumerate() {
            if i.keyword != "EXPOSE" || i.stage != df.final_stage() {
                continue;
            }
            for w in i.args.split_whitespace() {
                let port = df.expand(n, w);
                let p: Option<u32> = port.split('/').next().and_then(|p| p.parse().ok());
                if let Some((p, what)) = UNNEEDED.iter().find(|(u, _)| Some(*u) == p) {
                    out.push(Hit::new(
                        file,
                        ctx.src(file).find(i.line, i.end_line, w),
                        format!("EXPOSE {p}: the image exposes the {what} port"),
                    ));
                }
            }
        }
    }
    out
}

use super::image;
use crate::lint::compose::{database_image, Node};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL024",
    name: "db-data-without-volume",
    buildkit: None,
    severity: Severity::Error,
    summary: "a database keeps its data without a volume",
    doc: "### What it does\nFinds a PostgreSQL, MySQL/MariaDB or MongoDB service with no volume mounted on its data\nfolder (`/var/lib/postgresql/data`, `/var/lib/mysql`, `/data/db`, or `PGDATA`).\n### Why is this bad?\nThe data lives in the container's writable layer: `docker compose down`, a recreate\nafter an image update or `--force-recreate` deletes the database.\n### Example\n```yaml\ndb:\n  image: postgres:16\n```\n### Fix\nMount a named volume: `volumes: [\"pgdata:/var/lib/postgresql/data\"]` with\n`pgdata:` under the top-level `volumes:`.",
    fixable: false,
    check,
};

fn targets(svc: &Node) -> Vec<String> {
    svc.get("volumes")
        .map(|v| v.items())
        .unwrap_or(&[])
        .iter()
        .filter_map(|v| match v.as_str() {
            Some(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                match parts.len() {
                    1 => Some(parts[0].to_string()),
                    _ => Some(parts[1].to_string()),
                }
            }
            None => v.get("target").and_then(Node::as_str).map(String::from),
        })
        .map(|t| t.trim_end_matches('/').to_string())
        .collect()
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in &ctx.compose {
        for (name, key, svc) in c.services() {
            let Some(img) = image(svc) else { continue };
            let Some(mut data) = database_image(img).map(String::from) else {
                continue;
            };
            if data == "/data" {
                continue; // Redis/Valkey: a cache or broker may be ephemeral.
            }
            if let Some((_, Some(pg), _)) = svc
                .get("environment")
                .map(|e| e.env_pairs())
                .unwrap_or_default()
                .into_iter()
                .find(|(k, _, _)| k == "PGDATA")
            {
                data = pg.trim_end_matches('/').to_string();
            }
            let covered = targets(svc)
                .iter()
                .any(|t| data == *t || data.starts_with(&format!("{t}/")));
            if !covered {
                out.push(Hit::new(
                    file,
                    key,
                    format!(
                        "service `{name}` ({img}) has no volume on {data}: `down` deletes its data"
                    ),
                ));
            }
        }
    }
    out
}

use super::image;
use crate::lint::compose::{database_image, mounts, postgres_major, PgMajor};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL024",
    name: "db-data-without-volume",
    buildkit: None,
    severity: Severity::Error,
    summary: "a database keeps its data without a volume",
    doc: "### What it does\nFinds a PostgreSQL, MySQL/MariaDB or MongoDB service with no volume mounted on its data\nfolder (`/var/lib/mysql`, `/data/db`, `PGDATA` when the service sets it). The official\npostgres image keeps its data in `/var/lib/postgresql/data` up to 17, and declares its\nvolume there: a volume mounted on a folder above it leaves the data in an anonymous\nvolume; from 18 on, in\n`/var/lib/postgresql/18/docker` with the image's volume declared at `/var/lib/postgresql`,\nso a volume at `/var/lib/postgresql` is right for 18+, and one only at\n`/var/lib/postgresql/data` is a finding there (the data is not on it, and the image's\nentrypoint refuses to start with an unused mount at that path). An untagged or `latest`\npostgres is 18 or newer; a tag djship cannot read accepts either layout.\n### Why is this bad?\nThe data lives in the container's writable layer: `docker compose down`, a recreate\nafter an image update or `--force-recreate` deletes the database.\n### Example\n```yaml\ndb:\n  image: postgres:16\n```\n### Fix\nMount a named volume: `volumes: [\"pgdata:/var/lib/postgresql/data\"]` (up to 17) or\n`[\"pgdata:/var/lib/postgresql\"]` (18 and newer), with `pgdata:` under the top-level\n`volumes:`.",
    fixable: false,
    check,
};

const PG_OLD: &str = "/var/lib/postgresql/data";

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in &ctx.compose {
        for (name, key, svc) in c.services() {
            let Some(img) = image(svc) else { continue };
            let Some(default_data) = database_image(img) else {
                continue;
            };
            if default_data == "/data" {
                continue; // Redis/Valkey: a cache or broker may be ephemeral.
            }
            let pgdata = svc
                .get("environment")
                .map(|e| e.env_pairs())
                .unwrap_or_default()
                .into_iter()
                .find(|(k, _, _)| k == "PGDATA")
                .and_then(|(_, v, _)| v)
                .map(|v| v.trim_end_matches('/').to_string());
            let postgres = default_data == PG_OLD && pgdata.is_none();
            let targets: Vec<String> = mounts(svc).into_iter().map(|m| m.target).collect();
            let on = |dir: &str| {
                targets
                    .iter()
                    .any(|t| dir == t || dir.starts_with(&format!("{t}/")))
            };
            let exactly = |dir: &str| targets.iter().any(|t| t == dir);
            let version = postgres.then(|| postgres_major(img));
            let (ok, message) = match version {
                // Up to 17 the image declares its VOLUME on the data folder itself: a
                // volume on a folder above it leaves the data in an anonymous volume.
                Some(PgMajor::Known(n)) if n < 18 => (
                    exactly(PG_OLD),
                    match targets.iter().find(|t| PG_OLD.starts_with(&format!("{t}/"))) {
                        Some(t) => format!(
                            "service `{name}` ({img}) has its volume at {t}, but the image declares its own at {PG_OLD}: the data goes to an anonymous volume, not the one mounted"
                        ),
                        None => format!(
                            "service `{name}` ({img}) has no volume on {PG_OLD}: `down` deletes its data"
                        ),
                    },
                ),
                Some(v @ (PgMajor::Known(_) | PgMajor::Latest)) => {
                    let (n, which) = match v {
                        PgMajor::Known(n) => (n, format!("PostgreSQL {n}")),
                        _ => (18, "18 or newer, as untagged or `latest`".to_string()),
                    };
                    let data = format!("/var/lib/postgresql/{n}/docker");
                    let message = if exactly(PG_OLD) {
                        format!(
                            "service `{name}` ({img}, {which}) keeps its data in {data}, not on the volume at {PG_OLD}: the image refuses to start with that mount, and the data would not be on it; mount the volume at /var/lib/postgresql"
                        )
                    } else {
                        format!(
                            "service `{name}` ({img}, {which}) has no volume on {data}: `down` deletes its data; mount one at /var/lib/postgresql"
                        )
                    };
                    (on(&data), message)
                }
                // A version djship cannot read: either layout is accepted.
                Some(PgMajor::Unknown) => (
                    exactly(PG_OLD) || on("/var/lib/postgresql/18/docker"),
                    format!(
                        "service `{name}` ({img}) has no volume on {PG_OLD} (up to PostgreSQL 17) or /var/lib/postgresql (18 and newer): `down` deletes its data"
                    ),
                ),
                _ => {
                    let data = pgdata.clone().unwrap_or_else(|| default_data.to_string());
                    (
                        on(&data),
                        format!(
                            "service `{name}` ({img}) has no volume on {data}: `down` deletes its data"
                        ),
                    )
                }
            };
            if ok {
                continue;
            }
            let mut hit = Hit::new(file, key, message);
            if matches!(version, Some(PgMajor::Known(18..) | PgMajor::Latest)) {
                hit = hit.with_help(
                    "from PostgreSQL 18 the official image keeps its data in /var/lib/postgresql/<major>/docker and declares its volume at /var/lib/postgresql: mount the named volume there",
                );
            }
            out.push(hit);
        }
    }
    out
}

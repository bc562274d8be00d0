use super::{image, is_database, not_dev};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL023",
    name: "db-port-published",
    buildkit: None,
    severity: Severity::Error,
    summary: "a database or cache port is published on the host",
    doc: "### What it does\nFinds `ports:` on a PostgreSQL, MySQL/MariaDB, MongoDB or Redis service in a compose file\nthat is not for development only (by its name, or its content: see the roles above). A port bound to 127.0.0.1 is allowed.\n### Why is this bad?\nPublished ports bypass most host firewalls (Docker writes its own iptables rules): the\ndatabase is reachable from the internet, protected by one password. The app reaches it\nover the compose network and needs no published port (seed 003 does this).\n### Example\n```yaml\ndb:\n  image: postgres:16\n  ports:\n    - \"5432:5432\"\n```\n### Fix\nRemove `ports:` (put the database on an internal network); for local access use a\ndevelopment override file, or bind to loopback: `\"127.0.0.1:5432:5432\"`.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in not_dev(ctx) {
        for (name, _, svc) in c.services() {
            if !is_database(svc) {
                continue;
            }
            for entry in svc.get("ports").map(|p| p.items()).unwrap_or(&[]) {
                if !super::published_on_all_interfaces(entry) {
                    continue;
                }
                let mut hit = Hit::new(
                    file,
                    entry.span.clone(),
                    format!(
                        "service `{name}` ({}) publishes its port on every host interface",
                        image(svc).unwrap_or("")
                    ),
                );
                if let Some(h) = super::role_help(file, c) {
                    hit = hit.with_help(h);
                }
                out.push(hit);
            }
        }
    }
    out
}

use super::production;
use crate::lint::start::{image_of, one_shot};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL026",
    name: "no-healthcheck",
    buildkit: None,
    severity: Severity::Warning,
    summary: "a production service has no healthcheck",
    doc: "### What it does\nFinds a service in a production compose file without `healthcheck:`, whose image (built\nhere) has no `HEALTHCHECK` either. `healthcheck: {disable: true}` is an explicit choice\nand accepted. One-shot services are exempt: `restart: \"no\"`, a service others wait for\nwith `condition: service_completed_successfully`, a command that ends with a Django\ncommand that exits (`migrate`, `collectstatic`, `createsuperuser`, ...), or a service\nbehind `profiles:` not named for production (a tool run by hand).\n### Why is this bad?\nWithout a healthcheck, a hung app (deadlocked workers, lost database) looks healthy:\nnothing restarts it, `depends_on: condition: service_healthy` cannot wait for it, and\nrolling updates send traffic to containers that are not ready (cookiecutter-django has none).\n### Example\n```yaml\nweb:\n  build: .\n  restart: unless-stopped\n```\n### Fix\nAdd a healthcheck that exercises the app: `test: [\"CMD\", \"python\", \"-c\", \"import\nurllib.request; urllib.request.urlopen('http://127.0.0.1:8000/')\"]`, and\n`pg_isready` for PostgreSQL.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in production(ctx) {
        for (name, key, svc) in c.services() {
            // The image's own HEALTHCHECK counts; a job meant to exit needs none.
            if svc.get("healthcheck").is_none()
                && !image_of(ctx, file, svc).is_some_and(|i| i.healthcheck())
                && one_shot(ctx, file, c, name, svc).is_none()
            {
                out.push(Hit::new(
                    file,
                    key,
                    format!("service `{name}` has no healthcheck"),
                ));
            }
        }
    }
    out
}

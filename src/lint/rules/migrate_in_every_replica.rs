use super::{dockerfile_of, final_command, replicas};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL016",
    name: "migrate-in-every-replica",
    buildkit: None,
    severity: Severity::Error,
    summary: "`migrate` runs in the start command of a service with several replicas",
    doc: "### What it does\nFinds a compose service with more than one replica (`deploy.replicas`, `scale`,\n`mode: global`) whose command, or its image's CMD/ENTRYPOINT or entrypoint script,\nruns `manage.py migrate`.\n### Why is this bad?\nEvery replica migrates at the same time on each deploy: concurrent migrations race on\nthe same tables, and a failed one can leave half the replicas down. (nixpacks and\nrailpack start commands do this.)\n### Example\n```yaml\nweb:\n  command: sh -c \"python manage.py migrate && gunicorn mysite.wsgi\"\n  deploy:\n    replicas: 3\n```\n### Fix\nRun migrations once per deployment: a one-shot `migrate` service that web depends on\nwith `condition: service_completed_successfully`, or a release job.",
    fixable: false,
    check,
};

fn migrates(text: &str) -> bool {
    text.contains("manage.py migrate") || text.contains("django-admin migrate")
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in &ctx.compose {
        for (name, _, svc) in c.services() {
            let Some((n, at)) = replicas(svc) else {
                continue;
            };
            if n < 2 {
                continue;
            }
            let own = ["command", "entrypoint"]
                .iter()
                .filter_map(|k| svc.get(k))
                .any(|k| migrates(&k.joined()));
            let from_image = svc.get("command").is_none()
                && dockerfile_of(ctx, svc).is_some_and(|(_, df)| {
                    let (words, _) = final_command(df);
                    let cmd = words.join(" ");
                    migrates(&cmd)
                        || ctx.scripts.iter().any(|s| {
                            let base = s.rsplit('/').next().unwrap_or(s);
                            cmd.contains(base) && migrates(&ctx.src(s).text)
                        })
                });
            if own || from_image {
                out.push(Hit::new(
                    file,
                    at.span.clone(),
                    format!(
                        "service `{name}` runs `migrate` on start in each of its {} replicas",
                        if n == u32::MAX {
                            "global".to_string()
                        } else {
                            n.to_string()
                        }
                    ),
                ));
            }
        }
    }
    out
}

use crate::lint::start::{self, Image};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL002",
    name: "runs-as-root",
    buildkit: None,
    severity: Severity::Warning,
    summary: "the container runs as root",
    doc: "### What it does\nFinds a final stage without `USER`, or whose last `USER` is root (the stages it is built\n`FROM` included), when its start does not switch to another user. (hadolint's DL3002 only\nsees an explicit `USER root`; a missing USER is the common case.) djship reads the\nENTRYPOINT and CMD and the scripts they run, found in the repository through the\nDockerfile's `COPY`/`ADD` (never executed): `exec gosu app ...`, `su-exec`,\n`s6-setuidgid`, `setpriv --reuid`, `runuser -u`, `chpst -u`, `su app -c` switch users;\nwith s6-overlay (`ENTRYPOINT [\"/init\"]`) every long-running service must switch. Images\nbuilt on nginx, a proxy or a database image are left alone: their own entrypoints drop\nroot.\n### Why is this bad?\nA compromised app process is root in the container: it can change the code it serves\nand has a shorter way out of the container.\n### Example\n```dockerfile\nFROM python:3.12-slim\nCOPY . /app\nCMD [\"gunicorn\", \"mysite.wsgi\"]\n```\n### Fix\nCreate a user with a numeric UID and end with `USER 10001:10001`.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in super::deployed_dockerfiles(ctx) {
        let Some(stage) = df.stages.last() else {
            continue;
        };
        if super::is_infrastructure_image(df) {
            continue; // nginx's master process needs root to bind port 80
        }
        let src = ctx.src(file);
        let image = Image::of_dockerfile(ctx, file, df);
        // The last USER of the final stage or of a stage it is built FROM.
        let last_user = image.user();
        let root = match &last_user {
            None => true,
            Some((u, _)) => matches!(u.as_str(), "root" | "0"),
        };
        if !root {
            continue;
        }
        // The entrypoint may start as root and switch (`exec gosu app "$@"`).
        if start::of_image(ctx, &image).drops_to().is_some() {
            continue;
        }
        match last_user {
            None => out.push(Hit::new(
                file,
                src.line_span(stage.line),
                "the final stage has no USER, and its entrypoint does not switch user: the app runs as root",
            )),
            Some((_, u)) => out.push(Hit::new(
                file,
                src.find(u.line, u.line, &u.args),
                "the last USER of the final stage is root, and its entrypoint does not switch user",
            )),
        }
    }
    out
}

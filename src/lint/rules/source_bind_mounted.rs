use super::{is_built, production};
use crate::lint::compose::mounts;
use crate::lint::start::{image_of, is_source_mount};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL028",
    name: "source-bind-mounted",
    buildkit: None,
    severity: Severity::Warning,
    summary: "a production service bind-mounts the source code over its image",
    doc: "### What it does\nFinds, in a production compose file, a service built from the project that bind-mounts\nthe project folder (`.:/app`), any host folder onto its working directory (`/app`,\n`/code`, the image's WORKDIR), or a folder of Python code inside it\n(`./mysite:/code/mysite`). A compose file whose name says nothing and that has such a\nmount is a development file (see the roles above), so this reads files named for\nproduction.\n### Why is this bad?\nThe container runs whatever is on the host, not the image that was built and tested:\ndeploys are not reproducible, collected static files and installed entry points are\nhidden by the mount, and the app can write to the host's code.\n### Example\n```yaml\nweb:\n  build: .\n  volumes:\n    - .:/app\n```\n### Fix\nRemove the mount in production (keep it in the development compose file); use named\nvolumes for data (media uploads).",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in production(ctx) {
        for (name, _, svc) in c.services() {
            if !is_built(svc) {
                continue;
            }
            let workdir = svc
                .get("working_dir")
                .and_then(|w| w.as_str())
                .map(String::from)
                .or_else(|| image_of(ctx, file, svc).map(|i| i.workdir()));
            for m in mounts(svc).iter().filter(|m| m.bind) {
                let src = m.source.as_deref().unwrap_or_default();
                if is_source_mount(ctx, file, src, &m.target, workdir.as_deref()) {
                    out.push(Hit::new(
                        file,
                        m.node.span.clone(),
                        format!(
                            "service `{name}` mounts {src} over {}: it runs the host's files, not the image",
                            m.target
                        ),
                    ));
                }
            }
        }
    }
    out
}

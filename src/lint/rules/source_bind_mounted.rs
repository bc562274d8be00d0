use super::{dockerfile_of, is_built, production};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL028",
    name: "source-bind-mounted",
    buildkit: None,
    severity: Severity::Warning,
    summary: "a production service bind-mounts the source code over its image",
    doc: "### What it does\nFinds, in a production compose file, a service built from the project that bind-mounts\nthe project folder (`.:/app`) or any host folder onto its working directory.\n### Why is this bad?\nThe container runs whatever is on the host, not the image that was built and tested:\ndeploys are not reproducible, collected static files and installed entry points are\nhidden by the mount, and the app can write to the host's code.\n### Example\n```yaml\nweb:\n  build: .\n  volumes:\n    - .:/app\n```\n### Fix\nRemove the mount in production (keep it in the development compose file); use named\nvolumes for data (media uploads).",
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
            let workdir = dockerfile_of(ctx, svc).and_then(|(_, df)| {
                df.stage(df.final_stage())
                    .filter(|i| i.keyword == "WORKDIR")
                    .last()
                    .map(|i| i.args.trim_end_matches('/').to_string())
            });
            for v in svc.get("volumes").map(|v| v.items()).unwrap_or(&[]) {
                let (src, target) = match v.as_str() {
                    Some(s) => {
                        let p: Vec<&str> = s.split(':').collect();
                        if p.len() < 2 {
                            continue;
                        }
                        (p[0].to_string(), p[1].trim_end_matches('/').to_string())
                    }
                    None => (
                        v.get("source")
                            .and_then(|s| s.as_str())
                            .unwrap_or("")
                            .to_string(),
                        v.get("target")
                            .and_then(|s| s.as_str())
                            .unwrap_or("")
                            .trim_end_matches('/')
                            .to_string(),
                    ),
                };
                let host = src.starts_with('.') || src.starts_with('/') || src.starts_with('~');
                let code_dir = matches!(
                    target.as_str(),
                    "/app" | "/code" | "/usr/src/app" | "/src" | "/opt/app"
                ) || workdir.as_deref() == Some(target.as_str());
                if host && (src == "." || src == "./" || code_dir) {
                    out.push(Hit::new(
                        file,
                        v.span.clone(),
                        format!("service `{name}` mounts {src} over {target}: it runs the host's files, not the image"),
                    ));
                }
            }
        }
    }
    out
}

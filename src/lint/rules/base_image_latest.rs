use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL3007",
    name: "base-image-latest",
    buildkit: None,
    severity: Severity::Warning,
    summary: "a base or service image uses the `latest` tag",
    doc: "### What it does\nFinds `FROM image:latest`, and a compose service's `image: …:latest`. On Dockerfiles,\nhadolint's DL3007.\n### Why is this bad?\n`latest` moves: the same Dockerfile builds a different image next week, with a\ndifferent Python or Debian release, and a rebuild to fix a bug can bring new ones.\n### Example\n```dockerfile\nFROM python:latest\n```\n### Fix\nPin the version: `FROM python:3.12-slim-bookworm`.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for s in &df.stages {
            let base = s.base.as_str();
            let last = base.rsplit('/').next().unwrap_or(base);
            if !base.contains('@') && last.split_once(':').map(|(_, t)| t) == Some("latest") {
                out.push(Hit::new(
                    file,
                    ctx.src(file).find(s.line, s.line, base),
                    format!("`{base}` uses :latest"),
                ));
            }
        }
    }
    // Compose: a service's `image:` (not the tag a `build:` gives its result).
    for (file, svc_name, node, img) in super::service_images(ctx) {
        let last = img.rsplit('/').next().unwrap_or(img);
        if last.split_once(':').map(|(_, t)| t) == Some("latest") {
            out.push(Hit::new(
                file,
                node.span.clone(),
                format!("service `{svc_name}` uses `{img}`, the moving :latest tag"),
            ));
        }
    }
    out
}

use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL3006",
    name: "base-image-untagged",
    buildkit: None,
    severity: Severity::Warning,
    summary: "a base or service image has no tag",
    doc: "### What it does\nFinds `FROM image` with neither a tag nor a digest (build stages, `scratch` and\nimages named by a variable are exempt), and the same in a compose service's `image:`.\nOn Dockerfiles, hadolint's DL3006, which misses a registry with a port\n(`localhost:5000/python`): djship reports it.\n### Why is this bad?\nNo tag means `:latest`: the base changes under you between two builds of the same\ncommit, a new major Python or Debian release arrives unannounced, and builds are not\nreproducible.\n### Example\n```dockerfile\nFROM python\n```\n### Fix\nPin a version and variant: `FROM python:3.12-slim-bookworm` (or a digest).",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        let mut names: Vec<&str> = Vec::new();
        for s in &df.stages {
            let base = s.base.as_str();
            let skip = base == "scratch"
                || base.contains('$')
                || base.contains('@')
                || names.contains(&base);
            if let Some(n) = &s.name {
                names.push(n);
            }
            if skip || base.is_empty() {
                continue;
            }
            let last = base.rsplit('/').next().unwrap_or(base);
            if !last.contains(':') {
                out.push(Hit::new(
                    file,
                    ctx.src(file).find(s.line, s.line, base),
                    format!("`{base}` has no tag"),
                ));
            }
        }
    }
    // Compose: a service's `image:` (not the tag a `build:` gives its result).
    for (file, svc_name, node, img) in super::service_images(ctx) {
        let last = img.rsplit('/').next().unwrap_or(img);
        if !last.contains(':') {
            out.push(Hit::new(
                file,
                node.span.clone(),
                format!("service `{svc_name}` uses `{img}`, which has no tag"),
            ));
        }
    }
    out
}

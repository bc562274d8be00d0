use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL010",
    name: "base-image-untagged",
    severity: Severity::Warning,
    summary: "the base image is untagged or :latest",
    doc: "### What it does\nFinds `FROM` an image without a tag or with `:latest` (hadolint DL3006/DL3007).\n### Why is this bad?\nThe base changes under you: the same Dockerfile builds a different Python tomorrow.\n### Fix\nPin a tag: `FROM python:3.12-slim-bookworm` (or a digest).",
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        let names: Vec<&str> = df.stages.iter().filter_map(|s| s.name.as_deref()).collect();
        for s in &df.stages {
            let base = s.base.as_str();
            if base == "scratch"
                || base.contains('$')
                || base.contains('@')
                || names.contains(&base)
            {
                continue;
            }
            let tag = base
                .rsplit_once('/')
                .map(|(_, n)| n)
                .unwrap_or(base)
                .split_once(':')
                .map(|(_, t)| t);
            match tag {
                None => out.push(Hit {
                    file: file.clone(),
                    line: s.line,
                    message: format!("`{base}` has no tag"),
                }),
                Some("latest") => out.push(Hit {
                    file: file.clone(),
                    line: s.line,
                    message: format!("`{base}` uses :latest"),
                }),
                _ => {}
            }
        }
    }
    out
}

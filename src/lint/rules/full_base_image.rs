use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL012",
    name: "full-base-image",
    buildkit: None,
    severity: Severity::Warning,
    summary: "the final stage is based on the full (non-slim) Python image",
    doc: "### What it does\nFinds a final stage `FROM python:<version>` without `-slim` (or `-alpine`).\n### Why is this bad?\nThe full image carries compilers, headers and tools the app does not need at run time:\nabout 1 GB instead of about 150 MB, slower pulls, and a larger attack surface.\n### Example\n```dockerfile\nFROM python:3.12\n```\n### Fix\nUse `python:3.12-slim` for the final stage; build wheels that need compilers in an\nearlier stage (the full image is fine there).",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in super::deployed_dockerfiles(ctx) {
        let Some(stage) = df.stages.last() else {
            continue;
        };
        // Through `FROM <stage>` to the image the final stage really starts from.
        let root = *df.stage_chain(df.final_stage()).last().unwrap_or(&0);
        let at = df
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.keyword == "FROM")
            .nth(root)
            .map_or(0, |(n, _)| n);
        let base = df.expand(at, &df.stages[root].base);
        let name = base.rsplit('/').next().unwrap_or(&base);
        let Some((repo, tag)) = name.split_once(':') else {
            continue;
        };
        let tag = tag.split('@').next().unwrap_or(tag);
        if repo == "python"
            && !tag.contains('$')
            && !["slim", "alpine", "distroless"]
                .iter()
                .any(|v| tag.contains(v))
        {
            out.push(Hit::new(
                file,
                ctx.src(file).find(stage.line, stage.line, &stage.base),
                format!("the final image is based on `{base}`, the full image"),
            ));
        }
    }
    out
}

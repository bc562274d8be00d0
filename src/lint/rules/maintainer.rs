use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL4000",
    name: "maintainer-deprecated",
    buildkit: Some("MaintainerDeprecated"),
    severity: Severity::Error,
    summary: "MAINTAINER is deprecated",
    doc: "### What it does\nFinds the `MAINTAINER` instruction. hadolint's DL4000; BuildKit's MaintainerDeprecated.\n### Why is this bad?\nIt has been deprecated since Docker 1.13; tools read the OCI labels instead.\n### Example\n```dockerfile\nMAINTAINER Jane <jane@example.com>\n```\n### Fix\n`LABEL org.opencontainers.image.authors=\"Jane <jane@example.com>\"` (`--fix` writes it).",
    fixable: true,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df.instructions.iter().filter(|i| i.keyword == "MAINTAINER") {
            let src = ctx.src(file);
            let span = src.line_span(i.line);
            let mut hit = Hit::new(
                file,
                span.clone(),
                "MAINTAINER is deprecated: use an OCI label",
            );
            if i.line == i.end_line && !i.args.contains(['"', '\\', '$']) {
                hit = hit.with_fix(
                    "replace with LABEL org.opencontainers.image.authors",
                    vec![Edit {
                        file: file.clone(),
                        range: span,
                        text: format!(
                            "LABEL org.opencontainers.image.authors=\"{}\"",
                            i.args.trim()
                        ),
                    }],
                );
            }
            out.push(hit);
        }
    }
    out
}

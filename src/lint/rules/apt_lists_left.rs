use super::{commands, run_text};
use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL3009",
    name: "apt-lists-left",
    buildkit: None,
    severity: Severity::Info,
    summary: "`apt-get update` leaves the package lists in the layer",
    doc: "### What it does\nFinds a RUN with `apt-get update` that does not remove `/var/lib/apt/lists/*` (a cache\nmount on that folder is accepted), in the final stage or a stage another builds `FROM`.\nhadolint's DL3009 (`apt-get clean` alone does not count: it keeps the lists).\n### Why is this bad?\nThe lists are tens of MB in the image that nobody uses at run time.\n### Example\n```dockerfile\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5\n```\n### Fix\nEnd the same RUN with `&& rm -rf /var/lib/apt/lists/*` (`--fix` appends it).",
    fixable: true,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        // What ends up in an image: the final stage and the stages later stages build on.
        let final_stage = df.final_stage();
        let based_on = |s: usize| {
            df.stages[s]
                .name
                .as_deref()
                .is_some_and(|n| df.stages[s + 1..].iter().any(|x| x.base == n))
        };
        for i in df
            .instructions
            .iter()
            .filter(|i| i.keyword == "RUN" && (i.stage == final_stage || based_on(i.stage)))
        {
            let text = run_text(i);
            let updates = commands(&text)
                .iter()
                .any(|c| c.iter().any(|w| w == "apt-get") && c.iter().any(|w| w == "update"));
            let cleaned = text.contains("/var/lib/apt/lists")
                || i.flags
                    .iter()
                    .any(|(k, v)| k == "mount" && v.contains("/var/lib/apt"));
            if !updates || cleaned {
                continue;
            }
            let src = ctx.src(file);
            let mut hit = Hit::new(
                file,
                src.find(i.line, i.end_line, "update"),
                "the apt lists stay in the layer: remove /var/lib/apt/lists/* in the same RUN",
            );
            // Only where the RUN also installs: removing the lists after an update alone
            // would break the install that follows (DJL013 is about that RUN).
            let installs = commands(&text)
                .iter()
                .any(|c| c.iter().any(|w| w == "apt-get") && c.iter().any(|w| w == "install"));
            if installs && i.heredocs.is_empty() && i.json.is_none() {
                let end = src.line_range(i.end_line).end;
                let end = src.text[..end].trim_end().len();
                hit = hit.with_fix(
                    "append `&& rm -rf /var/lib/apt/lists/*`",
                    vec![Edit {
                        file: file.clone(),
                        range: end..end,
                        text: " && rm -rf /var/lib/apt/lists/*".into(),
                    }],
                );
            }
            out.push(hit);
        }
    }
    out
}

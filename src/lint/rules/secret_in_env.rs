use crate::detect::is_secret_name;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL006",
    name: "secret-in-env",
    severity: Severity::Error,
    summary: "a secret is baked into the image with ENV or ARG",
    doc: "### What it does\nFinds `ENV` or `ARG` giving a literal value to a secret (SECRET_KEY, *_PASSWORD, tokens).\n### Why is this bad?\nENV and ARG values are stored in the image config and history, readable by anyone who\ncan pull the image.\n### Fix\nPass secrets at run time (compose `env_file:`, orchestrator secrets); for build-time\nneeds use `RUN --mount=type=secret`.\n`KEY=value` pairs of an ENV/ARG line (also the old `ENV KEY value` form).",
    check,
};

fn pairs(args: &str) -> Vec<(String, String)> {
    if !args.contains('=') {
        let mut it = args.splitn(2, char::is_whitespace);
        return vec![(
            it.next().unwrap_or("").to_string(),
            it.next().unwrap_or("").trim().to_string(),
        )];
    }
    args.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches(['"', '\'']).to_string()))
        .collect()
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df
            .instructions
            .iter()
            .filter(|i| i.keyword == "ENV" || i.keyword == "ARG")
        {
            for (k, v) in pairs(&i.args) {
                if is_secret_name(&k) && !v.is_empty() && !v.starts_with('$') {
                    out.push(Hit {
                        file: file.clone(),
                        line: i.line,
                        message: format!("{} sets {k} to a literal value", i.keyword),
                    });
                }
            }
        }
    }
    out
}

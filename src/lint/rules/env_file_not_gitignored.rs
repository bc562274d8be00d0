use crate::lint::compose::Node;
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL029",
    name: "env-file-not-gitignored",
    buildkit: None,
    severity: Severity::Error,
    summary: "a compose `env_file:` is not ignored by git",
    doc: "### What it does\nFinds an `env_file:` of a compose service that the project's .gitignore does not ignore\n(in a project under git). Files named `*.example`, `*.sample` or `*.template` are exempt.\n### Why is this bad?\nThe env file holds the secrets. One `git add .` and they are in the history for good,\nin every clone and fork.\n### Example\n```yaml\nweb:\n  env_file: .env.prod\n```\nwith a .gitignore that lists only `.env`.\n### Fix\nAdd the file (or `.env*` with `!.env.example`) to .gitignore.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in &ctx.compose {
        for (name, _, svc) in c.services() {
            let Some(ef) = svc.get("env_file") else {
                continue;
            };
            let entries: Vec<(&str, &Node)> = match ef.as_str() {
                Some(s) => vec![(s, ef)],
                None => ef
                    .items()
                    .iter()
                    .filter_map(|n| {
                        n.as_str()
                            .or_else(|| n.get("path").and_then(Node::as_str))
                            .map(|s| (s, n))
                    })
                    .collect(),
            };
            for (path, node) in entries {
                let path = path.trim_start_matches("./");
                if [".example", ".sample", ".template", ".dist"]
                    .iter()
                    .any(|s| path.ends_with(s))
                    || path.contains('$')
                    || path.starts_with('/')
                {
                    continue;
                }
                if ctx.git_ignored(path) == Some(false) {
                    out.push(Hit::new(
                        file,
                        node.span.clone(),
                        format!("service `{name}` reads {path}, which .gitignore does not ignore"),
                    ));
                }
            }
        }
    }
    out
}

use crate::lint::{Context, Edit, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL3025",
    name: "json-args",
    buildkit: Some("JSONArgsRecommended"),
    severity: Severity::Warning,
    summary: "CMD or ENTRYPOINT in shell form",
    doc: "### What it does\nFinds `CMD` and `ENTRYPOINT` written in shell form (`CMD gunicorn app.wsgi`).\nhadolint's DL3025 and BuildKit's JSONArgsRecommended.\n### Why is this bad?\nThe shell form runs `/bin/sh -c`, which becomes PID 1 and does not forward SIGTERM: on\n`docker stop` gunicorn is not told to finish its requests and is killed after the grace\nperiod (10 s by default), dropping them.\n### Example\n```dockerfile\nCMD gunicorn mysite.wsgi --bind 0.0.0.0:8000\n```\n### Fix\nThe exec (JSON) form: `CMD [\"gunicorn\", \"mysite.wsgi\", \"--bind\", \"0.0.0.0:8000\"]`.\n`--fix` rewrites commands that use no shell features (variables, quotes, `&&`, pipes,\nredirections, globs); use `exec` in a script for the others.",
    fixable: true,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        for i in df
            .instructions
            .iter()
            .filter(|i| (i.keyword == "CMD" || i.keyword == "ENTRYPOINT") && i.json.is_none())
        {
            if i.args.trim().is_empty() {
                continue;
            }
            let src = ctx.src(file);
            let span = src.line_span(i.line);
            let mut hit = Hit::new(
                file,
                span.start..src.line_span(i.end_line).end,
                format!("{} in shell form: signals do not reach the app", i.keyword),
            );
            let plain = i.line == i.end_line
                && !i
                    .args
                    .contains(|c: char| "$'\"`\\&|;<>*?(){}[]~#!".contains(c));
            if plain {
                let words: Vec<String> = i
                    .args
                    .split_whitespace()
                    .map(|w| serde_json::to_string(w).unwrap_or_default())
                    .collect();
                let line = &src.text[span.clone()];
                let kw_len = line.find(char::is_whitespace).unwrap_or(line.len());
                hit = hit.with_fix(
                    "rewrite in exec form",
                    vec![Edit {
                        file: file.clone(),
                        range: span,
                        text: format!("{} [{}]", &line[..kw_len], words.join(", ")),
                    }],
                );
            }
            out.push(hit);
        }
    }
    out
}

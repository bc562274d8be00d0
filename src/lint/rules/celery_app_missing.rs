use super::final_command;
use crate::dockerfile::shell_words;
use crate::lint::{Context, Hit, Rule, Severity};
use std::ops::Range;

pub const RULE: Rule = Rule {
    code: "DJL022",
    name: "celery-app-missing",
    buildkit: None,
    severity: Severity::Error,
    summary: "`celery -A` names a module the project does not have",
    doc: "### What it does\nFinds `celery -A NAME` (or `--app NAME`) in a Dockerfile command or a compose command,\nand looks for the module NAME in the project (`NAME.py` or `NAME/__init__.py`, at the\nroot or beside the manage.py of any project found).\n### Why is this bad?\nThe worker exits at start with `Unable to load celery application. The module X was not\nfound`, and compose restarts it in a loop.\n### Example\n```yaml\nworker:\n  command: celery -A proj worker\n```\nin a project whose package is `mysite`.\n### Fix\nName the package that holds the Celery app: `celery -A mysite worker`.",
    fixable: false,
    check,
};

/// The module given to `-A`/`--app` in a command, if any.
fn app(words: &[String]) -> Option<String> {
    let c = words
        .iter()
        .position(|w| w.rsplit('/').next() == Some("celery"))?;
    let rest = &words[c + 1..];
    rest.iter().enumerate().find_map(|(i, w)| {
        if w == "-A" || w == "--app" {
            rest.get(i + 1).cloned()
        } else {
            w.strip_prefix("--app=")
                .or_else(|| w.strip_prefix("-A"))
                .filter(|s| !s.is_empty())
                .map(String::from)
        }
    })
}

fn exists(ctx: &Context, module: &str) -> bool {
    let module = module.split(':').next().unwrap_or(module);
    let path = module.replace('.', "/");
    let mut bases = vec![String::new()];
    for f in &ctx.projects {
        if !f.manage_dir.is_empty() {
            bases.push(format!("{}/", f.manage_dir));
        }
    }
    bases.iter().any(|b| {
        ctx.root.join(format!("{b}{path}.py")).is_file()
            || ctx.root.join(format!("{b}{path}/__init__.py")).is_file()
            || ctx.root.join(format!("{b}{path}")).is_dir()
    })
}

fn check(ctx: &Context) -> Vec<Hit> {
    let mut found: Vec<(String, Range<usize>, String)> = Vec::new();
    for (file, df) in &ctx.dockerfiles {
        let (words, at) = final_command(df);
        if let (Some(a), Some(at)) = (app(&words), at) {
            let r = ctx.src(file).find(at.line, at.end_line, &a);
            found.push((file.clone(), r, a));
        }
    }
    for (file, c) in &ctx.compose {
        for (_, _, svc) in c.services() {
            if let Some(cmd) = svc.get("command") {
                let words: Vec<String> = match &cmd.value {
                    crate::lint::compose::Value::Seq(items) => items
                        .iter()
                        .filter_map(|n| n.as_str())
                        .flat_map(shell_words)
                        .collect(),
                    _ => shell_words(&cmd.joined()),
                };
                if let Some(a) = app(&words) {
                    found.push((file.clone(), cmd.span.clone(), a));
                }
            }
        }
    }
    found
        .into_iter()
        .filter(|(_, _, a)| !a.contains('$') && !exists(ctx, a))
        .map(|(file, r, a)| {
            Hit::new(
                &file,
                r,
                format!("`celery -A {a}`: the project has no module `{a}`"),
            )
        })
        .collect()
}

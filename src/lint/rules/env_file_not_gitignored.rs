use crate::detect::is_secret_name;
use crate::lint::compose::{env_file_entries, Role};
use crate::lint::git::{GitSource, GitState};
use crate::lint::start::{join, parent};
use crate::lint::{Context, Hit, Rule, Severity};
use std::ops::Range;

pub const RULE: Rule = Rule {
    code: "DJL029",
    name: "env-file-not-gitignored",
    buildkit: None,
    severity: Severity::Error,
    summary: "a compose `env_file:` is not ignored by git, or is committed with secrets for production",
    doc: "### What it does\nFinds an `env_file:` of a compose service (in a project under git) that git neither\nignores nor tracks, and nothing in .gitignore un-ignores; and one committed on purpose\n(tracked, or un-ignored by a negation such as `!.envs/.local/`) that gives a secret\n(SECRET_KEY, *_PASSWORD, tokens, DATABASE_URL) a literal value and is read by a compose\nfile that is not for development only. A file committed on purpose for development only\n(`.envs/.local/.django` read by a development compose file, a dev container's\n`common.env`) is not reported, nor is a committed file with no secret values. Git is\nasked (`git ls-files`, `git check-ignore --no-index`); without git, the .gitignore files\nare read. Files named `*.example`, `*.sample`, `*.template` or `*.dist` are exempt. A file\nread by several services is reported once.\n### Why is this bad?\nThe env file holds the secrets. One `git add .` and they are in the history for good,\nin every clone and fork; a committed one already is.\n### Example\n```yaml\nweb:\n  env_file: .env.prod\n```\nwith a .gitignore that lists only `.env`.\n### Fix\nAdd the file (or `.env*` with `!.env.example`) to .gitignore. For a committed file with\nproduction secrets: `git rm --cached` it, ignore it, and rotate the secrets.",
    fixable: false,
    check,
};

/// Where a file is read: compose file, service, the compose file's role, the entry.
struct Use<'a> {
    file: &'a str,
    service: &'a str,
    role: Role,
    range: Range<usize>,
}

fn check(ctx: &Context) -> Vec<Hit> {
    let Some(git) = &ctx.git else {
        return Vec::new();
    };
    let mut uses: Vec<(String, Vec<Use>)> = Vec::new();
    for (file, c) in &ctx.compose {
        for (name, _, svc) in c.services() {
            for (path, node) in env_file_entries(svc) {
                if [".example", ".sample", ".template", ".dist"]
                    .iter()
                    .any(|s| path.ends_with(s))
                    || path.contains('$')
                {
                    continue;
                }
                let Some(path) = join(parent(file), path) else {
                    continue;
                };
                let u = Use {
                    file,
                    service: name,
                    role: c.role,
                    range: node.span.clone(),
                };
                match uses.iter_mut().find(|(p, _)| *p == path) {
                    Some((_, v)) => v.push(u),
                    None => uses.push((path, vec![u])),
                }
            }
        }
    }
    let mut out = Vec::new();
    for (path, uses) in uses {
        let Some(state) = git.states.get(&path) else {
            continue;
        };
        let not_dev: Vec<&Use> = uses
            .iter()
            .filter(|u| u.role != Role::Development)
            .collect();
        match state {
            GitState::Ignored(_) => {}
            GitState::Tracked | GitState::Unignored(_) => {
                let secrets = secret_values(&ctx.src(&path).text);
                let Some(first) = not_dev.first() else {
                    continue; // committed for development on purpose
                };
                if secrets.is_empty() {
                    continue; // committed, and nothing secret in it
                }
                let how = match state {
                    GitState::Unignored(p) => format!("is un-ignored on purpose ({p})"),
                    _ => "is committed to git".to_string(),
                };
                out.push(
                    Hit::new(
                        first.file,
                        first.range.clone(),
                        format!(
                            "{path} {how} and gives {} a value; it is read by {}",
                            secrets.join(", "),
                            readers(&not_dev)
                        ),
                    )
                    .with_help(format!(
                        "keep production secrets out of git: `git rm --cached {path}`, ignore it, rotate the secrets, and commit a `{path}.example` without values"
                    )),
                );
            }
            GitState::Untracked => {
                let first = &uses[0];
                let all: Vec<&Use> = uses.iter().collect();
                let why = match git.source {
                    GitSource::Git => "git does not ignore it (no .gitignore pattern matches)",
                    GitSource::Gitignore => {
                        "which .gitignore does not ignore (djship could not ask git)"
                    }
                };
                out.push(Hit::new(first.file, first.range.clone(), {
                    let who = readers(&all);
                    let verb = if who.starts_with("services") {
                        "read"
                    } else {
                        "reads"
                    };
                    format!("{who} {verb} {path}, {why}")
                }));
            }
        }
    }
    out
}

/// "service `web`", "services `web` and `worker`", with other compose files named.
fn readers(uses: &[&Use]) -> String {
    let mut names: Vec<String> = Vec::new();
    let first_file = uses.first().map(|u| u.file).unwrap_or_default();
    for u in uses {
        let n = if u.file == first_file {
            format!("`{}`", u.service)
        } else {
            format!("`{}` ({})", u.service, u.file)
        };
        if !names.contains(&n) {
            names.push(n);
        }
    }
    match names.len() {
        0 => String::new(),
        1 => format!("service {}", names[0]),
        n => format!(
            "services {} and {}",
            names[..n - 1].join(", "),
            names[n - 1]
        ),
    }
}

/// Names of the secrets an env file gives a literal value (not empty, not `${...}`, not a
/// placeholder such as `changeme` or `<your key>`).
fn secret_values(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim().trim_matches(['"', '\'']));
        let lower = v.to_ascii_lowercase();
        let placeholder = v.is_empty()
            || v.starts_with('$')
            || v.starts_with('<')
            || [
                "change",
                "replace",
                "your",
                "example",
                "todo",
                "xxx",
                "placeholder",
            ]
            .iter()
            .any(|p| lower.contains(p));
        if is_secret_name(k) && !placeholder && !out.contains(&k.to_string()) {
            out.push(k.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_values() {
        assert_eq!(
            super::secret_values("# c\nDEBUG=0\nexport SECRET_KEY='abc'\nPOSTGRES_PASSWORD=\nAPI_TOKEN=${T}\nDB_PASSWORD=changeme\nREDIS_PASSWORD=<set me>\nDATABASE_URL=postgres://u:p@db/x\n"),
            vec!["SECRET_KEY", "DATABASE_URL"]
        );
    }
}

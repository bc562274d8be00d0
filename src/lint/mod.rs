//! `djship lint`: rules over a project's Dockerfiles and .dockerignore (more file kinds to
//! come: compose files and settings). One rule a file in `rules/`, each documented in code:
//! what it finds, why it is bad, and the fix.

pub mod dockerfile;
pub mod rules;

use dockerfile::Dockerfile;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A rule: stable code and name, severity, one-line summary, documentation, and a pure check.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// What it does, why it is bad, an example and the fix (markdown).
    pub doc: &'static str,
    pub check: fn(&Context) -> Vec<Hit>,
}

/// Where a rule fired: a file of the context and a 1-based line.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub file: String,
    pub line: u32,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// Everything the rules read: parsed Dockerfiles, the .dockerignore and compose files.
#[derive(Default)]
pub struct Context {
    pub dockerfiles: Vec<(String, Dockerfile)>,
    /// .dockerignore patterns, when the file exists.
    pub dockerignore: Option<Vec<String>>,
    /// Compose files (compose*.yaml, docker-compose*.yml) as text.
    pub compose: Vec<(String, String)>,
}

impl Context {
    /// Read a project folder: Dockerfile, Dockerfile.*, *.Dockerfile, and .dockerignore.
    pub fn load(root: &Path) -> std::io::Result<Context> {
        let mut dockerfiles = Vec::new();
        let mut names: Vec<String> = std::fs::read_dir(root)?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                n == "Dockerfile" || n.starts_with("Dockerfile.") || n.ends_with(".Dockerfile")
            })
            .collect();
        names.sort();
        for n in names {
            let text = String::from_utf8_lossy(&std::fs::read(root.join(&n))?).into_owned();
            dockerfiles.push((n, dockerfile::parse(&text)));
        }
        let dockerignore = std::fs::read_to_string(root.join(".dockerignore"))
            .ok()
            .map(|t| {
                t.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(String::from)
                    .collect()
            });
        let mut compose: Vec<(String, String)> = std::fs::read_dir(root)?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                (n.starts_with("compose") || n.starts_with("docker-compose"))
                    && (n.ends_with(".yaml") || n.ends_with(".yml"))
            })
            .filter_map(|n| std::fs::read_to_string(root.join(&n)).ok().map(|t| (n, t)))
            .collect();
        compose.sort();
        Ok(Context {
            dockerfiles,
            dockerignore,
            compose,
        })
    }

    /// Does .dockerignore exclude this path (simple patterns: exact, `*` suffix or prefix)?
    pub fn ignored(&self, path: &str) -> bool {
        let Some(pats) = &self.dockerignore else {
            return false;
        };
        let mut ignored = false;
        for p in pats {
            let (neg, p) = match p.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, p.as_str()),
            };
            let p = p.trim_start_matches("/").trim_end_matches('/');
            let m = p == path
                || p.strip_suffix('*').is_some_and(|pre| path.starts_with(pre))
                || p.strip_prefix('*').is_some_and(|suf| path.ends_with(suf))
                || p.strip_prefix("**/").is_some_and(|suf| path == suf);
            if m {
                ignored = !neg;
            }
        }
        ignored
    }
}

/// Run every rule; findings sorted by file and line.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let mut out: Vec<Finding> = rules::ALL
        .iter()
        .flat_map(|r| {
            (r.check)(ctx).into_iter().map(move |h| Finding {
                code: r.code,
                name: r.name,
                severity: r.severity,
                file: h.file,
                line: h.line,
                message: h.message,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.file, a.line, a.code).cmp(&(&b.file, b.line, b.code)));
    out
}

/// The rules' reference page (docs/lint-rules.md is generated from this).
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "# djship lint rules\n\nGenerated from the rules' code (`src/lint/rules/`); `djship rule ID` shows one.\n\n| code | name | severity | finds |\n|---|---|---|---|\n",
    );
    for r in rules::ALL {
        s.push_str(&format!(
            "| {} | {} | {:?} | {} |\n",
            r.code, r.name, r.severity, r.summary
        ));
    }
    for r in rules::ALL {
        s.push_str(&format!(
            "\n## {} {}\n\nSeverity: {:?}. {}.\n\n{}\n",
            r.code,
            r.name,
            r.severity,
            capitalise(r.summary),
            r.doc
        ));
    }
    s
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Human output: `file:line: CODE severity: message`, then the line with a marker.
pub fn human(root: &Path, findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        let sev = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        s.push_str(&format!(
            "{}:{}: {} {sev}: {} [{}]\n",
            f.file, f.line, f.code, f.message, f.name
        ));
        if let Some(text) = std::fs::read_to_string(root.join(&f.file))
            .ok()
            .and_then(|t| t.lines().nth(f.line as usize - 1).map(String::from))
        {
            let width = text.trim_end().len().max(1);
            s.push_str(&format!(
                "  {:>4} | {}\n       | {}\n",
                f.line,
                text.trim_end(),
                "^".repeat(width)
            ));
        }
    }
    s
}

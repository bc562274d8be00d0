//! `djship lint`: rules over a project's Dockerfiles, compose files, .dockerignore and
//! Django settings, with findings that cross files.
//!
//! One rule a file in `rules/`, each documented in code (what it finds, why it is bad,
//! an example and the fix); docs/lint-rules.md is generated from them. The flow:
//! [`Context::load`] reads and parses every file once → each rule's pure `check` →
//! [`run`] drops what is not selected or is suppressed inline → [`output`] formats and
//! [`fix`] applies the safe mechanical fixes.

pub mod compose;
mod context;
mod finding;
pub mod fix;
pub mod git;
mod glob;
mod kind;
pub mod output;
pub mod projects;
pub mod rules;
pub mod session;
pub mod source;
pub mod start;
mod suppress;

pub use crate::severity::Severity;
pub use context::Context;
pub use finding::{Edit, Finding, Fix, Hit, Rule};
pub use glob::glob_match;
pub use kind::{is_compose, is_dockerfile, FileKind};

/// Which rules run: `select` (all when empty) minus `ignore`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    pub fn enabled(&self, r: &Rule) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| r.matches(s)))
            && !self.ignore.iter().any(|s| r.matches(s))
    }
    /// Codes or names that match no rule.
    pub fn unknown(&self) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|s| !rules::ALL.iter().any(|r| r.matches(s)))
            .cloned()
            .collect()
    }
}

/// Run the selected rules; drop inline-suppressed findings; sort by file and position.
pub fn run_selected(ctx: &Context, sel: &Selection) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for r in rules::ALL.iter().filter(|r| sel.enabled(r)) {
        for h in (r.check)(ctx) {
            let src = ctx.src(&h.file);
            let start = src.position(h.range.start);
            if suppress::suppressed(
                src,
                r,
                start.line,
                ctx.dockerfiles.iter().any(|(p, _)| *p == h.file),
            ) {
                continue;
            }
            let end = src.position(h.range.end.max(h.range.start));
            out.push(Finding {
                code: r.code,
                name: r.name,
                severity: r.severity,
                file: h.file,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                message: h.message,
                help: h.help,
                fix: h.fix.as_ref().map(|f| f.title.clone()),
                range: h.range,
                edits: h.fix.map(|f| f.edits).unwrap_or_default(),
            });
        }
    }
    out.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code).cmp(&(&b.file, b.line, b.column, b.code))
    });
    out.dedup_by(|a, b| {
        a.file == b.file && a.line == b.line && a.code == b.code && a.message == b.message
    });
    out
}

/// Every rule, with the project's configuration.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let sel = Selection {
        select: ctx.config.select.clone().unwrap_or_default(),
        ignore: ctx.config.ignore.clone(),
    };
    run_selected(ctx, &sel)
}

/// The rules' reference page (docs/lint-rules.md is generated from this).
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "# djship lint rules\n\nGenerated from the rules' code (`src/lint/rules/`); `djship rule ID` shows one.\n\
         Codes `DL…` are hadolint's, for the rules that are the same (`# hadolint ignore=` applies to them);\n\
         a BuildKit name means `# check=skip=` applies. `fix` marks rules that `djship lint --fix` fixes.\n\n\
         Files have a role from their name, else from their nearest folder that says one: production\n\
         (`prod`, `prd`, `release`, `deploy`, `stack`, `swarm`, `live`), development (`dev`, `local`,\n\
         `override`, `test`, `ci`), or default (`Dockerfile`, `compose.yaml`). A compose file whose name\n\
         says nothing is development when its content is: a service runs `manage.py runserver` (in its\n\
         command or a script it starts), bind-mounts the source (`.:/app`, `./src:/code`, a folder of\n\
         Python code inside the image's code folder), builds a development target (`dev`, `development`,\n\
         `develop`, `local`, `debug`, `test`) or a development Dockerfile, sets DJANGO_SETTINGS_MODULE to\n\
         development settings (`*.dev`, `*.local`, `*.development`, `*.debug`, `settings_dev`), or has a\n\
         `develop:` (watch) section. A name that says production wins over content: there, those are the\n\
         mistakes DJL001 and DJL028 exist to catch. Rules about what runs in production skip development\n\
         files (`Dockerfile.dev`, `compose/local/django/Dockerfile`, `compose.override.yaml`); the\n\
         production-only compose rules read production files only, and the rules for files \"not for\n\
         development only\" say, on a default file, why it was read as production.\n\n\
         | code | name | severity | fix | finds |\n|---|---|---|---|---|\n",
    );
    for r in rules::ALL {
        s.push_str(&format!(
            "| {} | {}{} | {} | {} | {} |\n",
            r.code,
            r.name,
            r.buildkit.map(|b| format!(" ({b})")).unwrap_or_default(),
            r.severity,
            if r.fixable { "yes" } else { "" },
            r.summary
        ));
    }
    for r in rules::ALL {
        s.push_str(&format!(
            "\n## {} {}\n\nSeverity: {}.{}{} {}.\n\n{}\n",
            r.code,
            r.name,
            r.severity,
            r.buildkit
                .map(|b| format!(" BuildKit check: `{b}`."))
                .unwrap_or_default(),
            if r.fixable {
                " Fixable with `--fix`."
            } else {
                ""
            },
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

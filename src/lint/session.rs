//! One `djship lint` run over projects: which project each path belongs to, how a file
//! named on the command line is read, the selection and threshold of each project, and the
//! fixes. The command (src/cli/lint.rs) prints and writes what this returns.

use super::{fix, Context, FileKind, Finding, Selection, Severity};
use crate::lint;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The folder whose project a file belongs to: the nearest ancestor with manage.py,
/// pyproject.toml or .git, else the file's own folder.
pub fn project_of(file: &Path) -> PathBuf {
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let mut d = Some(dir.as_path());
    while let Some(p) = d {
        if ["manage.py", "pyproject.toml", ".git"]
            .iter()
            .any(|m| p.join(m).exists())
        {
            return p.to_path_buf();
        }
        d = p.parent().filter(|p| !p.as_os_str().is_empty());
    }
    dir
}

/// A path relative to its project root, with `/` separators.
pub fn relative(p: &Path, root: &Path) -> String {
    let rel = p
        .strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/");
    rel.trim_start_matches("./").to_string()
}

/// What the command asks of every project.
pub struct Request<'a> {
    /// Rules named by --select (replace the config's `select`).
    pub select: &'a [String],
    /// Rules named by --ignore (added to the config's `ignore`).
    pub ignore: &'a [String],
    /// --fail-on, which overrides every project's `fail-on`.
    pub fail_on: Option<Severity>,
    /// Apply the safe fixes in memory (and lint the fixed text again).
    pub fix: bool,
    /// Standard input: (path relative to its project, text), which replaces that file.
    pub stdin: Option<&'a (String, String)>,
}

/// One project linted.
pub struct Linted {
    pub root: PathBuf,
    /// Only these files' findings (relative paths), when files were named.
    pub only: Option<BTreeSet<String>>,
    pub ctx: Context,
    pub findings: Vec<Finding>,
    /// The lowest severity that fails this project: --fail-on, else its own config's
    /// `fail-on`, else warning.
    pub fail_on: Severity,
    /// The texts read, and those the fixes changed (with `fix`).
    pub originals: BTreeMap<String, String>,
    pub changed: BTreeMap<String, String>,
}

/// Lint the project at `root` (only the files `only` names, when given). Notes and warnings
/// go to `say` as they come; an error is a usage error, with the file it is about.
pub fn lint_project(
    root: PathBuf,
    only: Option<BTreeSet<String>>,
    req: &Request,
    say: &mut dyn FnMut(String),
) -> Result<Linted, String> {
    let loaded = if req.stdin.is_some() && !root.is_dir() {
        Ok(Context::empty(&root))
    } else {
        Context::load(&root)
    };
    let mut ctx = match loaded {
        Ok(c) => c,
        Err(e) => return Err(format!("{}: cannot read the folder: {e}", root.display())),
    };
    // Files named on the command line are linted whatever their name, or refused.
    if let Some(named) = &only {
        for rel in named {
            let text = match req.stdin {
                Some((s, text)) if s == rel => text.clone(),
                _ => match std::fs::read(root.join(rel)) {
                    Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                    Err(e) => return Err(format!("{}: {e}", root.join(rel).display())),
                },
            };
            match named_file(&ctx, rel, &text) {
                    Named::Loaded => {}
                    Named::Read(kind) => ctx.add_as(rel, &text, kind),
                    Named::Note(note) => say(format!("note: {}: {note}", root.join(rel).display())),
                    Named::Unknown => {
                        return Err(format!(
                            "{}: djship cannot tell what kind of file this is. Its name is not a \
                             Dockerfile's (Dockerfile, Dockerfile.*, Dockerfile-*, *.Dockerfile, \
                             Containerfile), a compose file's (compose*.yaml, docker-compose*.yml) \
                             or .dockerignore, and its text neither starts with FROM, ARG or a \
                             `# syntax=` line nor is YAML with a top-level `services:` key. \
                             Rename it after its kind (`Dockerfile.<name>`, `compose.<name>.yaml`), \
                             or pass its project folder to lint the files djship knows there.",
                            root.join(rel).display()
                        ))
                    }
                }
        }
    }
    // The text on standard input replaces the file on disk.
    if let Some((rel, text)) = req.stdin {
        if only.as_ref().is_some_and(|o| o.contains(rel)) {
            ctx.update(rel, text);
        }
    }
    for w in &ctx.warnings {
        say(format!("{}: {w}", root.display()));
    }
    for n in &ctx.notes {
        say(format!("note: {}: {n}", root.display()));
    }
    let cfg_unknown = Selection {
        select: ctx.config.select.clone().unwrap_or_default(),
        ignore: ctx.config.ignore.clone(),
    }
    .unknown();
    for u in cfg_unknown {
        say(format!(
            "warning: {}: [tool.djship.lint] names `{u}`, which matches no rule (skipped)",
            root.display()
        ));
    }
    let sel = Selection {
        select: if req.select.is_empty() {
            ctx.config.select.clone().unwrap_or_default()
        } else {
            req.select.to_vec()
        },
        ignore: ctx
            .config
            .ignore
            .iter()
            .chain(req.ignore)
            .cloned()
            .collect(),
    };
    let fail_on = req
        .fail_on
        .or(ctx.config.fail_on)
        .unwrap_or(Severity::Warning);
    let keep = |f: &Finding| only.as_ref().is_none_or(|o| o.contains(&f.file));
    let mut findings: Vec<Finding> = lint::run_selected(&ctx, &sel)
        .into_iter()
        .filter(keep)
        .collect();
    let originals: BTreeMap<String, String> = ctx
        .sources
        .iter()
        .map(|(k, v)| (k.clone(), v.text.clone()))
        .collect();
    let mut changed = BTreeMap::new();
    if req.fix {
        let mut current = originals.clone();
        // Fix, re-lint the new text, repeat until nothing changes.
        for _ in 0..5 {
            let edits = fix::apply(&current, &findings);
            if edits.is_empty() {
                break;
            }
            for (file, text) in edits {
                ctx.update(&file, &text);
                current.insert(file, text);
            }
            findings = lint::run_selected(&ctx, &sel)
                .into_iter()
                .filter(keep)
                .collect();
        }
        changed = current
            .into_iter()
            .filter(|(k, v)| originals.get(k) != Some(v))
            .collect();
    }
    Ok(Linted {
        root,
        only,
        ctx,
        findings,
        fail_on,
        originals,
        changed,
    })
}

/// What `djship lint FILE` does with a file named on the command line.
#[derive(Debug, PartialEq)]
pub enum Named {
    /// The project's context read it already, as its name says.
    Loaded,
    /// Read it as this kind (its name, or its text when the name says nothing).
    Read(FileKind),
    /// A kind djship knows but does not lint on its own: say so, lint nothing.
    Note(String),
    /// djship cannot tell its kind.
    Unknown,
}

pub fn named_file(ctx: &Context, rel: &str, text: &str) -> Named {
    let loaded = ctx.dockerfiles.iter().any(|(p, _)| p == rel)
        || ctx.compose.iter().any(|(p, _)| p == rel)
        || ctx.scripts.iter().any(|p| p == rel)
        || rel == ".dockerignore" && ctx.dockerignore.is_some();
    if loaded {
        return Named::Loaded;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    match FileKind::of(rel) {
        FileKind::Other => {}
        // Found by name but skipped by the walk (too deep, in an ignored folder).
        kind => return Named::Read(kind),
    }
    if name.ends_with(".sh") {
        return Named::Read(FileKind::Script);
    }
    if name.ends_with(".dockerignore") {
        return Named::Note(
            "djship reads the .dockerignore at the project root only (the build context's); this one is not checked".into(),
        );
    }
    if name.ends_with(".py") {
        if ctx.sources.contains_key(rel) {
            return Named::Loaded;
        }
        let read: Vec<&str> = ctx
            .facts
            .iter()
            .flat_map(|f| f.settings_files.iter().map(String::as_str))
            .collect();
        return Named::Note(if read.is_empty() {
            "no Django settings were read in this project, so there is nothing to check in this file".into()
        } else {
            format!(
                "not one of the settings modules djship read for production ({}); nothing to check in it",
                read.join(", ")
            )
        });
    }
    let lower = name.to_ascii_lowercase();
    match FileKind::from_text(rel, text) {
        Some(kind) => Named::Read(kind),
        // `Dockerfile.j2`, `Dockerfile.md`: named after a Dockerfile, but not one.
        None if lower.contains("dockerfile") || lower.contains("containerfile") => Named::Note(
            "named after a Dockerfile, but its extension says template or document and its text does not start like a Dockerfile (FROM, ARG or `# syntax=`): not linted".into(),
        ),
        None => Named::Unknown,
    }
}

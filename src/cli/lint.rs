//! `djship lint` and `djship rule`: options, paths, fixes and output.

use crate::lint::{self, fix, output, rules, Context, FileKind, Finding, Selection, Severity};
use clap::Args;
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    Checkstyle,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Project folders, or single files (their project is read for context; only their
    /// findings are shown). A folder's Dockerfiles are found by name (`Dockerfile`,
    /// `Dockerfile.*`, `Dockerfile-*`, `Dockerfile_*`, `*.Dockerfile`, `Containerfile`); a
    /// file named here is read as its name says, else as its text says (FROM, ARG or
    /// `# syntax=` first: a Dockerfile; top-level `services:`: a compose file), else
    /// refused. Default: the current folder.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Run only these rules: codes, code prefixes (`DJL`, `DL30`) or names, comma separated.
    /// Replaces `select` of [tool.djship.lint].
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules (added to `ignore` of [tool.djship.lint]).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// The lowest severity that makes the exit code 1 (default: warning, or `fail-on` of
    /// [tool.djship.lint]).
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,
    /// Apply the safe fixes, then report what is left.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Show the fixes as a diff and change nothing (exit 1 when there is something to fix).
    #[arg(long)]
    pub diff: bool,
    /// With PATH `-`: the file the text on standard input is (its name decides how it is
    /// read; its project gives context). With --fix, the fixed text goes to standard output.
    #[arg(long, default_value = "Dockerfile")]
    pub stdin_filename: PathBuf,
}

/// The folder whose project a file belongs to: the nearest ancestor with manage.py,
/// pyproject.toml or .git, else the file's own folder.
fn project_of(file: &Path) -> PathBuf {
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

fn usage_error(msg: String) -> i32 {
    eprintln!("error: {msg}");
    2
}

struct Project {
    root: PathBuf,
    /// Only these files' findings (relative paths), when files were named.
    only: Option<BTreeSet<String>>,
    ctx: Context,
    findings: Vec<Finding>,
    /// The lowest severity that fails this project: --fail-on, else its own config's
    /// `fail-on`, else warning.
    fail_on: Severity,
}

/// A path relative to its project root, with `/` separators.
fn relative(p: &Path, root: &Path) -> String {
    let rel = p
        .strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/");
    rel.trim_start_matches("./").to_string()
}

pub fn run(args: &LintArgs) -> i32 {
    // Group the paths by project.
    let mut projects: BTreeMap<PathBuf, Option<BTreeSet<String>>> = BTreeMap::new();
    // `-`: (relative name, text) read from standard input.
    let mut stdin: Option<(String, String)> = None;
    for p in &args.paths {
        if p.as_os_str() == "-" {
            let mut text = String::new();
            if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
                return usage_error(format!("standard input: {e}"));
            }
            let root = project_of(&args.stdin_filename);
            let rel = relative(&args.stdin_filename, &root);
            if let Some(set) = projects
                .entry(root)
                .or_insert_with(|| Some(BTreeSet::new()))
            {
                set.insert(rel.clone());
            }
            stdin = Some((rel, text));
            continue;
        }
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                return usage_error(format!(
                    "{}: {e}; pass a project folder or a Dockerfile, compose file or .dockerignore",
                    p.display()
                ))
            }
        };
        if meta.is_dir() {
            projects.insert(p.clone(), None);
        } else {
            let root = project_of(p);
            let rel = relative(p, &root);
            // A folder already named is linted whole anyway.
            if let Some(set) = projects
                .entry(root)
                .or_insert_with(|| Some(BTreeSet::new()))
            {
                set.insert(rel);
            }
        }
    }
    let unknown = Selection {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    }
    .unknown();
    if !unknown.is_empty() {
        return usage_error(format!(
            "no lint rule matches {}; `djship rule` lists the codes and names",
            unknown.join(", ")
        ));
    }

    let mut done: Vec<Project> = Vec::new();
    let mut diff_text = String::new();
    let from_stdin = stdin.is_some();
    for (root, only) in projects {
        let loaded = if from_stdin && !root.is_dir() {
            Ok(Context::empty(&root))
        } else {
            Context::load(&root)
        };
        let mut ctx = match loaded {
            Ok(c) => c,
            Err(e) => {
                return usage_error(format!("{}: cannot read the folder: {e}", root.display()))
            }
        };
        // Files named on the command line are linted whatever their name, or refused.
        if let Some(named) = &only {
            for rel in named {
                let text = match &stdin {
                    Some((s, text)) if s == rel => text.clone(),
                    _ => match std::fs::read(root.join(rel)) {
                        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                        Err(e) => return usage_error(format!("{}: {e}", root.join(rel).display())),
                    },
                };
                match named_file(&ctx, rel, &text) {
                    Named::Loaded => {}
                    Named::Read(kind) => ctx.add_as(rel, &text, kind),
                    Named::Note(note) => eprintln!("note: {}: {note}", root.join(rel).display()),
                    Named::Unknown => {
                        return usage_error(format!(
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
        if let Some((rel, text)) = &stdin {
            if only.as_ref().is_some_and(|o| o.contains(rel)) {
                ctx.update(rel, text);
            }
        }
        for w in &ctx.warnings {
            eprintln!("{}: {w}", root.display());
        }
        for n in &ctx.notes {
            eprintln!("note: {}: {n}", root.display());
        }
        let cfg_unknown = Selection {
            select: ctx.config.select.clone().unwrap_or_default(),
            ignore: ctx.config.ignore.clone(),
        }
        .unknown();
        for u in cfg_unknown {
            eprintln!(
                "warning: {}: [tool.djship.lint] names `{u}`, which matches no rule (skipped)",
                root.display()
            );
        }
        let sel = Selection {
            select: if args.select.is_empty() {
                ctx.config.select.clone().unwrap_or_default()
            } else {
                args.select.clone()
            },
            ignore: ctx
                .config
                .ignore
                .iter()
                .chain(&args.ignore)
                .cloned()
                .collect(),
        };
        let fail_on = args
            .fail_on
            .or(ctx.config.fail_on)
            .unwrap_or(Severity::Warning);
        let keep = |f: &Finding| only.as_ref().is_none_or(|o| o.contains(&f.file));
        let mut findings: Vec<Finding> = lint::run_selected(&ctx, &sel)
            .into_iter()
            .filter(keep)
            .collect();
        if args.fix || args.diff {
            let originals: BTreeMap<String, String> = ctx
                .sources
                .iter()
                .map(|(k, v)| (k.clone(), v.text.clone()))
                .collect();
            let mut current = originals.clone();
            // Fix, re-lint the new text, repeat until nothing changes.
            for _ in 0..5 {
                let changed = fix::apply(&current, &findings);
                if changed.is_empty() {
                    break;
                }
                for (file, text) in changed {
                    ctx.update(&file, &text);
                    current.insert(file, text);
                }
                findings = lint::run_selected(&ctx, &sel)
                    .into_iter()
                    .filter(keep)
                    .collect();
            }
            let changed: BTreeMap<String, String> = current
                .into_iter()
                .filter(|(k, v)| originals.get(k) != Some(v))
                .collect();
            if args.diff {
                diff_text.push_str(&fix::diff(&originals, &changed));
            } else if let Some((rel, text)) = &stdin {
                // Fixed text to standard output; nothing is written.
                print!("{}", changed.get(rel).unwrap_or(text));
                return i32::from(findings.iter().any(|f| f.severity >= fail_on));
            } else {
                for (file, text) in &changed {
                    let path = root.join(file);
                    let mode = crate::write::existing_mode(&path);
                    if let Err(e) = crate::write::write_atomic(&path, text.as_bytes(), mode) {
                        return usage_error(e.to_string());
                    }
                    eprintln!("fixed {}", path.display());
                }
            }
        }
        done.push(Project {
            root,
            only,
            ctx,
            findings,
            fail_on,
        });
    }
    if args.diff {
        print!("{diff_text}");
        return i32::from(!diff_text.is_empty());
    }

    // Paths as the user named them: prefixed with the project folder unless it is ".".
    let shown = |root: &Path, file: &str| -> String {
        if root == Path::new(".") || root.as_os_str().is_empty() {
            file.to_string()
        } else {
            format!(
                "{}/{file}",
                root.display().to_string().trim_end_matches('/')
            )
        }
    };
    let mut all: Vec<Finding> = Vec::new();
    let mut files = 0;
    let mut human = String::new();
    let styled = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for p in &done {
        files += match &p.only {
            Some(o) => o.len(),
            None => p.ctx.sources.len(),
        };
        if args.format == Format::Human {
            let mut fs = p.findings.clone();
            for f in &mut fs {
                f.file = shown(&p.root, &f.file);
            }
            // The frames read the text by the relative path.
            let rel: Vec<Finding> = p.findings.clone();
            let text = output::human(&p.ctx, &rel, styled);
            human.push_str(&prefix_origins(&text, &p.findings, &fs));
        }
        all.extend(p.findings.iter().cloned().map(|mut f| {
            f.file = shown(&p.root, &f.file);
            f
        }));
    }
    let text = match args.format {
        Format::Human => {
            human.push_str(&output::summary(&all, files));
            human.push('\n');
            human
        }
        Format::Json => output::json(&all) + "\n",
        Format::Sarif => {
            // Snippets: the finding's line, read through its project's context.
            let text = |shown_file: &str, line: u32| {
                done.iter().find_map(|p| {
                    p.findings
                        .iter()
                        .find(|f| shown(&p.root, &f.file) == shown_file)
                        .map(|f| p.ctx.src(&f.file).line_text(line).to_string())
                })
            };
            output::sarif(&all, &text) + "\n"
        }
        Format::Github => output::github(&all),
        Format::Checkstyle => output::checkstyle(&all),
    };
    print!("{text}");
    // Each project is judged by its own threshold.
    i32::from(
        done.iter()
            .any(|p| p.findings.iter().any(|f| f.severity >= p.fail_on)),
    )
}

/// What `djship lint FILE` does with a file named on the command line.
#[derive(Debug, PartialEq)]
enum Named {
    /// The project's context read it already, as its name says.
    Loaded,
    /// Read it as this kind (its name, or its text when the name says nothing).
    Read(FileKind),
    /// A kind djship knows but does not lint on its own: say so, lint nothing.
    Note(String),
    /// djship cannot tell its kind.
    Unknown,
}

fn named_file(ctx: &Context, rel: &str, text: &str) -> Named {
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

/// Rewrite `--> file:` origins of code frames to the shown paths.
fn prefix_origins(text: &str, rel: &[Finding], shown: &[Finding]) -> String {
    let mut t = text.to_string();
    let pairs: BTreeSet<(&str, &str)> = rel
        .iter()
        .zip(shown)
        .filter(|(a, b)| a.file != b.file)
        .map(|(a, b)| (a.file.as_str(), b.file.as_str()))
        .collect();
    for (a, b) in pairs {
        t = t.replace(&format!("--> {a}:"), &format!("--> {b}:"));
        t = t.replace(&format!("--> {a}\n"), &format!("--> {b}\n"));
    }
    t
}

pub fn rule(id: Option<&str>) -> crate::error::Result<i32> {
    let Some(id) = id else {
        for r in rules::ALL {
            println!(
                "{:<7} {:<8} {:<36} {}",
                r.code,
                r.severity.as_str(),
                r.name,
                r.summary
            );
        }
        return Ok(0);
    };
    match rules::find(id) {
        Some(r) => {
            println!(
                "{} {} ({}{}{})\n\n{}\n\n{}",
                r.code,
                r.name,
                r.severity,
                r.buildkit
                    .map(|b| format!(", BuildKit {b}"))
                    .unwrap_or_default(),
                if r.fixable { ", fixable" } else { "" },
                r.summary,
                r.doc
            );
            Ok(0)
        }
        None => Err(crate::error::Error::Invalid {
            path: id.into(),
            message: "no such lint rule".into(),
            hint: "`djship rule` lists the rules".into(),
        }),
    }
}

//! `djship lint` and `djship rule`: options, paths, fixes and output.

use crate::lint::session::{self, project_of, relative};
use crate::lint::{fix, output, Finding, Selection, Severity};
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

fn usage_error(msg: String) -> i32 {
    eprintln!("error: {msg}");
    2
}

pub fn run(args: &LintArgs) -> i32 {
    let (projects, stdin) = match projects(args) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
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

    let mut done: Vec<session::Linted> = Vec::new();
    let mut diff_text = String::new();
    let req = session::Request {
        select: &args.select,
        ignore: &args.ignore,
        fail_on: args.fail_on,
        fix: args.fix || args.diff,
        stdin: stdin.as_ref(),
    };
    for (root, only) in projects {
        let p = match session::lint_project(root, only, &req, &mut |m| eprintln!("{m}")) {
            Ok(p) => p,
            Err(e) => return usage_error(e),
        };
        if args.diff {
            diff_text.push_str(&fix::diff(&p.originals, &p.changed));
        } else if args.fix {
            if let Some((rel, text)) = &stdin {
                // Fixed text to standard output; nothing is written.
                print!("{}", p.changed.get(rel).unwrap_or(text));
                return i32::from(p.findings.iter().any(|f| f.severity >= p.fail_on));
            }
            for (file, text) in &p.changed {
                let path = p.root.join(file);
                let mode = crate::write::existing_mode(&path);
                if let Err(e) = crate::write::write_atomic(&path, text.as_bytes(), mode) {
                    return usage_error(e.to_string());
                }
                eprintln!("fixed {}", path.display());
            }
        }
        done.push(p);
    }
    if args.diff {
        print!("{diff_text}");
        return i32::from(!diff_text.is_empty());
    }

    let text = report(args.format, &done);
    print!("{text}");
    // Each project is judged by its own threshold.
    i32::from(
        done.iter()
            .any(|p| p.findings.iter().any(|f| f.severity >= p.fail_on)),
    )
}

/// The projects the paths belong to, each with the files named in it (`None`: the whole
/// project), and the file read from standard input (`-`) with its name.
#[allow(clippy::type_complexity)]
fn projects(
    args: &LintArgs,
) -> Result<
    (
        BTreeMap<PathBuf, Option<BTreeSet<String>>>,
        Option<(String, String)>,
    ),
    String,
> {
    let mut projects: BTreeMap<PathBuf, Option<BTreeSet<String>>> = BTreeMap::new();
    // `-`: (relative name, text) read from standard input.
    let mut stdin: Option<(String, String)> = None;
    for p in &args.paths {
        if p.as_os_str() == "-" {
            let mut text = String::new();
            if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
                return Err(format!("standard input: {e}"));
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
                return Err(format!(
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
    Ok((projects, stdin))
}

/// Every project's findings in the format asked for, with paths as the user named them.
fn report(format: Format, done: &[session::Linted]) -> String {
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
    for p in done {
        files += match &p.only {
            Some(o) => o.len(),
            None => p.ctx.sources.len(),
        };
        if format == Format::Human {
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
    let text = match format {
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
    text
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

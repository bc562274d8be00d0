//! `djship lint`: rules over a project's Dockerfiles, compose files, .dockerignore and
//! Django settings, with findings that cross files.
//!
//! One rule a file in `rules/`, each documented in code (what it finds, why it is bad,
//! an example and the fix); docs/lint-rules.md is generated from them. The flow:
//! [`Context::load`] reads and parses every file once → each rule's pure `check` →
//! [`run`] drops what is not selected or is suppressed inline → [`output`] formats and
//! [`fix`] applies the safe mechanical fixes.

pub mod compose;
pub mod fix;
pub mod git;
pub mod output;
pub mod projects;
pub mod rules;
pub mod session;
pub mod source;
pub mod start;
mod suppress;

use crate::config::{Config, LintConfig};
use crate::detect::evidence::Warning;
use crate::detect::Facts;
use crate::dockerfile::{self, Dockerfile};
pub use crate::severity::Severity;
use compose::ComposeFile;
use serde::Serialize;
use source::Source;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A rule: stable code and name, severity, one-line summary, documentation, and a pure check.
pub struct Rule {
    /// `DJLnnn` for djship's own rules, `DJSnnn` for settings checks, hadolint's `DLnnnn`
    /// where the rule is hadolint's (so `# hadolint ignore=` applies to it).
    pub code: &'static str,
    pub name: &'static str,
    /// BuildKit's check name when the rule is the same (`# check=skip=` applies to it).
    pub buildkit: Option<&'static str>,
    pub severity: Severity,
    pub summary: &'static str,
    /// What it does, why it is bad, an example and the fix (markdown).
    pub doc: &'static str,
    /// Whether `--fix` can fix its findings.
    pub fixable: bool,
    pub check: fn(&Context) -> Vec<Hit>,
}

impl Rule {
    /// Is `id` this rule's code (or a prefix of it), its name or its BuildKit name?
    pub fn matches(&self, id: &str) -> bool {
        let id = id.trim();
        !id.is_empty()
            && (self.code.len() >= id.len() && self.code[..id.len()].eq_ignore_ascii_case(id)
                || self.name.eq_ignore_ascii_case(id)
                || self.buildkit.is_some_and(|b| b.eq_ignore_ascii_case(id))
                || id.eq_ignore_ascii_case("all"))
    }
}

/// One text replacement in one file (byte range; an empty range inserts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub file: String,
    pub range: Range<usize>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, shown to the user.
    pub title: String,
    pub edits: Vec<Edit>,
}

/// Where a rule fired: a file of the context and a byte range in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub file: String,
    pub range: Range<usize>,
    pub message: String,
    /// How to fix it by hand, when the message does not say.
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Hit {
    pub fn new(file: &str, range: Range<usize>, message: impl Into<String>) -> Hit {
        Hit {
            file: file.to_string(),
            range,
            message: message.into(),
            help: None,
            fix: None,
        }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Hit {
        self.help = Some(help.into());
        self
    }
    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<Edit>) -> Hit {
        self.fix = Some(Fix {
            title: title.into(),
            edits,
        });
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub message: String,
    /// How to fix it by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// What `--fix` would do, when the finding has a safe fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(skip)]
    pub range: Range<usize>,
    #[serde(skip)]
    pub edits: Vec<Edit>,
}

/// Everything the rules read, parsed once.
pub struct Context {
    pub root: PathBuf,
    /// Every file read, by path relative to the root.
    pub sources: BTreeMap<String, Source>,
    pub dockerfiles: Vec<(String, Dockerfile)>,
    /// .dockerignore patterns with their 1-based lines, when the file exists.
    pub dockerignore: Option<Vec<(String, u32)>>,
    pub compose: Vec<(String, ComposeFile)>,
    /// Shell scripts (`*.sh`) near the root: entrypoints the Dockerfiles may run.
    pub scripts: Vec<String>,
    /// Scripts the containers run at start, found through the Dockerfiles' COPY, bind
    /// mounts and the scripts that call them (see [`start`]); their text is in `sources`.
    pub entry_scripts: Vec<String>,
    /// The `env_file:`s of the compose files that exist, read into `sources`.
    pub env_files: Vec<String>,
    /// Every file of the project the walk saw (four levels deep), relative to the root.
    pub files: Vec<String>,
    /// What git says about the env files (None when the project is not under git).
    pub git: Option<git::GitFacts>,
    /// The Django project's facts (settings, packages): the only project, or the one the
    /// Dockerfiles build when there are several (see [`projects`]).
    pub facts: Option<Facts>,
    /// Every Django project found (manage.py at the root or up to three folders down).
    pub projects: Vec<Facts>,
    /// What the user should know about how the project was read (several projects).
    pub notes: Vec<String>,
    /// The project's .gitignore (None when the project is not under git).
    pub gitignore: Option<ignore::gitignore::Gitignore>,
    pub config: LintConfig,
    /// Problems met while reading (invalid configuration, unreadable settings).
    pub warnings: Vec<Warning>,
    /// Files read as another kind than their name says (named on the command line and
    /// recognised by their text): kept so that a re-read after a fix parses them the same.
    pub named_kinds: BTreeMap<String, FileKind>,
}

/// What the context does with a file, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Dockerfile,
    Compose,
    /// A shell script near the root (three levels at most): an entrypoint, maybe.
    Script,
    /// The root's .dockerignore.
    DockerIgnore,
    /// Only its text is kept (settings files, a file named on stdin).
    Other,
}

impl FileKind {
    pub fn of(rel: &str) -> FileKind {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if is_dockerfile(name) {
            FileKind::Dockerfile
        } else if is_compose(name) {
            FileKind::Compose
        } else if name.ends_with(".sh") && rel.matches('/').count() <= 2 {
            FileKind::Script
        } else if rel == ".dockerignore" {
            FileKind::DockerIgnore
        } else {
            FileKind::Other
        }
    }
}

/// Dockerfiles by name: `Dockerfile`, `Containerfile`, and those names joined to another
/// word by `.`, `-` or `_` on either side (`Dockerfile.prod`, `Dockerfile-prod`,
/// `Dockerfile_uwsgi`, `prod.Dockerfile`), any case. Not their ignore files, nor templates,
/// documents or code named after them (`Dockerfile.j2`, `Dockerfile.md`, `dockerfile_test.py`).
pub fn is_dockerfile(name: &str) -> bool {
    const NOT: &[&str] = &[
        "dockerignore",
        "containerignore",
        "md",
        "rst",
        "txt",
        "j2",
        "jinja",
        "jinja2",
        "tpl",
        "tmpl",
        "template",
        "erb",
        "in",
        "orig",
        "bak",
        "swp",
        "py",
        "sh",
        "yml",
        "yaml",
        "json",
        "toml",
        "lock",
        "rs",
        "go",
        "js",
        "ts",
    ];
    let lower = name.to_ascii_lowercase();
    if let Some((_, ext)) = lower.rsplit_once('.') {
        if NOT.contains(&ext) {
            return false;
        }
    }
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower
                .strip_prefix(base)
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with(['.', '-', '_']))
            || lower
                .strip_suffix(base)
                .is_some_and(|rest| rest.len() > 1 && rest.ends_with(['.', '-', '_']))
    })
}

impl FileKind {
    /// The kind of a file whose name says nothing, from its text: a Dockerfile starts
    /// (after comments) with a parser directive such as `# syntax=`, or with FROM or ARG;
    /// a compose file is YAML with a top-level `services:` key.
    pub fn from_text(rel: &str, text: &str) -> Option<FileKind> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let mut first = true;
        for l in lines.by_ref() {
            if let Some(c) = l.strip_prefix('#') {
                let directive = c
                    .split_once('=')
                    .map(|(k, _)| k.trim().to_ascii_lowercase());
                if first
                    && directive
                        .as_deref()
                        .is_some_and(|k| matches!(k, "syntax" | "escape" | "check"))
                {
                    return Some(FileKind::Dockerfile);
                }
                first = false;
                continue;
            }
            let word = l.split_whitespace().next().unwrap_or("");
            // `from x import y` is Python.
            if word == "FROM"
                || word == "ARG"
                || (word == "from" || word == "arg") && !l.contains(" import ") && !l.contains('(')
            {
                return Some(FileKind::Dockerfile);
            }
            break;
        }
        let yaml = rel.ends_with(".yml") || rel.ends_with(".yaml");
        if yaml && text.lines().any(|l| l.trim_end() == "services:") {
            return Some(FileKind::Compose);
        }
        None
    }
}

pub fn is_compose(name: &str) -> bool {
    (name.starts_with("compose") || name.starts_with("docker-compose"))
        && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

impl Context {
    /// An empty context for a root (tests add sources with [`Context::add`]).
    pub fn empty(root: &Path) -> Context {
        Context {
            root: root.to_path_buf(),
            sources: BTreeMap::new(),
            dockerfiles: Vec::new(),
            dockerignore: None,
            compose: Vec::new(),
            scripts: Vec::new(),
            entry_scripts: Vec::new(),
            env_files: Vec::new(),
            files: Vec::new(),
            git: None,
            facts: None,
            projects: Vec::new(),
            notes: Vec::new(),
            gitignore: None,
            config: LintConfig::default(),
            warnings: Vec::new(),
            named_kinds: BTreeMap::new(),
        }
    }

    /// Read a project folder: its Dockerfiles, compose files and scripts (three levels
    /// deep, skipping what the project walk skips and what .gitignore ignores), the root's
    /// .dockerignore and .gitignore, the lint configuration, and the Django settings.
    pub fn load(root: &Path) -> std::io::Result<Context> {
        let meta = std::fs::metadata(root)?;
        if !meta.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a folder",
            ));
        }
        let mut ctx = Context::empty(root);
        let mut warnings = Vec::new();
        let config = Config::load(root, &mut warnings);
        ctx.config = config.lint.clone();
        let files: Vec<String> = crate::detect::walk::Walk::new(root)
            .max_depth(4)
            .with_hidden()
            .ignored(crate::detect::walk::Ignored::Skipped)
            .files()
            .filter_map(|e| {
                let rel = e.path().strip_prefix(root).ok()?;
                Some(rel.to_string_lossy().replace('\\', "/"))
            })
            .collect();
        for rel in &files {
            let kind = FileKind::of(rel);
            if kind == FileKind::Other {
                continue;
            }
            let bytes = std::fs::read(root.join(rel))?;
            ctx.add(rel, &String::from_utf8_lossy(&bytes), kind);
        }
        ctx.files = files;
        if root.join(".git").exists() || root.join(".gitignore").exists() {
            let mut b = ignore::gitignore::GitignoreBuilder::new(root);
            b.add(root.join(".gitignore"));
            ctx.gitignore = b.build().ok();
        }
        ctx.projects = projects::read(root, &config, &mut warnings);
        for facts in &ctx.projects {
            for f in &facts.settings_files {
                if let Ok(text) = std::fs::read_to_string(root.join(f)) {
                    ctx.sources.insert(f.clone(), Source::new(f.clone(), text));
                }
            }
            warnings.extend(facts.warnings.iter().cloned());
        }
        let (main, note) = ctx.choose_project();
        ctx.facts = main.map(|k| ctx.projects[k].clone());
        ctx.notes.extend(note);
        ctx.warnings = warnings;
        ctx.refresh();
        Ok(ctx)
    }

    /// What is derived from the files: read the scripts the containers run and the env
    /// files (from disk, when the root is a folder), ask git about the env files, and give
    /// compose files their role from their content.
    pub fn refresh(&mut self) {
        if self.root.is_dir() {
            self.read_referenced();
            let envs = self.env_file_paths();
            for p in &envs {
                if !self.env_files.contains(p) && self.read_extra(p) {
                    self.env_files.push(p.clone());
                }
            }
            let known = self
                .git
                .as_ref()
                .is_some_and(|g| envs.iter().all(|p| g.states.contains_key(p)));
            // Git runs only when there is something to ask it.
            if !known && !envs.is_empty() {
                self.git = git::query(&self.root, &envs);
            }
        }
        self.assign_roles();
    }

    /// Repository paths of every compose `env_file:` (relative to its compose file).
    pub fn env_file_paths(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (file, c) in &self.compose {
            for (_, _, svc) in c.services() {
                for (p, _) in compose::env_file_entries(svc) {
                    if let Some(p) = start::join(start::parent(file), p) {
                        if !p.contains('$') && !out.contains(&p) {
                            out.push(p);
                        }
                    }
                }
            }
        }
        out
    }

    /// Read the scripts the starts name, until they name no new one.
    fn read_referenced(&mut self) {
        let mut tried: std::collections::BTreeSet<String> = Default::default();
        for _ in 0..6 {
            let (files, dirs) = start::wanted(self);
            let mut new = 0;
            for p in files {
                if tried.insert(p.clone()) && self.read_extra(&p) {
                    self.entry_scripts.push(p);
                    new += 1;
                }
            }
            for d in dirs {
                if !tried.insert(format!("{d}/")) {
                    continue;
                }
                for p in self.list_s6(&d) {
                    if tried.insert(p.clone()) && self.read_extra(&p) {
                        self.entry_scripts.push(p);
                        new += 1;
                    }
                }
            }
            if new == 0 {
                break;
            }
        }
        self.entry_scripts.sort();
    }

    /// The scripts of an s6-overlay folder: `<service>/run`, `<service>/up`, and the
    /// files of `cont-init.d`.
    fn list_s6(&self, dir: &str) -> Vec<String> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.root.join(dir)) else {
            return out;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries.into_iter().take(200) {
            let name = e.file_name().to_string_lossy().to_string();
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                for f in ["run", "up"] {
                    out.push(format!("{dir}/{name}/{f}"));
                }
            } else if t.is_file() {
                out.push(format!("{dir}/{name}"));
            }
        }
        out
    }

    /// Read a repository file into `sources` (a regular file inside the root, at most
    /// 512 KiB, not binary). False when it is not read.
    fn read_extra(&mut self, rel: &str) -> bool {
        if self.sources.contains_key(rel) {
            return true;
        }
        let path = self.root.join(rel);
        let (Ok(real), Ok(root)) = (path.canonicalize(), self.root.canonicalize()) else {
            return false;
        };
        let Ok(meta) = std::fs::metadata(&real) else {
            return false;
        };
        if !real.starts_with(&root) || !meta.is_file() || meta.len() > 512 * 1024 {
            return false;
        }
        let Ok(bytes) = std::fs::read(&real) else {
            return false;
        };
        if bytes.iter().take(8192).any(|b| *b == 0) {
            return false;
        }
        self.sources.insert(
            rel.to_string(),
            Source::new(rel, String::from_utf8_lossy(&bytes).into_owned()),
        );
        true
    }

    /// Compose files whose name says nothing become development files when their content
    /// is for development ([`start::dev_evidence`]).
    fn assign_roles(&mut self) {
        let reasons: Vec<Option<String>> = self
            .compose
            .iter()
            .map(|(p, c)| {
                (compose::role(p) == compose::Role::Default)
                    .then(|| start::dev_evidence(self, p, c))
                    .flatten()
            })
            .collect();
        for ((p, c), reason) in self.compose.iter_mut().zip(reasons) {
            c.role = if reason.is_some() {
                compose::Role::Development
            } else {
                compose::role(p)
            };
            c.role_reason = reason;
        }
    }

    /// Add a file, parsed as its kind says.
    pub fn add(&mut self, rel: &str, text: &str, kind: FileKind) {
        let src = Source::new(rel, text);
        match kind {
            FileKind::Dockerfile => self.dockerfiles.push((rel.into(), dockerfile::parse(text))),
            FileKind::Compose => self.compose.push((rel.into(), ComposeFile::parse(&src))),
            FileKind::Script => self.scripts.push(rel.into()),
            FileKind::DockerIgnore => {
                self.dockerignore = Some(
                    text.lines()
                        .enumerate()
                        .map(|(i, l)| (l.trim(), i as u32 + 1))
                        .filter(|(l, _)| !l.is_empty() && !l.starts_with('#'))
                        .map(|(l, n)| (l.to_string(), n))
                        .collect(),
                )
            }
            FileKind::Other => {}
        }
        self.sources.insert(rel.into(), src);
    }

    /// Add a file as `kind` whatever its name says, and remember it for [`Context::update`].
    pub fn add_as(&mut self, rel: &str, text: &str, kind: FileKind) {
        self.named_kinds.insert(rel.to_string(), kind);
        self.update(rel, text);
    }

    /// The kind a file is read as: the one it was added as, else its name's.
    pub fn kind_of(&self, rel: &str) -> FileKind {
        self.named_kinds
            .get(rel)
            .copied()
            .unwrap_or_else(|| FileKind::of(rel))
    }

    /// Replace a file's text (after a fix) and parse it again.
    pub fn update(&mut self, rel: &str, text: &str) {
        self.dockerfiles.retain(|(p, _)| p != rel);
        self.compose.retain(|(p, _)| p != rel);
        self.scripts.retain(|p| p != rel);
        self.add(rel, text, self.kind_of(rel));
        self.dockerfiles.sort_by(|a, b| a.0.cmp(&b.0));
        self.compose.sort_by(|a, b| a.0.cmp(&b.0));
        self.refresh();
    }

    /// The text of a file the context read (empty for one it did not).
    pub fn src(&self, path: &str) -> &Source {
        static EMPTY: std::sync::OnceLock<Source> = std::sync::OnceLock::new();
        self.sources
            .get(path)
            .unwrap_or_else(|| EMPTY.get_or_init(|| Source::new("", "")))
    }

    /// Does .dockerignore exclude this path? Patterns as Docker reads them: `*`, `?`,
    /// `**`, a leading `/` and `!` exceptions, the last match winning.
    pub fn ignored(&self, path: &str) -> bool {
        let Some(pats) = &self.dockerignore else {
            return false;
        };
        let mut ignored = false;
        for (p, _) in pats {
            let (neg, p) = match p.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, p.as_str()),
            };
            let p = p.trim_start_matches('/').trim_end_matches('/');
            let p = p.strip_prefix("./").unwrap_or(p);
            // A pattern also excludes what is under a matched folder.
            let mut prefix = String::new();
            let mut hit = false;
            for part in path.split('/') {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                if glob_match(p, &prefix) {
                    hit = true;
                    break;
                }
            }
            if hit {
                ignored = !neg;
            }
        }
        ignored
    }

    /// Is a path (relative to the root) ignored by git?
    pub fn git_ignored(&self, path: &str) -> Option<bool> {
        let g = self.gitignore.as_ref()?;
        Some(
            g.matched_path_or_any_parents(self.root.join(path), false)
                .is_ignore(),
        )
    }

    /// Text of everything that can run commands: Dockerfile RUN/CMD/ENTRYPOINT, compose
    /// commands and entrypoints, scripts.
    pub fn mentions(&self, needle: &str) -> bool {
        self.dockerfiles.iter().any(|(_, df)| {
            df.instructions.iter().any(|i| {
                i.args.contains(needle) || i.heredocs.iter().any(|h| h.body.contains(needle))
            })
        }) || self.compose.iter().any(|(_, c)| {
            c.services().any(|(_, _, s)| {
                ["command", "entrypoint"]
                    .iter()
                    .any(|k| s.get(k).is_some_and(|n| n.joined().contains(needle)))
            })
        }) || self
            .scripts
            .iter()
            .chain(&self.entry_scripts)
            .any(|p| self.src(p).text.contains(needle))
    }
}

/// Docker's (Go filepath.Match) patterns with `**`, on `/`-separated paths.
///
/// Each (pattern position, path position) is decided once, so a pattern of many stars
/// takes time proportional to the pattern's length times the path's, not exponential
/// (fuzzing found a .dockerignore pattern that made lint hang).
pub fn glob_match(pat: &str, path: &str) -> bool {
    struct M<'a> {
        p: &'a [u8],
        s: &'a [u8],
        memo: Vec<Option<bool>>,
    }
    impl M<'_> {
        fn at(&mut self, pi: usize, si: usize) -> bool {
            let key = pi * (self.s.len() + 1) + si;
            if let Some(v) = self.memo[key] {
                return v;
            }
            let (p, s) = (self.p, self.s);
            let v = match p.get(pi) {
                None => si == s.len(),
                Some(b'*') if p.get(pi + 1) == Some(&b'*') => {
                    let rest = if p.get(pi + 2) == Some(&b'/') {
                        pi + 3
                    } else {
                        pi + 2
                    };
                    (si..=s.len()).any(|i| (i == si || s[i - 1] == b'/') && self.at(rest, i))
                        || self.at(rest, si)
                }
                Some(b'*') => (si..=s.len())
                    .take_while(|&i| i == si || s[i - 1] != b'/')
                    .any(|i| self.at(pi + 1, i)),
                Some(b'?') => si < s.len() && s[si] != b'/' && self.at(pi + 1, si + 1),
                Some(c) => s.get(si) == Some(c) && self.at(pi + 1, si + 1),
            };
            self.memo[key] = Some(v);
            v
        }
    }
    if pat.len() > 256 {
        return false;
    }
    let (p, s) = (pat.as_bytes(), path.as_bytes());
    let mut m = M {
        p,
        s,
        memo: vec![None; (p.len() + 1) * (s.len() + 1)],
    };
    m.at(0, 0)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_patterns_match_as_docker_does() {
        assert!(glob_match("*.pyc", "a.pyc"));
        assert!(!glob_match("*.pyc", "src/a.pyc"));
        assert!(glob_match("**/*.pyc", "src/deep/a.pyc"));
        assert!(glob_match("**/*.pyc", "a.pyc"));
        assert!(glob_match("src/**/b", "src/a/b"));
        assert!(glob_match("?ocker", "docker"));
        assert!(!glob_match("?ocker", "/ocker"));
        assert!(!glob_match("node_modules", "node_modules2"));
    }

    /// The plain recursive matcher (exponential on many stars): the reference on short input.
    fn reference(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = if p.get(2) == Some(&b'/') {
                    &p[3..]
                } else {
                    &p[2..]
                };
                (0..=s.len()).any(|i| (i == 0 || s[i - 1] == b'/') && reference(rest, &s[i..]))
                    || reference(rest, s)
            }
            Some(b'*') => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != b'/')
                .any(|i| reference(&p[1..], &s[i..])),
            Some(b'?') => !s.is_empty() && s[0] != b'/' && reference(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && reference(&p[1..], &s[1..]),
        }
    }

    #[test]
    fn the_memoised_matcher_agrees_with_the_plain_one() {
        // Every pattern and path of up to 5 characters over a small alphabet.
        fn words(alphabet: &[u8], max: usize) -> Vec<Vec<u8>> {
            let mut out = vec![Vec::new()];
            let mut last = vec![Vec::new()];
            for _ in 0..max {
                let next: Vec<Vec<u8>> = last
                    .iter()
                    .flat_map(|w| {
                        alphabet.iter().map(move |c| {
                            let mut w = w.clone();
                            w.push(*c);
                            w
                        })
                    })
                    .collect();
                out.extend(next.iter().cloned());
                last = next;
            }
            out
        }
        let pats = words(b"*?/a", 5);
        let paths = words(b"/ab", 4);
        for p in &pats {
            for s in &paths {
                let (ps, ss) = (
                    std::str::from_utf8(p).unwrap(),
                    std::str::from_utf8(s).unwrap(),
                );
                assert_eq!(glob_match(ps, ss), reference(p, s), "{ps:?} on {ss:?}");
            }
        }
    }

    #[test]
    fn patterns_of_many_stars_end() {
        // Found by fuzzing: each star tried every position again, exponentially.
        let many = format!("{}x", "**".repeat(60));
        assert!(!glob_match(&many, "docker/entrypoint.sh/a/b/c/d/e/f"));
        let stars = format!("{}b", "*a".repeat(40));
        assert!(!glob_match(&stars, &"a".repeat(80)));
        assert!(glob_match(
            &format!("{}a", "*a".repeat(40)),
            &"a".repeat(80)
        ));
    }

    #[test]
    fn dockerfiles_by_name_and_by_text() {
        for yes in [
            "Dockerfile",
            "Dockerfile.prod",
            "Dockerfile-prod",
            "Dockerfile_uwsgi",
            "prod.Dockerfile",
            "web-dockerfile",
            "Containerfile",
            "Containerfile.dev",
            "dockerfile",
        ] {
            assert!(is_dockerfile(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "Dockerfile.j2",
            "Dockerfile.md",
            "dockerfile_test.py",
            "Dockerfiles",
            "my_dockerfile_notes",
            "Dockerfile.",
            "Containerfile.containerignore",
        ] {
            assert!(!is_dockerfile(no), "{no}");
        }
        let df = Some(FileKind::Dockerfile);
        assert_eq!(
            FileKind::from_text("x", "# syntax=docker/dockerfile:1\nFROM a\n"),
            df
        );
        assert_eq!(
            FileKind::from_text("x", "# a comment\n\nARG PY=3.12\nFROM python:${PY}\n"),
            df
        );
        assert_eq!(FileKind::from_text("x", "from python:3.12-slim\n"), df);
        assert_eq!(
            FileKind::from_text("x.py", "from django.conf import settings\n"),
            None
        );
        assert_eq!(FileKind::from_text("x", "#!/bin/sh\nARG=1\n"), None);
        assert_eq!(FileKind::from_text("x", "RUN true\nFROM a\n"), None);
        assert_eq!(
            FileKind::from_text(
                "deploy/stack.yml",
                "x-common: &c {}\nservices:\n  web: {}\n"
            ),
            Some(FileKind::Compose)
        );
        assert_eq!(FileKind::from_text("ci.yml", "jobs:\n  services:\n"), None);
    }

    #[test]
    fn dockerignore_patterns() {
        let mut ctx = Context::empty(Path::new("."));
        ctx.add(
            ".dockerignore",
            "**/__pycache__\n*.sqlite3\n.git/\nvenv*\nnode_modules\n!keep.sqlite3\n",
            FileKind::DockerIgnore,
        );
        assert!(ctx.ignored("app/__pycache__/x.pyc"));
        assert!(ctx.ignored("db.sqlite3"));
        assert!(!ctx.ignored("keep.sqlite3"));
        assert!(ctx.ignored(".git/HEAD"));
        assert!(ctx.ignored("venv3"));
        assert!(!ctx.ignored("app/db.sqlite3"));
        assert!(ctx.ignored("node_modules"));
    }
}

//! Everything the rules read, parsed once: [`Context::load`] reads a project folder.

use super::compose::{self, ComposeFile};
use super::source::Source;
use super::{git, glob_match, projects, start, FileKind};
use crate::config::{Config, LintConfig};
use crate::detect::evidence::Warning;
use crate::detect::Facts;
use crate::dockerfile::{self, Dockerfile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

#[cfg(test)]
mod tests {
    use super::*;

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

//! The one walk of a project's tree, and the one list of folders it skips. Every search of
//! the project (manage.py, settings modules and hints, Dockerfiles, .gitignore files, the
//! frontend's outputs, the files `djship lint` reads) goes through [`Walk`].

use std::path::{Path, PathBuf};

/// Folders that never hold the project's own files: version control data, virtualenvs and
/// installed packages, caches, editor settings. No walk enters them.
pub const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "env",
    ".env",
    "site-packages",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".idea",
    ".vscode",
];

/// Folders of generated output: `build` and `dist` (packaging), collected static files,
/// uploads, and `target` (Rust, Maven). They hold copies, not sources: walks that look for
/// the project's own files skip them, and only the walks that look at what a build wrote
/// (the frontend's outputs) enter them ([`Walk::into_outputs`]).
pub const OUTPUT_DIRS: &[&str] = &["build", "dist", "staticfiles", "media", "target"];

/// Which ignore files a walk honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// None: every file is seen (what the build context holds, or the files a search
    /// must not miss).
    Seen,
    /// `.gitignore`, `.ignore` and git's excludes, only when the project is a git
    /// repository (what a checkout holds).
    SkippedInGit,
    /// `.gitignore`, `.ignore` and git's excludes, with or without git (what the project
    /// means to keep out of version control).
    Skipped,
}

/// A walk of a project's tree, in path order, skipping [`SKIP_DIRS`] and [`OUTPUT_DIRS`].
#[derive(Debug, Clone)]
pub struct Walk {
    root: PathBuf,
    max_depth: Option<usize>,
    hidden: bool,
    ignored: Ignored,
    outputs: bool,
    also_skip: &'static [&'static str],
}

impl Walk {
    /// A walk of every folder below `root`, hidden entries and ignore files left out.
    pub fn new(root: impl AsRef<Path>) -> Walk {
        Walk {
            root: root.as_ref().to_path_buf(),
            max_depth: None,
            hidden: false,
            ignored: Ignored::SkippedInGit,
            outputs: false,
            also_skip: &[],
        }
    }

    /// At most `depth` levels: 1 is the root's own entries.
    pub fn max_depth(mut self, depth: usize) -> Walk {
        self.max_depth = Some(depth);
        self
    }

    /// Enter hidden files and folders (`.env`, `.github/`, `.gitignore`).
    pub fn with_hidden(mut self) -> Walk {
        self.hidden = true;
        self
    }

    pub fn ignored(mut self, ignored: Ignored) -> Walk {
        self.ignored = ignored;
        self
    }

    /// Enter [`OUTPUT_DIRS`] too (walks that look at what a build wrote).
    pub fn into_outputs(mut self) -> Walk {
        self.outputs = true;
        self
    }

    /// Folders this search has no use for besides the shared lists (`migrations`, `tests`
    /// for a search of settings modules).
    pub fn also_skip(mut self, names: &'static [&'static str]) -> Walk {
        self.also_skip = names;
        self
    }

    /// Whether a folder of this name is left out.
    pub fn skips(&self, name: &str) -> bool {
        SKIP_DIRS.contains(&name)
            || !self.outputs && OUTPUT_DIRS.contains(&name)
            || self.also_skip.contains(&name)
    }

    /// Every entry (folders and files, the root first), in path order; entries that
    /// cannot be read are left out.
    pub fn entries(&self) -> impl Iterator<Item = ignore::DirEntry> {
        let mut b = ignore::WalkBuilder::new(&self.root);
        b.standard_filters(false)
            .hidden(!self.hidden)
            .max_depth(self.max_depth)
            .sort_by_file_name(|a, b| a.cmp(b));
        if self.ignored != Ignored::Seen {
            b.git_ignore(true)
                .ignore(true)
                .parents(true)
                .git_exclude(true)
                .git_global(true)
                .require_git(self.ignored == Ignored::SkippedInGit);
        }
        let walk = self.clone();
        b.filter_entry(move |e| {
            e.depth() == 0
                || !e.file_type().is_some_and(|t| t.is_dir())
                || !walk.skips(&e.file_name().to_string_lossy())
        });
        b.build().flatten()
    }

    /// The regular files (not symbolic links), in path order.
    pub fn files(&self) -> impl Iterator<Item = ignore::DirEntry> {
        self.entries()
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        dir
    }

    fn rel(w: &Walk, root: &Path) -> Vec<String> {
        w.files()
            .map(|e| crate::detect::layout::to_rel(e.path().strip_prefix(root).unwrap()))
            .collect()
    }

    #[test]
    fn skips_the_shared_lists_and_what_the_walk_asks() {
        let d = tree(&[
            "b/app.py",
            "a/app.py",
            "venv/lib/site.py",
            "node_modules/x/index.js",
            "build/lib/app.py",
            ".github/workflows/ci.yml",
            "a/migrations/0001_initial.py",
        ]);
        let root = d.path();
        assert_eq!(
            rel(&Walk::new(root), root),
            ["a/app.py", "a/migrations/0001_initial.py", "b/app.py"]
        );
        assert_eq!(
            rel(&Walk::new(root).also_skip(&["migrations"]), root),
            ["a/app.py", "b/app.py"]
        );
        assert_eq!(
            rel(
                &Walk::new(root).into_outputs().with_hidden().max_depth(2),
                root
            ),
            ["a/app.py", "b/app.py"]
        );
        let all = rel(&Walk::new(root).into_outputs().with_hidden(), root);
        assert!(all.contains(&"build/lib/app.py".to_string()), "{all:?}");
        assert!(
            all.contains(&".github/workflows/ci.yml".to_string()),
            "{all:?}"
        );
        assert!(!all
            .iter()
            .any(|p| p.starts_with("venv/") || p.starts_with("node_modules/")));
    }

    #[test]
    fn gitignore_is_honoured_as_asked() {
        let d = tree(&["keep.py", "secret.py"]);
        std::fs::write(d.path().join(".gitignore"), "secret.py\n").unwrap();
        let root = d.path();
        // Not a git repository: only `Skipped` reads the .gitignore.
        assert_eq!(
            rel(&Walk::new(root).ignored(Ignored::Skipped), root),
            ["keep.py"]
        );
        assert_eq!(
            rel(&Walk::new(root).ignored(Ignored::SkippedInGit), root),
            ["keep.py", "secret.py"]
        );
        assert_eq!(
            rel(&Walk::new(root).ignored(Ignored::Seen), root),
            ["keep.py", "secret.py"]
        );
    }
}

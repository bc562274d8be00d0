//! Where the project is: manage.py, possibly nested.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Folders never searched for manage.py: virtualenvs, caches, dependencies, VCS data.
const SKIP_DIRS: &[&str] = &[
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
    "build",
    "dist",
    "staticfiles",
    "media",
    ".idea",
    ".vscode",
];

const MAX_DEPTH: usize = 3;

/// Find manage.py under `root`: at the root itself, or one found at most 3 folders deep.
/// Returns its path relative to `root`.
pub fn find_manage_py(root: &Path, chosen: Option<&Path>) -> Result<String> {
    if let Some(c) = chosen {
        let abs = if c.is_absolute() {
            c.to_path_buf()
        } else {
            root.join(c)
        };
        let abs = if abs.is_dir() {
            abs.join("manage.py")
        } else {
            abs
        };
        if !abs.is_file() {
            return Err(Error::Invalid {
                path: abs,
                message: "--manage does not name an existing manage.py".into(),
                hint: "pass the path of the project's manage.py, relative to the project root"
                    .into(),
            });
        }
        return abs
            .strip_prefix(root)
            .map(to_rel)
            .map_err(|_| Error::Invalid {
                path: abs.clone(),
                message: "--manage points outside the project root".into(),
                hint: "pass a manage.py inside the folder djship was given".into(),
            });
    }
    if root.join("manage.py").is_file() {
        return Ok("manage.py".into());
    }
    let mut found = Vec::new();
    search(root, root, 0, &mut found);
    found.sort();
    match found.len() {
        0 => Err(Error::NotDjango {
            path: root.to_path_buf(),
        }),
        1 => Ok(to_rel(&found[0])),
        _ => Err(Error::SeveralProjects {
            root: root.to_path_buf(),
            candidates: found,
        }),
    }
}

fn search(root: &Path, dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if depth >= MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut dirs = Vec::new();
    for e in entries.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        let name = e.file_name();
        let name = name.to_string_lossy();
        if ft.is_dir() && !SKIP_DIRS.contains(&name.as_ref()) && !name.starts_with('.') {
            dirs.push(e.path());
        }
    }
    for d in dirs {
        let m = d.join("manage.py");
        if m.is_file() {
            if let Ok(rel) = m.strip_prefix(root) {
                found.push(rel.to_path_buf());
            }
            continue;
        }
        search(root, &d, depth + 1, found);
    }
}

pub fn to_rel(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The folder part of a relative path ("" for the root).
pub fn parent_dir(rel: &str) -> String {
    match rel.rfind('/') {
        Some(i) => rel[..i].to_string(),
        None => String::new(),
    }
}

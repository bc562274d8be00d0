//! Where the project is: manage.py, possibly nested.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// How many folders deep manage.py is looked for.
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
    let mut found = search(root);
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

/// Every manage.py at most [`MAX_DEPTH`] folders deep, outside hidden folders and those
/// the project walk skips; none below a folder that has one (a project's own copies).
fn search(root: &Path) -> Vec<PathBuf> {
    let all: Vec<PathBuf> = super::walk::Walk::new(root)
        .ignored(super::walk::Ignored::Seen)
        .max_depth(MAX_DEPTH + 1)
        .entries()
        .filter(|e| e.depth() > 1 && e.file_name() == "manage.py" && e.path().is_file())
        .filter_map(|e| e.path().strip_prefix(root).ok().map(Path::to_path_buf))
        .collect();
    all.iter()
        .filter(|m| {
            !all.iter()
                .any(|o| o != *m && o.parent().is_some_and(|p| m.starts_with(p)))
        })
        .cloned()
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        dir
    }

    #[test]
    fn nested_manage_py_skips_copies_and_outputs() {
        // A copy in a build output, a virtualenv or a hidden folder is not a project.
        let d = tree(&[
            "src/manage.py",
            "target/debug/x/manage.py",
            "venv/lib/manage.py",
            ".cache/manage.py",
            "src/app/tests/manage.py",
        ]);
        assert_eq!(find_manage_py(d.path(), None).unwrap(), "src/manage.py");
        // Near miss: two real candidates are both reported.
        let d = tree(&["src/manage.py", "example/manage.py"]);
        match find_manage_py(d.path(), None) {
            Err(Error::SeveralProjects { candidates, .. }) => assert_eq!(
                candidates,
                [
                    PathBuf::from("example/manage.py"),
                    PathBuf::from("src/manage.py")
                ]
            ),
            other => panic!("{other:?}"),
        }
        // Deeper than three folders: not searched.
        let d = tree(&["a/b/c/d/manage.py"]);
        assert!(find_manage_py(d.path(), None).is_err());
        assert_eq!(
            find_manage_py(&d.path().join("a"), None).unwrap(),
            "b/c/d/manage.py"
        );
    }
}

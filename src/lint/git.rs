//! What git says about a project's files: tracked, ignored, or un-ignored on purpose by a
//! negation (`!.envs/.local/`). Git itself is asked when it is installed and the project
//! is in a work tree (`git ls-files`, `git check-ignore --no-index`, run in the project
//! folder with the user's global excludes, fsmonitor and hooks out of the way); otherwise
//! the .gitignore files from the root down to the file are read, which cannot tell
//! whether a file is tracked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

/// A file's state in git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitState {
    /// In the index (committed or added): whatever .gitignore says.
    Tracked,
    /// Ignored, by this pattern (`.gitignore:3: .env*`).
    Ignored(String),
    /// Not ignored because a negation says so (`.gitignore:3: !.envs/.local/`): meant to
    /// be committed.
    Unignored(String),
    /// Neither tracked nor matched by any pattern.
    Untracked,
}

/// How the states were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitSource {
    /// By running git in the work tree.
    Git,
    /// From the .gitignore files alone (git missing, or the folder is not a work tree).
    Gitignore,
}

#[derive(Debug, Clone)]
pub struct GitFacts {
    pub source: GitSource,
    pub states: BTreeMap<String, GitState>,
}

/// Git's answers for `paths` (relative to `root`); None when the project is not under git
/// and has no .gitignore.
pub fn query(root: &Path, paths: &[String]) -> Option<GitFacts> {
    if let Some(states) = ask_git(root, paths) {
        return Some(GitFacts {
            source: GitSource::Git,
            states,
        });
    }
    if !root.join(".git").exists() && !root.join(".gitignore").exists() {
        return None;
    }
    Some(GitFacts {
        source: GitSource::Gitignore,
        states: paths
            .iter()
            .map(|p| (p.clone(), from_gitignore_files(root, p)))
            .collect(),
    })
}

fn git(root: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(root)
        // The project's own git, not one a hook or the caller's environment points at.
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_OPTIONAL_LOCKS", "0")
        // Nothing of the repository's configuration runs (fsmonitor is a command), and
        // the user's personal excludes do not decide what the project ignores.
        .args([
            "-c",
            "core.fsmonitor=false",
            "-c",
            "core.excludesFile=",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn ask_git(root: &Path, paths: &[String]) -> Option<BTreeMap<String, GitState>> {
    let inside = git(root)
        .args(["rev-parse", "--is-inside-work-tree"])
        .output()
        .ok()?;
    if !inside.status.success() || String::from_utf8_lossy(&inside.stdout).trim() != "true" {
        return None;
    }
    let mut states = BTreeMap::new();
    if paths.is_empty() {
        return Some(states);
    }
    let tracked_out = git(root)
        .args(["ls-files", "-z", "--"])
        .args(paths)
        .output()
        .ok()?;
    if !tracked_out.status.success() {
        return None;
    }
    let tracked: BTreeSet<String> = split_z(&tracked_out.stdout).into_iter().collect();
    // The files and their folders: a negation on a folder (`!.envs/.local/`) is reported
    // for the folder, not for the files in it.
    let mut asked: Vec<String> = Vec::new();
    for p in paths {
        asked.push(p.clone());
        let mut dir = p.as_str();
        while let Some((d, _)) = dir.rsplit_once('/') {
            asked.push(d.to_string());
            dir = d;
        }
    }
    asked.sort();
    asked.dedup();
    let mut input = Vec::new();
    for a in &asked {
        input.extend_from_slice(a.as_bytes());
        input.push(0);
    }
    let out = run_with_input(
        git(root).args(["check-ignore", "--no-index", "-v", "-n", "-z", "--stdin"]),
        &input,
    )?;
    // Records of four fields: source, line, pattern, path (empty source: no match).
    let fields = split_z_keep_empty(&out);
    let mut matched: BTreeMap<String, String> = BTreeMap::new();
    for rec in fields.chunks(4) {
        if let [source, line, pattern, path] = rec {
            if !pattern.is_empty() {
                matched.insert(path.clone(), format!("{source}:{line}: {pattern}"));
            }
        }
    }
    for p in paths {
        let state = if tracked.contains(p) {
            GitState::Tracked
        } else {
            match matched.get(p) {
                Some(m) if is_negation(m) => GitState::Unignored(m.clone()),
                Some(m) => GitState::Ignored(m.clone()),
                None => {
                    let mut dir = p.as_str();
                    let mut found = None;
                    while let Some((d, _)) = dir.rsplit_once('/') {
                        if let Some(m) = matched.get(d).filter(|m| is_negation(m)) {
                            found = Some(m.clone());
                            break;
                        }
                        dir = d;
                    }
                    found.map_or(GitState::Untracked, GitState::Unignored)
                }
            }
        };
        states.insert(p.clone(), state);
    }
    Some(states)
}

fn is_negation(m: &str) -> bool {
    m.split_once(": ").is_some_and(|(_, p)| p.starts_with('!'))
}

fn run_with_input(cmd: &mut Command, input: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let data = input.to_vec();
    // Write from another thread so a full stdout pipe cannot block both sides.
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    // check-ignore exits 1 when nothing is ignored; that is an answer too.
    matches!(out.status.code(), Some(0 | 1)).then_some(out.stdout)
}

fn split_z(b: &[u8]) -> Vec<String> {
    b.split(|c| *c == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

fn split_z_keep_empty(b: &[u8]) -> Vec<String> {
    let mut v: Vec<String> = b
        .split(|c| *c == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    if b.last() == Some(&0) {
        v.pop();
    }
    v
}

/// A path's state from the .gitignore files of the root and of each folder down to it
/// (a deeper file decides over a shallower one, the last matching pattern within a file;
/// a negation, on the file or a folder above it, un-ignores it).
fn from_gitignore_files(root: &Path, path: &str) -> GitState {
    use ignore::gitignore::GitignoreBuilder;
    let mut dirs = vec![String::new()];
    let mut acc = String::new();
    for part in path
        .split('/')
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .skip(1)
        .rev()
    {
        if !acc.is_empty() {
            acc.push('/');
        }
        acc.push_str(part);
        dirs.push(acc.clone());
    }
    let mut state = GitState::Untracked;
    for d in dirs {
        let dir = root.join(&d);
        let file = dir.join(".gitignore");
        if !file.is_file() {
            continue;
        }
        let mut b = GitignoreBuilder::new(&dir);
        b.add(&file);
        let Ok(g) = b.build() else { continue };
        let rel = if d.is_empty() {
            path.to_string()
        } else {
            path[d.len() + 1..].to_string()
        };
        let m = g.matched_path_or_any_parents(dir.join(&rel), false);
        let where_ = |glob: &ignore::gitignore::Glob| {
            let name = if d.is_empty() {
                ".gitignore".to_string()
            } else {
                format!("{d}/.gitignore")
            };
            format!("{name}: {}", glob.original())
        };
        if let Some(glob) = m.inner() {
            state = if m.is_whitelist() {
                GitState::Unignored(where_(glob))
            } else {
                GitState::Ignored(where_(glob))
            };
        }
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitignore_files_with_negations() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(
            t.path().join(".gitignore"),
            ".env\n.envs/*\n!.envs/.local/\n*.env\n!common.env\n",
        )
        .unwrap();
        std::fs::create_dir_all(t.path().join("deploy")).unwrap();
        std::fs::write(t.path().join("deploy/.gitignore"), "!prod.env\n").unwrap();
        let s = |p: &str| from_gitignore_files(t.path(), p);
        assert!(matches!(s(".env"), GitState::Ignored(_)));
        assert!(matches!(
            s(".envs/.production/.django"),
            GitState::Ignored(_)
        ));
        assert!(
            matches!(s(".envs/.local/.django"), GitState::Unignored(m) if m.contains("!.envs/.local/"))
        );
        assert!(matches!(s("common.env"), GitState::Unignored(_)));
        assert!(matches!(s("other.env"), GitState::Ignored(_)));
        assert!(
            matches!(s("deploy/prod.env"), GitState::Unignored(m) if m.starts_with("deploy/.gitignore"))
        );
        assert_eq!(s("settings.ini"), GitState::Untracked);
    }
}

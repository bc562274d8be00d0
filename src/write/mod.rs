//! Safe writing: compare with what is on disk, show a unified diff, refuse to overwrite
//! without `--force`, write atomically (temp file + rename) with the right mode.

use crate::error::{Error, Result};
use crate::targets::{Artifact, Kind, Secrecy};
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Create,
    Update,
    Unchanged,
}

#[derive(Debug, Clone)]
pub struct Change {
    pub path: String,
    pub old: Option<String>,
    pub new: String,
    pub mode: u32,
    pub status: Status,
    /// Written without `--force`: a block appended to a user's file (.gitignore), or a
    /// change a flag asked for.
    pub additive: bool,
    /// The user's own file changed because a flag asked for it: its diff is always shown.
    pub requested: bool,
    /// What of the file a diff must not show.
    pub secret: Secrecy,
}

/// What writing the artifacts would change, file by file.
pub fn plan_changes(root: &Path, artifacts: Vec<Artifact>) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    for a in artifacts {
        let path = root.join(&a.path);
        // Several blocks appended to one file (.gitignore) make one change.
        let prior = match a.kind {
            Kind::Append { .. } => out.iter().position(|c: &Change| c.path == a.path),
            _ => None,
        };
        let old = match prior {
            Some(i) => Some(out[i].new.clone()),
            None => read_opt(&path)?,
        };
        let new = match &a.kind {
            Kind::Append { present } => {
                let already = old.as_deref().is_some_and(|t| {
                    t.lines()
                        .map(str::trim)
                        .any(|l| present.iter().any(|p| p == l))
                });
                match &old {
                    Some(t) if already => t.clone(),
                    Some(t) => {
                        let sep = if t.is_empty() || t.ends_with('\n') {
                            ""
                        } else {
                            "\n"
                        };
                        format!("{t}{sep}\n{}", a.content)
                    }
                    None => a.content.clone(),
                }
            }
            Kind::Generated | Kind::Requested => a.content.clone(),
        };
        if let Some(i) = prior {
            let c = &mut out[i];
            c.status = match &c.old {
                None => Status::Create,
                Some(o) if *o == new => Status::Unchanged,
                Some(_) => Status::Update,
            };
            c.new = new;
            continue;
        }
        let status = match &old {
            None => Status::Create,
            Some(o) if *o == new => Status::Unchanged,
            Some(_) => Status::Update,
        };
        let mode = a.mode.unwrap_or_else(|| existing_mode(&path));
        out.push(Change {
            path: a.path,
            old,
            new,
            mode,
            status,
            additive: !matches!(a.kind, Kind::Generated),
            requested: a.kind == Kind::Requested,
            secret: a.secret,
        });
    }
    Ok(out)
}

/// An existing file's permission bits (0644 when it does not exist).
pub fn existing_mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o644
    }
}

fn read_opt(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

pub fn diff(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes.iter().filter(|c| c.status != Status::Unchanged) {
        let old = c
            .old
            .as_deref()
            .map(|o| mask(o, &c.secret, None))
            .unwrap_or_default();
        let new = mask(&c.new, &c.secret, c.old.as_deref());
        let from = if c.old.is_some() {
            format!("a/{}", c.path)
        } else {
            "/dev/null".into()
        };
        out.push_str(&crate::diff::unified(
            &old,
            &new,
            &from,
            &format!("b/{}", c.path),
        ));
    }
    out
}

/// The text a diff shows of a file: a secret's length in place of its value. Given the
/// file's text `before` a change, a secret that changed says so (its masked line would
/// otherwise read the same when the length did not change).
fn mask(text: &str, secrecy: &Secrecy, before: Option<&str>) -> String {
    let changed = |same: bool| if same { "" } else { ", changed" };
    match secrecy {
        Secrecy::Public => text.to_string(),
        Secrecy::Whole => format!(
            "<secret: {} bytes{}, not shown>\n",
            text.len(),
            changed(before.is_none_or(|b| b == text))
        ),
        Secrecy::EnvFile { shown } => {
            let old_value = |key: &str| {
                before?
                    .lines()
                    .filter_map(|l| l.split_once('='))
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v)
            };
            text.lines()
                .map(|l| {
                    let t = l.trim_start();
                    match l.split_once('=') {
                        _ if t.is_empty() || t.starts_with('#') => format!("{l}\n"),
                        Some((k, v)) if v.is_empty() || shown.iter().any(|s| s == k.trim()) => {
                            format!("{l}\n")
                        }
                        Some((k, v)) => format!(
                            "{k}=<secret: {} characters{}>\n",
                            v.chars().count(),
                            changed(before.is_none() || old_value(k).is_none_or(|o| o == v))
                        ),
                        None => format!("<secret line: {} characters>\n", l.chars().count()),
                    }
                })
                .collect()
        }
    }
}

/// Write the changes. Without `force`, an existing file whose content would change is an
/// error that lists every such file, and nothing is written.
pub fn apply(root: &Path, changes: &[Change], force: bool) -> Result<()> {
    let blocked: Vec<PathBuf> = changes
        .iter()
        .filter(|c| c.status == Status::Update && !c.additive && !force)
        .map(|c| PathBuf::from(&c.path))
        .collect();
    if !blocked.is_empty() {
        return Err(Error::WouldOverwrite { paths: blocked });
    }
    for c in changes.iter().filter(|c| c.status != Status::Unchanged) {
        write_atomic(&root.join(&c.path), c.new.as_bytes(), c.mode)?;
    }
    Ok(())
}

/// Write to a temporary file in the same folder, set its mode, then rename over the target.
pub fn write_atomic(path: &Path, content: &[u8], mode: u32) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(content).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_show_as_their_length_and_whether_they_changed() {
        let env = Secrecy::EnvFile {
            shown: vec!["POSTGRES_DB".into()],
        };
        let old = "# note\nPOSTGRES_DB=shop\nPOSTGRES_PASSWORD=abcd\nSTRIPE_KEY=sk_1\nEMPTY=\n";
        assert_eq!(
            mask(old, &env, None),
            "# note\nPOSTGRES_DB=shop\nPOSTGRES_PASSWORD=<secret: 4 characters>\nSTRIPE_KEY=<secret: 4 characters>\nEMPTY=\n"
        );
        // Same length, another value: the new text says it changed; a new variable does not.
        let new = "POSTGRES_DB=shop\nPOSTGRES_PASSWORD=wxyz\nSTRIPE_KEY=sk_1\nNEW_TOKEN=é1\n";
        assert_eq!(
            mask(new, &env, Some(old)),
            "POSTGRES_DB=shop\nPOSTGRES_PASSWORD=<secret: 4 characters, changed>\nSTRIPE_KEY=<secret: 4 characters>\nNEW_TOKEN=<secret: 2 characters>\n"
        );
        assert_eq!(
            mask("k3y", &Secrecy::Whole, None),
            "<secret: 3 bytes, not shown>\n"
        );
        assert_eq!(
            mask("k4y", &Secrecy::Whole, Some("k3y")),
            "<secret: 3 bytes, changed, not shown>\n"
        );
        assert_eq!(mask("a=b\n", &Secrecy::Public, None), "a=b\n");
    }
}

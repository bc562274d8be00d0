//! Safe writing: compare with what is on disk, show a unified diff, refuse to overwrite
//! without `--force`, write atomically (temp file + rename) with the right mode.

pub mod secrets;

use crate::error::{Error, Result};
use crate::render::Rendered;
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
    /// Additive edits to a user's file (a line appended to .gitignore) need no --force.
    pub additive: bool,
    /// Secret file: its values are masked in diffs.
    pub secret: bool,
}

/// Compare rendered files with the files on disk.
pub fn plan_changes(root: &Path, rendered: Vec<Rendered>) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    for r in rendered {
        let path = root.join(&r.path);
        let old = read_opt(&path)?;
        let status = match &old {
            None => Status::Create,
            Some(o) if *o == r.content => Status::Unchanged,
            Some(_) => Status::Update,
        };
        out.push(Change {
            secret: r.path == ".env",
            path: r.path,
            old,
            new: r.content,
            mode: r.mode,
            status,
            additive: false,
        });
    }
    out.push(gitignore_change(root)?);
    Ok(out)
}

fn read_opt(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// `.env` must be ignored by git: append it to .gitignore when it is not.
fn gitignore_change(root: &Path) -> Result<Change> {
    let old = read_opt(&root.join(".gitignore"))?;
    let ignored = old.as_deref().is_some_and(|t| {
        t.lines().map(str::trim).any(|l| {
            matches!(
                l,
                ".env" | "/.env" | ".env*" | "*.env" | ".env.*" | "/.env*"
            )
        })
    });
    let new = match (&old, ignored) {
        (_, true) => old.clone().unwrap_or_default(),
        (Some(t), false) => {
            let sep = if t.is_empty() || t.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            format!("{t}{sep}\n# Secrets written by djship: never commit them\n.env\n")
        }
        (None, false) => "# Secrets written by djship: never commit them\n.env\n".to_string(),
    };
    let status = match &old {
        None => Status::Create,
        Some(o) if *o == new => Status::Unchanged,
        Some(_) => Status::Update,
    };
    Ok(Change {
        path: ".gitignore".into(),
        old,
        new,
        mode: 0o644,
        status,
        additive: true,
        secret: false,
    })
}

/// Unified diff of all changes (secret values masked).
pub fn diff(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes.iter().filter(|c| c.status != Status::Unchanged) {
        let old = c
            .old
            .as_deref()
            .map(|o| if c.secret { mask(o) } else { o.to_string() })
            .unwrap_or_default();
        let new = if c.secret {
            mask(&c.new)
        } else {
            c.new.clone()
        };
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

fn mask(env: &str) -> String {
    env.lines()
        .map(|l| match l.split_once('=') {
            Some((k, v))
                if !l.starts_with('#') && !v.is_empty() && crate::detect::is_secret_name(k) =>
            {
                format!("{k}=<secret: {} characters>\n", v.len())
            }
            _ => format!("{l}\n"),
        })
        .collect()
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

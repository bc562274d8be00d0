//! Paths in the repository and in the image, resolved the way COPY and mounts place them.

// ---------------------------------------------------------------------------------------
// Repository paths

/// `rel` joined to the repository folder `dir` ("" is the root), `.` and `..` resolved;
/// None when it leaves the repository or is absolute.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.starts_with('~') || rel.contains("://") {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The folder of a repository path ("" for a file at the root).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// An absolute container path: `rel` from `cwd`, normalised, without a trailing `/`.
pub(super) fn join_abs(cwd: &str, rel: &str) -> String {
    let base = if rel.starts_with('/') { "" } else { cwd };
    let mut parts: Vec<&str> = Vec::new();
    for p in base.split('/').chain(rel.split('/')) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `path` below the folder `dir` (both absolute): the rest, without the leading `/`.
pub(super) fn below<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if dir == "/" {
        return path.strip_prefix('/').filter(|r| !r.is_empty());
    }
    path.strip_prefix(dir)?
        .strip_prefix('/')
        .filter(|r| !r.is_empty())
}

pub(super) fn basename(p: &str) -> &str {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or(p)
}

/// Is a repository file one djship reads as a script (a shell script or an extensionless
/// executable such as s6's `run`), not Python or configuration?
pub fn is_script_name(path: &str) -> bool {
    let name = basename(path);
    match name.rsplit_once('.') {
        None => true,
        Some(("", _)) => false,
        Some((_, ext)) => matches!(ext, "sh" | "bash" | "ash" | "zsh"),
    }
}

//! Errors that end a command. Each names the file, what was expected and what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{path}: not a Django project: looked for manage.py (at the root and in src/, app/, backend/, \
         django/, project/ and any folder up to 3 levels deep) and found none.\n  \
         hint: run djship in the folder that holds manage.py, or pass it with --manage PATH"
    )]
    NotDjango { path: PathBuf },

    #[error(
        "{root}: found {} manage.py files and cannot tell which one is the project:\n{}\n  \
         hint: choose one with --manage PATH",
        candidates.len(),
        candidates.iter().map(|c| format!("    {}", c.display())).collect::<Vec<_>>().join("\n")
    )]
    SeveralProjects {
        root: PathBuf,
        candidates: Vec<PathBuf>,
    },

    #[error("{path}: {message}\n  hint: {hint}")]
    Invalid {
        path: PathBuf,
        message: String,
        hint: String,
    },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{message}{}\n  hint: {hint}", if detail.trim().is_empty() { String::new() } else { format!(":\n{}", detail.trim_end()) })]
    Engine {
        message: String,
        detail: String,
        hint: String,
    },

    #[error(
        "refusing to overwrite {} existing file(s) whose content would change:\n{}\n  \
         hint: review the changes with --dry-run, then pass --force to overwrite",
        paths.len(),
        paths.iter().map(|c| format!("    {}", c.display())).collect::<Vec<_>>().join("\n")
    )]
    WouldOverwrite { paths: Vec<PathBuf> },
}

impl Error {
    /// Process exit code for this error: 2 for "this is not something djship can work on".
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::NotDjango { .. } | Error::SeveralProjects { .. } => 2,
            Error::Invalid { .. } => 2,
            Error::Io { .. } => 1,
            Error::WouldOverwrite { .. } => 3,
            Error::Engine { .. } => 4,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

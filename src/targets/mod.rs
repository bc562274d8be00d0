//! Targets: what the application plan becomes on disk for one way of running it.
//!
//! Every target starts from the same [`Plan`](crate::plan::Plan) and adds its own files. The
//! files every target needs (the image, the environment file, keeping secrets out of git) come
//! from [`common`]. A target owns its templates, its file list and its escaping; it never
//! decides anything about the application (that is the plan's job).
//!
//! Adding a target: a folder here with a `mod.rs` implementing [`Target`] and its templates,
//! and one line in [`TARGETS`]. tests/snapshots.rs fails until the new target's files have
//! golden snapshots.

pub mod ci;
pub mod common;
pub mod compose;
pub mod k8s;
mod render;
pub mod swarm;

use crate::error::Result;
use crate::plan::secrets::EnvValue;
use crate::plan::tls::TlsFiles;
use crate::plan::Plan;
use std::path::Path;

pub use render::Templates;

/// Every target, in the order `--help` lists them. The first is the default.
pub const TARGETS: &[&dyn Target] = &[&compose::Compose, &swarm::Swarm, &k8s::Kubernetes];

/// One way of running the application.
pub trait Target: Sync {
    /// The name `djship init --target` takes.
    fn name(&self) -> &'static str;
    /// One line for `--help`.
    fn about(&self) -> &'static str;
    /// This target's own files (the common ones come from [`common::artifacts`]).
    fn artifacts(&self, plan: &Plan, t: &Templates) -> Result<Vec<Artifact>>;
    /// What the user runs next, after `djship init`.
    fn next_steps(&self, plan: &Plan) -> String;
}

/// The target named `name`.
pub fn by_name(name: &str) -> Option<&'static dyn Target> {
    TARGETS.iter().copied().find(|t| t.name() == name)
}

/// The names of every target.
pub fn names() -> Vec<&'static str> {
    TARGETS.iter().map(|t| t.name()).collect()
}

/// The default target.
pub fn default_target() -> &'static dyn Target {
    TARGETS[0]
}

/// One file of the output, with what write needs to know to write it safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Path relative to the project folder.
    pub path: String,
    /// The whole file, or for [`Kind::Append`] the block appended.
    pub content: String,
    /// Unix mode; `None` keeps an existing file's mode (0644 for a new file).
    pub mode: Option<u32>,
    /// What of the file is secret: diffs never show it.
    pub secret: Secrecy,
    pub kind: Kind,
}

/// What of an artifact is secret. A diff (`--dry-run`, the overwrite error) shows a secret's
/// length, never its value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Secrecy {
    /// Nothing: the file is shown as it is.
    #[default]
    Public,
    /// `KEY=VALUE` lines (an env file): the values of the names listed are shown, every other
    /// value is hidden, so a variable the user added by hand is never shown.
    EnvFile { shown: Vec<String> },
    /// The whole file is one secret (a key, a password file).
    Whole,
}

impl Secrecy {
    pub fn is_secret(&self) -> bool {
        *self != Secrecy::Public
    }

    /// An env file showing the values of the plan's variables that are not secret.
    pub fn env_file(plan: &Plan) -> Secrecy {
        Secrecy::EnvFile {
            shown: plan
                .env
                .vars
                .iter()
                .filter(|v| !v.secret)
                .map(|v| v.name.clone())
                .collect(),
        }
    }
}

/// How an artifact meets a file that already exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// djship's own file: an existing file whose content differs needs `--force`.
    Generated,
    /// The user's own file, changed because a flag asked for it (`--patch-settings`):
    /// written without `--force`, and its diff is always shown.
    Requested,
    /// A block appended to the user's file unless one of these lines is already in it
    /// (trimmed); never needs `--force`.
    Append { present: Vec<String> },
}

impl Artifact {
    /// A file djship generates.
    pub fn generated(path: &str, content: String, mode: u32) -> Artifact {
        Artifact {
            path: path.to_string(),
            content,
            mode: Some(mode),
            secret: Secrecy::Public,
            kind: Kind::Generated,
        }
    }

    /// The files rendered from `(template, path, mode)` with the plan.
    pub fn render_all(
        plan: &Plan,
        t: &Templates,
        files: &[(&str, &str, u32)],
    ) -> Result<Vec<Artifact>> {
        files
            .iter()
            .map(|(name, path, mode)| Ok(Artifact::generated(path, t.render(name, plan)?, *mode)))
            .collect()
    }
}

/// The artifacts `djship init` writes for `target`: the common files, then the target's,
/// then the pipelines of the CI providers named in `ci`.
/// `env` and `tls` are the secrets resolved for this run (kept from disk or generated).
pub fn artifacts(
    plan: &Plan,
    env: &[EnvValue],
    tls: Option<TlsFiles>,
    target: &dyn Target,
    ci: &[&'static dyn ci::Provider],
    template_dir: Option<&Path>,
) -> Result<Vec<Artifact>> {
    let t = Templates::new(template_dir, env, tls)?;
    let mut out = common::artifacts(plan, &t)?;
    out.extend(target.artifacts(plan, &t)?);
    out.extend(ci::artifacts(plan, ci, &t)?);
    Ok(out)
}

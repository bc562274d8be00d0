//! `djship --version` names the commit it was built from: `0.1.0 (1a2b3c4d5e6f 2026-12-04)`.
//!
//! The commit comes from `DJSHIP_COMMIT` (for builds from a source archive, where there is
//! no git; `DJSHIP_COMMIT_DATE` optional), else from git in the source folder. Without
//! either, the version is the bare package version.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rerun-if-env-changed=DJSHIP_COMMIT");
    println!("cargo:rerun-if-env-changed=DJSHIP_COMMIT_DATE");

    let from_env = std::env::var("DJSHIP_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty());
    let (commit, date) = match from_env {
        Some(c) => (
            Some(c.trim().chars().take(12).collect::<String>()),
            std::env::var("DJSHIP_COMMIT_DATE").ok(),
        ),
        None => {
            // Rebuild when HEAD moves: HEAD itself, the branch it points at, packed refs.
            if let Some(git_dir) = git(&dir, &["rev-parse", "--absolute-git-dir"]) {
                println!("cargo:rerun-if-changed={git_dir}/HEAD");
                if let Some(common) = git(&dir, &["rev-parse", "--git-common-dir"]) {
                    let common = if Path::new(&common).is_absolute() {
                        PathBuf::from(common)
                    } else {
                        dir.join(common)
                    };
                    println!(
                        "cargo:rerun-if-changed={}",
                        common.join("packed-refs").display()
                    );
                    if let Some(branch) = git(&dir, &["symbolic-ref", "-q", "HEAD"]) {
                        println!("cargo:rerun-if-changed={}", common.join(branch).display());
                    }
                }
            }
            (
                git(&dir, &["rev-parse", "--short=12", "HEAD"]),
                git(&dir, &["log", "-1", "--format=%cs"]),
            )
        }
    };
    let long = match (commit, date) {
        (Some(c), Some(d)) => format!("{version} ({c} {d})"),
        (Some(c), None) => format!("{version} ({c})"),
        _ => version,
    };
    println!("cargo:rustc-env=DJSHIP_VERSION_LONG={long}");
}

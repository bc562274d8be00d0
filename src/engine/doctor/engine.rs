//! The engine and buildkit checks: the docker client, the engine and compose answer, and
//! the client builds with BuildKit (else another docker on this machine that does).

use super::{output_text, run_timeout, Check, Finding};
use crate::engine::Engine;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The docker client's version from `docker --version` (`Docker version 28.2.2, build x`).
pub(super) fn client_version(text: &str) -> Option<String> {
    let v = text.split("version").nth(1)?.trim();
    let v = v.split([',', ' ']).next()?.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The major version of a docker version (`20.10.24+dfsg1` → 20).
pub(super) fn major(version: &str) -> Option<u32> {
    version.split('.').next()?.trim().parse().ok()
}

/// Whether a docker client builds with BuildKit: with the buildx component; or, before
/// Docker 23 (whose `docker build` is buildx), through the engine's BuildKit with
/// DOCKER_BUILDKIT=1.
fn builds_with_buildkit(docker: &Path) -> (bool, Option<String>) {
    let version = Command::new(docker)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| client_version(&String::from_utf8_lossy(&o.stdout)));
    let buildx = Command::new(docker)
        .args(["buildx", "version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let old = version.as_deref().and_then(major).is_some_and(|m| m < 23);
    (buildx || old, version)
}

/// Other docker binaries on this machine (PATH, /usr/bin, /usr/local/bin) than `current`.
fn other_dockers(current: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/bin".into(), "/usr/local/bin".into(), "/bin".into()]);
    let current = which(current).unwrap_or_else(|| current.to_path_buf());
    let current = std::fs::canonicalize(&current).unwrap_or(current);
    let mut out: Vec<PathBuf> = Vec::new();
    for d in dirs {
        let p = d.join("docker");
        let Ok(real) = std::fs::canonicalize(&p) else {
            continue;
        };
        if real != current && p.is_file() && !out.iter().any(|o| o == &p) {
            out.push(p);
        }
    }
    out
}

/// Where a bare command name is found on PATH.
fn which(cmd: &Path) -> Option<PathBuf> {
    if cmd.components().count() > 1 {
        return Some(cmd.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(cmd))
            .find(|p| p.is_file())
    })
}

pub(super) fn engine_checks() -> (Check, Check, Option<Engine>) {
    let chosen = std::env::var_os("DJSHIP_DOCKER");
    let docker: PathBuf = chosen
        .clone()
        .map(PathBuf::from)
        .unwrap_or_else(|| "docker".into());
    let how = if chosen.is_some() {
        format!("DJSHIP_DOCKER={}", docker.display())
    } else {
        "docker on PATH".to_string()
    };
    let mut cmd = Command::new(&docker);
    cmd.args(["info", "--format", "{{.ServerVersion}}"]);
    let info = run_timeout(cmd, None, Duration::from_secs(20));
    let server = match info {
        Err(e) => {
            let f = Finding::error(
                format!("cannot run the docker client ({how}): {e}"),
                "install Docker (Docker Engine on Linux, Docker Desktop elsewhere), or set \
                 DJSHIP_DOCKER to the docker binary",
            );
            return (
                Check::done("engine", "the docker client and the engine", vec![f]),
                Check::skipped("buildkit", "no docker client (see engine)"),
                None,
            );
        }
        Ok(o) if !o.status.success() => {
            let text = output_text(&o);
            let host = std::env::var("DOCKER_HOST")
                .map(|h| format!(" (DOCKER_HOST={h})"))
                .unwrap_or_default();
            let remedy = if text.contains("permission denied") {
                "the engine's socket refuses this user: add it to the docker group (`sudo \
                 usermod -aG docker $USER`, then log in again), or run djship as root"
                    .to_string()
            } else {
                format!(
                    "start the engine (`sudo systemctl start docker`, or start Docker Desktop) \
                     and check that `{} info` answers{host}",
                    docker.display()
                )
            };
            let f = Finding::error(
                format!("the Docker engine does not answer {how}{host}"),
                remedy,
            )
            .with_detail(text.lines().map(String::from).collect());
            return (
                Check::done("engine", "the docker client and the engine", vec![f]),
                Check::skipped("buildkit", "the engine does not answer (see engine)"),
                None,
            );
        }
        Ok(o) => String::from_utf8_lossy(&o.stdout).trim().to_string(),
    };
    let mut findings = Vec::new();
    if major(&server).is_some_and(|m| m < 18) {
        findings.push(Finding::error(
            format!("the engine is Docker {server}: BuildKit needs 18.09 or newer"),
            "upgrade the Docker engine",
        ));
    }
    // compose, as Engine::connect chooses it.
    let compose = crate::engine::compose_command(&docker);
    let compose_version = compose.split_first().and_then(|(bin, pre)| {
        Command::new(bin)
            .args(pre)
            .arg("version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    });
    match &compose_version {
        Some(v) if v.contains("version 1.") || v.contains("version v1.") => {
            findings.push(Finding::error(
                format!(
                    "{} is compose v1 ({v}): the generated files need compose v2",
                    compose.join(" ")
                ),
                "install Docker Compose v2 (the docker compose plugin, or its docker-compose \
                 binary on PATH), or set DJSHIP_COMPOSE to its command",
            ))
        }
        Some(_) => {}
        None => findings.push(Finding::error(
            format!(
                "compose does not answer: neither `{} compose version` nor `{} version`",
                docker.display(),
                compose.join(" ")
            ),
            "install Docker Compose v2 (the docker compose plugin, or its docker-compose \
             binary on PATH), or set DJSHIP_COMPOSE to its command",
        )),
    }
    let summary = format!(
        "Docker engine {server} answers ({how}); compose: {}",
        compose_version
            .as_deref()
            .map(|v| format!("{} ({v})", compose.join(" ")))
            .unwrap_or_else(|| "none".into())
    );
    let engine_check = Check::done("engine", summary, findings);

    let (ok, version) = builds_with_buildkit(&docker);
    let shown = which(&docker).unwrap_or(docker.clone());
    let version_text = version
        .clone()
        .unwrap_or_else(|| "of unknown version".into());
    let buildkit = if ok {
        Check::done(
            "buildkit",
            format!(
                "docker {version_text} ({}) builds with BuildKit",
                shown.display()
            ),
            Vec::new(),
        )
    } else {
        let alternative = other_dockers(&docker)
            .into_iter()
            .find(|d| builds_with_buildkit(d).0)
            .map(|d| {
                format!(
                    "; or set DJSHIP_DOCKER={}, a docker client on this machine that builds \
                     with BuildKit",
                    d.display()
                )
            })
            .unwrap_or_default();
        Check::done(
            "buildkit",
            "BuildKit through the docker client",
            vec![Finding::error(
                format!(
                    "docker {version_text} ({}) has no buildx component: from Docker 23 on, \
                     `docker build` is buildx, so `djship build` fails with \"BuildKit is \
                     enabled but the buildx component is missing or broken\"",
                    shown.display()
                ),
                format!(
                    "install the buildx component (Debian and Ubuntu: `apt-get install \
                     docker-buildx`; Docker's own packages: docker-buildx-plugin){alternative}"
                ),
            )],
        )
    };
    let engine = Engine {
        docker,
        compose: if compose.is_empty() {
            vec!["docker-compose".into()]
        } else {
            compose
        },
    };
    (engine_check, buildkit, Some(engine))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_versions() {
        assert_eq!(
            client_version("Docker version 28.2.2, build e6534b4\n").as_deref(),
            Some("28.2.2")
        );
        assert_eq!(
            client_version("Docker version 20.10.24+dfsg1, build 297e128").as_deref(),
            Some("20.10.24+dfsg1")
        );
        assert_eq!(client_version("podman"), None);
        assert_eq!(major("20.10.24+dfsg1"), Some(20));
        assert_eq!(major("28.2.2"), Some(28));
        assert_eq!(major("dev"), None);
    }
}

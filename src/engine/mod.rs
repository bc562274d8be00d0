//! The one place that talks to Docker: the user's `docker` CLI (BuildKit) and compose v2.
//!
//! `DJSHIP_DOCKER` names the docker binary (default `docker` on PATH); `DJSHIP_COMPOSE`
//! the compose command (default `docker compose`, else `docker-compose`).

pub mod build;
pub mod compose;
pub mod doctor;
pub mod edge;
mod http;
pub mod state;
pub mod swarm;
pub mod verify;

use crate::error::{Error, Result};
pub use crate::shell::quote as shell_quote;
pub use http::{free_port, http_get, wait_http, Response};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Engine {
    docker: PathBuf,
    compose: Vec<String>,
}

/// The compose command: `DJSHIP_COMPOSE` (words), else docker's compose plugin when it
/// answers, else `docker-compose`.
pub fn compose_command(docker: &Path) -> Vec<String> {
    match std::env::var("DJSHIP_COMPOSE") {
        Ok(c) => c.split_whitespace().map(String::from).collect(),
        Err(_) => {
            let plugin = Command::new(docker).args(["compose", "version"]).output();
            if plugin.is_ok_and(|o| o.status.success()) {
                vec![docker.display().to_string(), "compose".into()]
            } else {
                vec!["docker-compose".into()]
            }
        }
    }
}

fn engine_error(
    message: impl Into<String>,
    detail: impl Into<String>,
    hint: impl Into<String>,
) -> Error {
    Error::Engine {
        message: message.into(),
        detail: detail.into(),
        hint: hint.into(),
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

impl Engine {
    /// Find docker and compose, and check the engine answers.
    pub fn connect() -> Result<Engine> {
        let docker = std::env::var_os("DJSHIP_DOCKER")
            .map(PathBuf::from)
            .unwrap_or_else(|| "docker".into());
        let info = Command::new(&docker)
            .args(["info", "--format", "{{.ServerVersion}}"])
            .output();
        match info {
            Err(e) => {
                return Err(engine_error(
                    format!("cannot run {}: {e}", docker.display()),
                    "",
                    "install Docker (or set DJSHIP_DOCKER to the docker binary)",
                ))
            }
            Ok(o) if !o.status.success() => {
                return Err(engine_error(
                    "the Docker engine does not answer",
                    text(&o),
                    "start the engine (dockerd, Docker Desktop) and check `docker info`",
                ))
            }
            Ok(_) => {}
        }
        let compose = compose_command(&docker);
        Ok(Engine { docker, compose })
    }

    pub fn docker(&self, args: &[&str]) -> Result<Output> {
        Command::new(&self.docker)
            .args(args)
            .env("DOCKER_BUILDKIT", "1")
            .output()
            .map_err(|e| {
                engine_error(
                    format!("cannot run docker {}: {e}", args.join(" ")),
                    "",
                    "check that docker is installed",
                )
            })
    }

    /// Run docker; an error carries the command's whole output.
    pub fn docker_ok(&self, args: &[&str]) -> Result<String> {
        let o = self.docker(args)?;
        if !o.status.success() {
            return Err(engine_error(
                format!("docker {} failed", args.join(" ")),
                text(&o),
                "see the engine's output above",
            ));
        }
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(shell_quote("compose.prod.yaml"), "compose.prod.yaml");
        assert_eq!(shell_quote("/tmp/my project"), "'/tmp/my project'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}

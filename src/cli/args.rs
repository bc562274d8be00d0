//! Arguments shared by the commands.

use crate::options::{Flags, ImageChoice};
use clap::Args;
use std::path::PathBuf;

/// The project a command works on.
#[derive(Args, Debug, Clone)]
pub struct ProjectArgs {
    /// The project folder (default: the current folder).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Which manage.py to use when the project has several.
    #[arg(long, value_name = "PATH")]
    pub manage: Option<PathBuf>,
}

impl ProjectArgs {
    pub fn flags(&self) -> Flags {
        Flags::at(&self.path, self.manage.clone())
    }
}

/// What the plan is made from: the project and the choices a user can override.
#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Base image for the app (default python:X.Y-slim-bookworm).
    #[arg(long, value_name = "IMAGE")]
    pub python_image: Option<String>,
    /// PostgreSQL image (default postgres:17-bookworm).
    #[arg(long, value_name = "IMAGE")]
    pub postgres_image: Option<String>,
    /// nginx image (default nginx:1.27-bookworm).
    #[arg(long, value_name = "IMAGE")]
    pub nginx_image: Option<String>,
    /// Redis image (default redis:7-bookworm).
    #[arg(long, value_name = "IMAGE")]
    pub redis_image: Option<String>,
    /// MariaDB image, for MySQL projects (default mariadb:11.4).
    #[arg(long, value_name = "IMAGE")]
    pub mariadb_image: Option<String>,
    /// Node image of the frontend build stage, for projects whose frontend is built in the
    /// image (default node:<version>-slim, the version from .nvmrc, engines.node...).
    #[arg(long, value_name = "IMAGE")]
    pub node_image: Option<String>,
    /// Ask uv (on PATH; needs the package index) which pinned releases have wheels for
    /// which Python, instead of djship's built-in wheel table.
    #[arg(long)]
    pub resolve_with_uv: bool,
    /// What to generate for: compose (the default).
    #[arg(long, value_name = "TARGET",
          value_parser = clap::builder::PossibleValuesParser::new(crate::targets::names()))]
    pub target: Option<String>,
}

impl PlanArgs {
    pub fn flags(&self) -> Flags {
        Flags {
            images: ImageChoice {
                python: self.python_image.clone(),
                postgres: self.postgres_image.clone(),
                nginx: self.nginx_image.clone(),
                redis: self.redis_image.clone(),
                mariadb: self.mariadb_image.clone(),
                node: self.node_image.clone(),
            },
            resolve_with_uv: self.resolve_with_uv,
            target: self.target.clone(),
            ..self.project.flags()
        }
    }
}

/// Which stack of the project a command acts on.
#[derive(Args, Debug, Clone)]
pub struct StackArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// The production stack instead of the development one.
    #[arg(long)]
    pub prod: bool,
}

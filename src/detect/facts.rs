//! The facts djship reads from a Django project (the `Facts` that `detect` returns and
//! `inspect --json` prints), each with its evidence.

use super::deps::Dependencies;
use super::evidence::{Evidence, Warning};
use super::frontend;
use super::native::NativeLibs;
use super::problems::Problem;
use super::pyversion::PythonVersion;
use super::settings::SettingsModules;
use serde::Serialize;

/// A value and where it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Located<T> {
    pub value: T,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AsgiFacts {
    /// True when the app must be served by an ASGI server.
    pub required: bool,
    /// Why (empty when not required).
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DbKind {
    Postgresql,
    Mysql,
    Sqlite,
    Oracle,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Database {
    pub alias: String,
    pub kind: DbKind,
    /// The ENGINE string when it is written down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// The environment variable holding a database URL, when the settings read one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_env: Option<String>,
    /// Driver packages found for this engine.
    pub drivers: Vec<String>,
    pub gis: bool,
    pub evidence: Evidence,
    /// When the settings choose the database by an environment variable: which, and the
    /// value djship gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_by: Option<DbSelector>,
}

/// How the settings pick their database from the environment, and djship's choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DbSelector {
    /// The variable the settings test.
    pub var: String,
    /// The value djship sets (`None`: the variable stays unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The test as written.
    pub test: String,
    pub evidence: Evidence,
    /// The other settings of the variable and the database each gives.
    pub alternatives: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cache {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    pub redis: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_env: Option<String>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Celery {
    /// The module given to `celery -A`.
    pub app: String,
    pub beat: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker_env: Option<String>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StaticFiles {
    /// STATIC_ROOT as Python sees it (description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<Located<String>>,
    /// STATIC_ROOT inside the image (the project root is /app).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_in_image: Option<String>,
    pub url: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<Located<String>>,
    pub whitenoise: bool,
    /// django-compressor with COMPRESS_OFFLINE on: `manage.py compress` must run at build.
    pub compress_offline: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MediaFiles {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_in_image: Option<String>,
    pub url: Option<Located<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvVar {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    pub required: bool,
    pub secret: bool,
    pub via: String,
    /// The setting it feeds, when it is assigned directly to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_of: Option<String>,
    pub evidence: Evidence,
}

/// A variable that turns a setting on (`if os.getenv("X"): SETTING = ...`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvSwitch {
    pub setting: String,
    pub var: String,
    pub value: String,
    pub evidence: Evidence,
}

/// Everything djship knows about a project.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    /// manage.py, relative to the project root.
    pub manage_py: String,
    /// The folder of manage.py ("" for the root): the working directory in the image.
    pub manage_dir: String,
    pub settings: SettingsModules,
    /// Files interpreted for the production settings, in order.
    pub settings_files: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wsgi_application: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asgi_application: Option<Located<String>>,
    pub asgi: AsgiFacts,
    pub dependencies: Dependencies,
    pub python: PythonVersion,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub django: Option<Located<String>>,
    pub databases: Vec<Database>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<Cache>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub celery: Option<Celery>,
    pub native: NativeLibs,
    #[serde(rename = "static")]
    pub static_files: StaticFiles,
    pub media: MediaFiles,
    /// The frontend (package.json), when the project has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frontend: Option<frontend::Frontend>,
    pub installed_apps: Vec<String>,
    pub env_vars: Vec<EnvVar>,
    /// Folders inside the image the app writes at run time (a file-based cache): the image
    /// makes them the app user's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub writable_dirs: Vec<Located<String>>,
    /// The settings import pkg_resources, which comes with setuptools: a virtualenv made by
    /// uv has none unless the project declares it.
    pub imports_pkg_resources: bool,
    /// Settings for running behind a proxy that the settings turn on only when a variable is
    /// set: djship's .env sets it, since nginx sends the headers they trust.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proxy_switches: Vec<EnvSwitch>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Warning>,
    /// The name of the project's top package (the settings package's first part).
    pub package: String,
}

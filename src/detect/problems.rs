//! Settings that keep a project from running correctly in a container.
//!
//! Each problem has a stable code, says where it is, and what to change. Those marked
//! `patchable` are fixed by `djship init --patch-settings`.

use super::evidence::Evidence;
use super::python::Value;
use super::settings::{Evaluated, SettingsModules};
use super::{Database, DbKind, MediaFiles, StaticFiles};
use serde::Serialize;

pub use crate::severity::Severity;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub evidence: Evidence,
    /// What to change, precisely.
    pub fix: String,
    pub patchable: bool,
}

const SECRET_KEY_FIX: &str =
    "read it from the environment: SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]; djship's .env holds a fresh one";
const DB_HOST_FIX: &str =
    "read HOST (and NAME, USER, PASSWORD, PORT) from the environment; compose sets POSTGRES_HOST=db";

fn is_env(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Env(_)))
}

pub fn find(
    prod: &Evaluated,
    databases: &[Database],
    static_files: &StaticFiles,
    media: &MediaFiles,
    modules: &SettingsModules,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let file_ev = Evidence::file(&modules.production.file);
    let at = |name: &str| {
        prod.get(name)
            .map(|b| b.evidence.clone())
            .unwrap_or_else(|| file_ev.clone())
    };
    let mut push = |code, name, severity, message: String, evidence, fix: String| {
        out.push(Problem {
            code,
            name,
            severity,
            message,
            evidence,
            fix,
            patchable: true,
        })
    };

    if prod.get("SECRET_KEY").is_none() {
        push(
            "DJS001",
            "hardcoded-secret-key",
            Severity::Error,
            "SECRET_KEY is not set by the production settings: Django refuses to start".into(),
            file_ev.clone(),
            SECRET_KEY_FIX.into(),
        );
    }
    if let Some(Value::Str(_)) = prod.value("SECRET_KEY") {
        push(
            "DJS001", "hardcoded-secret-key", Severity::Error,
            "SECRET_KEY is a literal in the settings: it ends up in the image and in version control".into(),
            at("SECRET_KEY"),
            SECRET_KEY_FIX.into(),
        );
    }
    if let Some(Value::Bool(true)) = prod.value("DEBUG") {
        push(
            "DJS002", "debug-true", Severity::Error,
            "DEBUG = True in the production settings: tracebacks and settings leak to visitors".into(),
            at("DEBUG"),
            "DEBUG = os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\" (compose.yaml turns it on for development)".into(),
        );
    }
    match prod.value("ALLOWED_HOSTS") {
        Some(v) if !is_env(Some(v)) && !v.strings().iter().any(|h| h == "*") => push(
            "DJS003", "allowed-hosts-fixed", Severity::Error,
            format!(
                "ALLOWED_HOSTS is fixed to {}: the host the container is served under cannot be added without editing code",
                v.describe()
            ),
            at("ALLOWED_HOSTS"),
            "ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")".into(),
        ),
        Some(v) if !is_env(Some(v)) => push(
            "DJS010", "allowed-hosts-wildcard", Severity::Warning,
            format!("ALLOWED_HOSTS is {}: Django trusts any Host header", v.describe()),
            at("ALLOWED_HOSTS"),
            "ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")".into(),
        ),
        None => push(
            "DJS003", "allowed-hosts-fixed", Severity::Error,
            "ALLOWED_HOSTS is not set: with DEBUG off Django answers every request with 400".into(),
            file_ev.clone(),
            "ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")".into(),
        ),
        _ => {}
    }
    for db in databases.iter().filter(|d| d.alias == "default") {
        let settings = prod.value("DATABASES").and_then(|d| d.get(&db.alias));
        if db.kind == DbKind::Sqlite && db.url_env.is_none() {
            let name = settings.and_then(|s| s.get("NAME"));
            if !is_env(name) {
                push(
                    "DJS004", "sqlite-in-image", Severity::Error,
                    format!(
                        "the default database is an SQLite file ({}): it would live inside the container and vanish with it, and cannot be shared by replicas",
                        name.map(Value::describe).unwrap_or_else(|| "?".into())
                    ),
                    db.evidence.clone(),
                    "read the database from the environment (POSTGRES_* variables or DATABASE_URL) and run PostgreSQL beside the app".into(),
                );
            }
        }
        if matches!(db.kind, DbKind::Postgresql | DbKind::Mysql) && db.url_env.is_none() {
            if let Some(host) = settings.and_then(|s| s.get("HOST")) {
                if matches!(host, Value::Str(h) if h.is_empty() || h == "localhost" || h == "127.0.0.1" || h.starts_with('/'))
                {
                    push(
                        "DJS005", "database-local-host", Severity::Error,
                        format!(
                            "DATABASES['{}']['HOST'] is {}: inside a container that is the container itself (or a local socket), not the database service",
                            db.alias, host.describe()
                        ),
                        db.evidence.clone(),
                        DB_HOST_FIX.into(),
                    );
                }
            } else if settings.is_some_and(|s| s.get("HOST").is_none()) {
                push(
                    "DJS005", "database-local-host", Severity::Error,
                    format!("DATABASES['{}'] has no HOST: Django then connects to a local socket, which a container does not have", db.alias),
                    db.evidence.clone(),
                    DB_HOST_FIX.into(),
                );
            }
        }
    }
    if static_files.root.is_none() {
        push(
            "DJS006", "static-root-missing", Severity::Error,
            "STATIC_ROOT is not set: `collectstatic` fails, so the image cannot collect static files for nginx".into(),
            file_ev.clone(),
            "STATIC_ROOT = BASE_DIR / \"staticfiles\"".into(),
        );
    }
    if prod.get("CSRF_TRUSTED_ORIGINS").is_none() {
        push(
            "DJS007", "csrf-trusted-origins-missing", Severity::Warning,
            "CSRF_TRUSTED_ORIGINS is not set: behind a proxy on HTTPS, form posts from the site's own origin fail the CSRF check".into(),
            file_ev.clone(),
            "CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get(\"DJANGO_CSRF_TRUSTED_ORIGINS\", \"\").split(\",\") if o]".into(),
        );
    }
    if prod.get("SECURE_PROXY_SSL_HEADER").is_none() {
        push(
            "DJS008", "proxy-ssl-header-missing", Severity::Warning,
            "SECURE_PROXY_SSL_HEADER is not set: behind nginx Django cannot tell HTTPS requests, so request.is_secure() and redirects are wrong".into(),
            file_ev.clone(),
            "SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\") (nginx sets X-Forwarded-Proto)".into(),
        );
    }
    if media.root.is_none() {
        push(
            "DJS009", "media-root-missing", Severity::Warning,
            "MEDIA_ROOT is not set: uploads land in the working directory, which is read-only for the app user and not on a volume".into(),
            file_ev,
            "MEDIA_ROOT = BASE_DIR / \"media\" (compose mounts a volume there)".into(),
        );
    }
    out
}

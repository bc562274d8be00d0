//! Settings that keep a project from running correctly in a container.
//!
//! Each problem has a stable code, says where it is, and what to change. Those marked
//! `patchable` are fixed by `djship init --patch-settings`.

use super::evidence::Evidence;
use super::python::{Cast, Value};
use super::settings::{Evaluated, SettingsModules};
use super::{Database, DbKind, MediaFiles, StaticFiles};
use crate::checks::{self, Check};
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

/// A value known on every path, with no environment read and nothing djship could not
/// interpret: only such a value is "fixed in code".
fn is_known_literal(v: &Value) -> bool {
    let mut known = true;
    v.walk(&mut |x| {
        if matches!(
            x,
            Value::Env(_)
                | Value::Unknown(_)
                | Value::Module(_)
                | Value::Function(_)
                | Value::Choice(_)
        ) {
            known = false;
        }
    });
    known
}

/// Record a problem of `check`, patchable as the check says; the caller may say otherwise
/// for this cause.
fn push<'a>(
    out: &'a mut Vec<Problem>,
    check: &'static Check,
    message: String,
    evidence: Evidence,
    fix: String,
) -> &'a mut Problem {
    out.push(Problem {
        code: check.code,
        name: check.name,
        severity: check.severity,
        message,
        evidence,
        fix,
        patchable: check.patchable,
    });
    let last = out.len() - 1;
    &mut out[last]
}

pub fn find(
    prod: &Evaluated,
    databases: &[Database],
    static_files: &StaticFiles,
    media: &MediaFiles,
    modules: &SettingsModules,
    uploads: bool,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let file_ev = Evidence::file(&modules.production.file);
    let at = |name: &str| {
        prod.get(name)
            .map(|b| b.evidence.clone())
            .unwrap_or_else(|| file_ev.clone())
    };

    if prod.get("SECRET_KEY").is_none() {
        push(
            &mut out,
            &checks::SECRET_KEY,
            "SECRET_KEY is not set by the production settings: Django refuses to start".into(),
            file_ev.clone(),
            SECRET_KEY_FIX.into(),
        );
    }
    if let Some(Value::Str(_)) = prod.value("SECRET_KEY") {
        push(
            &mut out,
            &checks::SECRET_KEY,
            "SECRET_KEY is a literal in the settings: it ends up in the image and in version control".into(),
            at("SECRET_KEY"),
            SECRET_KEY_FIX.into(),
        );
    }
    if let Some(Value::Env(r)) = prod.value("DEBUG") {
        if matches!(r.cast, Cast::Text | Cast::TextTruthiness) {
            push(
                &mut out,
                &checks::DEBUG_FROM_TEXT,
                format!(
                    "DEBUG is the text of ${} ({}), not a boolean: any non-empty value, \"False\" and \"0\" included, turns DEBUG on",
                    r.name,
                    if r.cast == Cast::TextTruthiness { "bool() of a string" } else { "os.environ returns a string" },
                ),
                at("DEBUG"),
                format!("DEBUG = os.environ.get(\"{}\", \"0\").lower() in (\"1\", \"true\", \"yes\")", r.name),
            );
        }
        if r.default_value
            .as_deref()
            .is_some_and(|d| d.truthy(r.cast == Cast::Bool))
            && r.cast != Cast::Text
        {
            push(
                &mut out,
                &checks::INSECURE_DEFAULT,
                format!("DEBUG defaults to on when ${} is unset: a deployment that forgets the variable shows tracebacks to visitors", r.name),
                at("DEBUG"),
                format!("make the default off: read ${} with a default of False", r.name),
            );
        }
    }
    if let Some(Value::Env(r)) = prod.value("SECRET_KEY") {
        if let Some(Value::Str(d)) = r.default_value.as_deref() {
            if !d.is_empty() {
                push(
                    &mut out,
                    &checks::INSECURE_DEFAULT,
                    format!("SECRET_KEY falls back to a key written in the settings when ${} is unset: that key is in version control", r.name),
                    at("SECRET_KEY"),
                    format!("drop the default: SECRET_KEY = os.environ[\"{}\"] fails loudly when the variable is missing", r.name),
                )
                .patchable = true;
            }
        }
    }
    if let Some(Value::Env(r)) = prod.value("ALLOWED_HOSTS") {
        if r.default.as_deref().is_some_and(|d| {
            d.split(',').any(|h| {
                h.trim()
                    .trim_matches(|c| c == '[' || c == ']' || c == '"' || c == '\'')
                    == "*"
            })
        }) {
            push(
                &mut out,
                &checks::INSECURE_DEFAULT,
                format!("ALLOWED_HOSTS defaults to \"*\" when ${} is unset: Django then trusts any Host header", r.name),
                at("ALLOWED_HOSTS"),
                format!("default ${} to localhost and set the real host names in the environment", r.name),
            );
        }
    }
    if let Some(Value::Bool(true)) = prod.value("DEBUG") {
        push(
            &mut out,
            &checks::DEBUG,
            "DEBUG = True in the production settings: tracebacks and settings leak to visitors".into(),
            at("DEBUG"),
            "DEBUG = os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\" (compose.yaml turns it on for development)".into(),
        );
    }
    let hosts_configurable = !prod.configurable_by("ALLOWED_HOSTS").is_empty();
    match prod.value("ALLOWED_HOSTS") {
        Some(v) if hosts_configurable || !is_known_literal(v) => {}
        Some(v) if !v.strings().iter().any(|h| h == "*") => {
            push(
            &mut out,
            &checks::ALLOWED_HOSTS,
            format!(
                "ALLOWED_HOSTS is fixed to {}: the host the container is served under cannot be added without editing code",
                v.describe()
            ),
            at("ALLOWED_HOSTS"),
            "ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")".into(),
            );
        }
        Some(v) => {
            push(
            &mut out,
            &checks::ALLOWED_HOSTS_WILDCARD,
            format!("ALLOWED_HOSTS is {}: Django trusts any Host header", v.describe()),
            at("ALLOWED_HOSTS"),
            "ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")".into(),
            );
        }
        None => {
            push(
            &mut out,
            &checks::ALLOWED_HOSTS,
            "ALLOWED_HOSTS is not set: with DEBUG off Django answers every request with 400".into(),
            file_ev.clone(),
            "ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")".into(),
        );
        }
    }
    for db in databases.iter().filter(|d| d.alias == "default") {
        let settings = prod.value("DATABASES").and_then(|d| d.get(&db.alias));
        if db.kind == DbKind::Sqlite && db.url_env.is_none() {
            let name = settings.and_then(|s| s.get("NAME"));
            if !is_env(name) {
                push(
                    &mut out,
                    &checks::SQLITE,
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
                        &mut out,
                        &checks::DB_HOST,
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
                    &mut out,
                    &checks::DB_HOST,
                    format!("DATABASES['{}'] has no HOST: Django then connects to a local socket, which a container does not have", db.alias),
                    db.evidence.clone(),
                    DB_HOST_FIX.into(),
                );
            }
        }
    }
    if static_files.root.is_none() {
        push(
            &mut out,
            &checks::STATIC_ROOT,
            "STATIC_ROOT is not set: `collectstatic` fails, so the image cannot collect static files for nginx".into(),
            file_ev.clone(),
            "STATIC_ROOT = BASE_DIR / \"staticfiles\"".into(),
        );
    }
    // With the proxy header set, a same-origin post passes Django's Origin check: only
    // without it do the site's own https:// origins need listing.
    if prod.raw_value("CSRF_TRUSTED_ORIGINS").is_none()
        && prod.raw_value("SECURE_PROXY_SSL_HEADER").is_none()
    {
        push(
            &mut out,
            &checks::CSRF,
            "CSRF_TRUSTED_ORIGINS is not set: behind a proxy on HTTPS, form posts from the site's own origin fail the CSRF check".into(),
            file_ev.clone(),
            "CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get(\"DJANGO_CSRF_TRUSTED_ORIGINS\", \"\").split(\",\") if o]".into(),
        );
    }
    if prod.raw_value("SECURE_PROXY_SSL_HEADER").is_none() {
        push(
            &mut out,
            &checks::PROXY_SSL,
            "SECURE_PROXY_SSL_HEADER is not set: behind nginx Django cannot tell HTTPS requests, so request.is_secure() and redirects are wrong".into(),
            file_ev.clone(),
            "SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\") (nginx sets X-Forwarded-Proto)".into(),
        );
    }
    if media.root.is_none() && uploads && prod.raw_value("MEDIA_ROOT").is_none() {
        push(
            &mut out,
            &checks::MEDIA_ROOT,
            "MEDIA_ROOT is not set: uploads land in the working directory, which is read-only for the app user and not on a volume".into(),
            file_ev,
            "MEDIA_ROOT = BASE_DIR / \"media\" (compose mounts a volume there)".into(),
        );
    }
    out
}

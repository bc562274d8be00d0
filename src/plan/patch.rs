//! `--patch-settings`: the smallest change that lets the production settings be configured
//! from the environment. One block, appended to the production settings module, that
//! overrides only what a problem names. Everything it reads has a safe default.
//!
//! Two more blocks come with it, each with its own marker so that a later run adds only what
//! is missing: JSON logging with request IDs (with `--patch-settings` or `--monitoring`) and
//! django-prometheus (`--monitoring`).

use crate::checks::{self, Check};
use crate::detect::problems::Problem;
use crate::detect::Facts;
use serde::Serialize;

/// The first line of the block: its presence means the file is already patched.
pub const MARKER: &str = "# --- djship: deployment settings from the environment";
/// The first line of the logging block.
pub const LOGGING_MARKER: &str = "# --- djship: JSON logs with request IDs";
/// The first line of the monitoring block.
pub const MONITORING_MARKER: &str = "# --- djship: metrics for Prometheus";

/// What the patch is asked to do besides fixing the problems.
#[derive(Debug, Clone, Copy, Default)]
pub struct Asked {
    /// `--patch-settings`: fix the problems it can, and log JSON lines.
    pub settings: bool,
    /// `--monitoring` (on a gunicorn project): django-prometheus, and JSON lines.
    pub monitoring: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingsPatch {
    /// The settings file the block is appended to.
    pub file: String,
    /// Problem codes the block fixes.
    pub fixes: Vec<String>,
    /// What the blocks add besides the fixes ("JSON logs with request IDs", "metrics").
    pub adds: Vec<String>,
    pub block: String,
}

/// The patch of the production settings, `original` their text, or `None` when nothing
/// needs patching (the blocks asked for are there already).
pub fn build(facts: &Facts, original: &str, asked: Asked) -> Option<SettingsPatch> {
    let file = facts.settings.production.file.clone();
    let mut block = String::new();
    let mut fixes = Vec::new();
    let mut adds = Vec::new();
    if asked.settings && !original.contains(MARKER) {
        if let Some((codes, b)) = deployment_block(facts) {
            fixes = codes;
            block.push_str(&b);
        }
    }
    if asked.monitoring && !original.contains(MONITORING_MARKER) {
        block.push_str(&monitoring_block());
        adds.push("metrics for Prometheus (django-prometheus)".to_string());
    }
    if (asked.settings || asked.monitoring) && !original.contains(LOGGING_MARKER) {
        block.push_str(&logging_block());
        adds.push("JSON logs with request IDs".to_string());
    }
    if block.is_empty() {
        return None;
    }
    Some(SettingsPatch {
        file,
        fixes,
        adds,
        block,
    })
}

/// The metrics block: django-prometheus's app and middleware. gunicorn's config file
/// (docker/gunicorn.conf.py) serves them from every worker.
fn monitoring_block() -> String {
    format!(
        "\n\n{MONITORING_MARKER} (djship init --monitoring) ---
# django-prometheus counts requests, responses, exceptions and latencies; gunicorn serves every
# worker's counts on a port nginx does not proxy (docker/gunicorn.conf.py, multiprocess mode).
import os as _djship_os  # noqa: E402

if \"django_prometheus\" not in globals().get(\"INSTALLED_APPS\", []):
    INSTALLED_APPS = [*globals().get(\"INSTALLED_APPS\", []), \"django_prometheus\"]
    MIDDLEWARE = [
        \"django_prometheus.middleware.PrometheusBeforeMiddleware\",
        *globals().get(\"MIDDLEWARE\", []),
        \"django_prometheus.middleware.PrometheusAfterMiddleware\",
    ]
# The count of unapplied migrations (an alert), read once as each web worker starts: it asks
# the database, so only where the web service sets DJSHIP_EXPORT_MIGRATIONS=1.
PROMETHEUS_EXPORT_MIGRATIONS = _djship_os.environ.get(\"DJSHIP_EXPORT_MIGRATIONS\") == \"1\"
# --- end djship metrics ---
"
    )
}

/// The logging block: JSON lines on stdout with the request ID nginx sets, from a module
/// the image ships (docker/python/djship_logging.py, standard library only).
fn logging_block() -> String {
    format!(
        "\n\n{LOGGING_MARKER} (djship init) ---
# One JSON object a line on stdout, with the request ID nginx sets (X-Request-ID) in every line
# of that request; DJANGO_LOG_FORMAT=text (the development stack) prints plain lines. The
# module ships in the image (docker/python/djship_logging.py); where it is not on the path
# (manage.py outside a container), nothing changes.
import importlib.util as _djship_importlib  # noqa: E402
import os as _djship_os  # noqa: E402

if _djship_importlib.find_spec(\"djship_logging\"):
    import djship_logging as _djship_logging  # noqa: E402

    MIDDLEWARE = [\"djship_logging.RequestIdMiddleware\", *globals().get(\"MIDDLEWARE\", [])]
    LOGGING = _djship_logging.config(globals().get(\"LOGGING\"), _djship_os.environ)
# --- end djship logging ---
"
    )
}

/// The deployment block and the codes it fixes, or `None` when no problem needs it.
fn deployment_block(facts: &Facts) -> Option<(Vec<String>, String)> {
    let file = &facts.settings.production.file;
    let has = |check: &Check| {
        facts
            .problems
            .iter()
            .any(|p: &Problem| p.code == check.code && p.patchable)
    };
    let codes: Vec<String> = facts
        .problems
        .iter()
        .filter(|p| p.patchable)
        .map(|p| p.code.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if codes.is_empty() {
        return None;
    }
    // Folders between the settings file and manage.py's folder: Path(__file__).parents[N].
    let depth = file
        .split('/')
        .count()
        .saturating_sub(if facts.manage_dir.is_empty() {
            0
        } else {
            facts.manage_dir.split('/').count()
        });
    let parents = depth.saturating_sub(1);

    let mut b = String::new();
    b.push_str(&format!(
        "\n\n{MARKER} (djship init --patch-settings) ---\n"
    ));
    b.push_str("# Production reads these from the environment (.env); without them the values above apply.\n");
    b.push_str("import os as _djship_os  # noqa: E402\n");
    b.push_str("from pathlib import Path as _DjshipPath  # noqa: E402\n\n");
    b.push_str(&format!(
        "_DJSHIP_BASE = _DjshipPath(__file__).resolve().parents[{parents}]\n"
    ));
    if has(&checks::DEBUG) || has(&checks::SECRET_KEY) {
        b.push_str("DEBUG = _djship_os.environ.get(\"DJANGO_DEBUG\", str(globals().get(\"DEBUG\", False))).lower() in (\"1\", \"true\", \"yes\", \"on\")\n");
    }
    if has(&checks::SECRET_KEY) || has(&checks::INSECURE_DEFAULT) {
        b.push_str("# The key written in this file is used only with DEBUG on; production must set DJANGO_SECRET_KEY.\n");
        b.push_str("SECRET_KEY = _djship_os.environ.get(\"DJANGO_SECRET_KEY\") or (globals().get(\"SECRET_KEY\", \"\") if DEBUG else \"\")\n");
    }
    if has(&checks::ALLOWED_HOSTS) || has(&checks::ALLOWED_HOSTS_WILDCARD) {
        b.push_str("ALLOWED_HOSTS = [h.strip() for h in _djship_os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \",\".join(globals().get(\"ALLOWED_HOSTS\", []))).split(\",\") if h.strip()]\n");
    }
    if has(&checks::CSRF) {
        b.push_str("CSRF_TRUSTED_ORIGINS = [o.strip() for o in _djship_os.environ.get(\"DJANGO_CSRF_TRUSTED_ORIGINS\", \"\").split(\",\") if o.strip()]\n");
    }
    if has(&checks::PROXY_SSL) {
        b.push_str(
            "# nginx sets X-Forwarded-Proto; Django trusts it to know a request came over HTTPS.\n",
        );
        b.push_str("SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")\n");
    }
    if has(&checks::STATIC_ROOT) {
        b.push_str("STATIC_ROOT = _DJSHIP_BASE / \"staticfiles\"\n");
    }
    if has(&checks::MEDIA_ROOT) {
        b.push_str("MEDIA_ROOT = _DJSHIP_BASE / \"media\"\n");
        b.push_str("MEDIA_URL = globals().get(\"MEDIA_URL\") or \"/media/\"\n");
    }
    let mysql = facts
        .databases
        .iter()
        .any(|d| d.alias == "default" && d.kind == crate::detect::DbKind::Mysql);
    if (has(&checks::SQLITE) || has(&checks::DB_HOST)) && !mysql {
        b.push_str("if _djship_os.environ.get(\"POSTGRES_HOST\"):\n");
        b.push_str("    DATABASES = {\n");
        b.push_str("        **globals().get(\"DATABASES\", {}),\n");
        b.push_str("        \"default\": {\n");
        b.push_str("            \"ENGINE\": \"django.db.backends.postgresql\",\n");
        b.push_str("            \"NAME\": _djship_os.environ[\"POSTGRES_DB\"],\n");
        b.push_str("            \"USER\": _djship_os.environ[\"POSTGRES_USER\"],\n");
        b.push_str("            \"PASSWORD\": _djship_os.environ[\"POSTGRES_PASSWORD\"],\n");
        b.push_str("            \"HOST\": _djship_os.environ[\"POSTGRES_HOST\"],\n");
        b.push_str("            \"PORT\": _djship_os.environ.get(\"POSTGRES_PORT\", \"5432\"),\n");
        b.push_str("            \"CONN_MAX_AGE\": int(_djship_os.environ.get(\"DJANGO_CONN_MAX_AGE\", \"60\")),\n");
        b.push_str("            \"CONN_HEALTH_CHECKS\": True,\n");
        b.push_str("        },\n");
        b.push_str("    }\n");
        // Wagtail's search backend on PostgreSQL needs django.contrib.postgres.
        let apps = &facts.installed_apps;
        if apps.iter().any(|a| a.starts_with("wagtail"))
            && !apps.iter().any(|a| a == "django.contrib.postgres")
        {
            b.push_str("    INSTALLED_APPS = [*INSTALLED_APPS, \"django.contrib.postgres\"]\n");
        }
    }
    if (has(&checks::SQLITE) || has(&checks::DB_HOST)) && mysql {
        // compose.prod.yaml's MariaDB service is `mariadb`; .env holds MARIADB_*.
        b.push_str("if _djship_os.environ.get(\"MARIADB_DATABASE\"):\n");
        b.push_str("    DATABASES = {\n");
        b.push_str("        **globals().get(\"DATABASES\", {}),\n");
        b.push_str("        \"default\": {\n");
        b.push_str("            \"ENGINE\": \"django.db.backends.mysql\",\n");
        b.push_str("            \"NAME\": _djship_os.environ[\"MARIADB_DATABASE\"],\n");
        b.push_str("            \"USER\": _djship_os.environ[\"MARIADB_USER\"],\n");
        b.push_str("            \"PASSWORD\": _djship_os.environ[\"MARIADB_PASSWORD\"],\n");
        b.push_str(
            "            \"HOST\": _djship_os.environ.get(\"MARIADB_HOST\", \"mariadb\"),\n",
        );
        b.push_str("            \"PORT\": _djship_os.environ.get(\"MARIADB_PORT\", \"3306\"),\n");
        b.push_str("            \"CONN_MAX_AGE\": int(_djship_os.environ.get(\"DJANGO_CONN_MAX_AGE\", \"60\")),\n");
        b.push_str("            \"CONN_HEALTH_CHECKS\": True,\n");
        b.push_str("        },\n");
        b.push_str("    }\n");
    }
    b.push_str("# --- end djship ---\n");
    Some((codes, b))
}

/// The patched text of the settings file.
pub fn apply(original: &str, patch: &SettingsPatch) -> Option<String> {
    Some(format!(
        "{}\n\n{}",
        original.trim_end_matches('\n'),
        patch.block.trim_start_matches('\n')
    ))
}

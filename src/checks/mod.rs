//! The settings checks (`DJSnnn`): one registry, read by `inspect` (detect finds the
//! problems), `lint` (one rule per check, at the setting's line) and `--patch-settings`
//! (which checks its block fixes).
//!
//! Adding a check: a constant here, one line in [`ALL`], the code that finds it in
//! `detect::problems`, and when `--patch-settings` can fix it, its rewrite in `plan::patch`.

use crate::severity::Severity;

/// One settings check.
#[derive(Debug, PartialEq, Eq)]
pub struct Check {
    /// Stable code, `DJSnnn`.
    pub code: &'static str,
    /// Stable name (kebab-case), accepted wherever the code is.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what is wrong.
    pub summary: &'static str,
    /// What it does, why it is bad, an example and the fix (markdown).
    pub doc: &'static str,
    /// Whether `--patch-settings` fixes its problems (a problem may say otherwise when
    /// only some of its causes have a rewrite: see `DJS012`).
    pub patchable: bool,
}

pub const SECRET_KEY: Check = Check {
    code: "DJS001",
    name: "hardcoded-secret-key",
    severity: Severity::Error,
    summary: "SECRET_KEY is a literal in the production settings, or missing",
    doc: "### What it does\nFinds a SECRET_KEY written as a string in the production settings, or none at all.\n### Why is this bad?\nA literal key is in version control and in every image built from it; whoever has it\ncan forge sessions and password-reset tokens. Without a key Django does not start.\n### Example\n```python\nSECRET_KEY = \"django-insecure-…\"\n```\n### Fix\n`SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]`, with the value in a gitignored .env\n(`djship init --patch-settings` does this).",
    patchable: true,
};

pub const DEBUG: Check = Check {
    code: "DJS002",
    name: "debug-true",
    severity: Severity::Error,
    summary: "DEBUG = True in the production settings",
    doc: "### What it does\nFinds `DEBUG = True` in the settings module production uses.\n### Why is this bad?\nTracebacks with settings and local variables are shown to every visitor, and every SQL\nquery is kept in memory.\n### Example\n```python\nDEBUG = True\n```\n### Fix\n`DEBUG = os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"`, turned on by the development\ncompose file only.",
    patchable: true,
};

pub const ALLOWED_HOSTS: Check = Check {
    code: "DJS003",
    name: "allowed-hosts-fixed",
    severity: Severity::Error,
    summary: "ALLOWED_HOSTS is fixed in code, or unset",
    doc: "### What it does\nFinds ALLOWED_HOSTS written as a fixed list, or not set at all.\n### Why is this bad?\nWith DEBUG off, Django answers every request for a host not in the list with 400; the\nhost a container is served under is known at deploy time, not when the code is written.\n### Example\n```python\nALLOWED_HOSTS = []\n```\n### Fix\n`ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")`.",
    patchable: true,
};

pub const SQLITE: Check = Check {
    code: "DJS004",
    name: "sqlite-in-image",
    severity: Severity::Error,
    summary: "the default database is an SQLite file",
    doc: "### What it does\nFinds a default database that is an SQLite file whose path is fixed in the settings.\n### Why is this bad?\nThe file lives in the container's writable layer: it vanishes with the container, is\nnot shared between replicas, and the app user often cannot write there.\n### Example\n```python\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": BASE_DIR / \"db.sqlite3\"}}\n```\n### Fix\nRead the database from the environment (POSTGRES_* variables or DATABASE_URL) and run\nPostgreSQL beside the app.",
    patchable: true,
};

pub const DB_HOST: Check = Check {
    code: "DJS005",
    name: "database-local-host",
    severity: Severity::Error,
    summary: "the database HOST is localhost or a socket",
    doc: "### What it does\nFinds a PostgreSQL or MySQL database whose HOST is empty, `localhost`, `127.0.0.1` or a\nsocket path.\n### Why is this bad?\nInside a container, localhost is the container itself: the app cannot reach the\ndatabase service (`could not connect to server`, seed 000's troubleshooting).\n### Example\n```python\n\"HOST\": \"localhost\",\n```\n### Fix\nRead HOST (and NAME, USER, PASSWORD, PORT) from the environment; compose sets the\nservice name (`db`).",
    patchable: true,
};

pub const STATIC_ROOT: Check = Check {
    code: "DJS006",
    name: "static-root-missing",
    severity: Severity::Error,
    summary: "STATIC_ROOT is not set",
    doc: "### What it does\nFinds production settings without STATIC_ROOT.\n### Why is this bad?\n`collectstatic` refuses to run (seed 000's Dockerfile fails on a fresh project), so\nthere are no static files for nginx or whitenoise to serve.\n### Example\n```python\nSTATIC_URL = \"static/\"\n```\n### Fix\n`STATIC_ROOT = BASE_DIR / \"staticfiles\"`.",
    patchable: true,
};

pub const CSRF: Check = Check {
    code: "DJS007",
    name: "csrf-trusted-origins-missing",
    severity: Severity::Warning,
    summary: "CSRF_TRUSTED_ORIGINS is not set",
    doc: "### What it does\nFinds production settings without CSRF_TRUSTED_ORIGINS and without SECURE_PROXY_SSL_HEADER.\nWith the proxy header set, Django knows the request came over HTTPS and a post from the\nsite's own origin passes, so the rule stays quiet.\n### Why is this bad?\nBehind a proxy on HTTPS, form posts from the site's own origin fail the CSRF check\n(Django 4+ checks the Origin header against the scheme it sees).\n### Example\n```python\n# no CSRF_TRUSTED_ORIGINS\n```\n### Fix\n`CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get(\"DJANGO_CSRF_TRUSTED_ORIGINS\", \"\").split(\",\") if o]`.",
    patchable: true,
};

pub const PROXY_SSL: Check = Check {
    code: "DJS008",
    name: "proxy-ssl-header-missing",
    severity: Severity::Warning,
    summary: "SECURE_PROXY_SSL_HEADER is not set",
    doc: "### What it does\nFinds production settings without SECURE_PROXY_SSL_HEADER.\n### Why is this bad?\nBehind nginx, Django sees plain HTTP: `request.is_secure()` is false, secure redirects\nloop and absolute URLs use http://.\n### Example\n```python\n# no SECURE_PROXY_SSL_HEADER\n```\n### Fix\n`SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")`, with nginx setting\nX-Forwarded-Proto.",
    patchable: true,
};

pub const MEDIA_ROOT: Check = Check {
    code: "DJS009",
    name: "media-root-missing",
    severity: Severity::Warning,
    summary: "MEDIA_ROOT is not set",
    doc: "### What it does\nFinds production settings without MEDIA_ROOT in a project that stores uploads: a\nFileField or ImageField in its own code, or an installed app that stores files (Wagtail\nimages and documents, django-filer).\n### Why is this bad?\nUploads land in the working directory: read-only for a non-root app user, and not on\na volume, so they vanish with the container.\n### Example\n```python\nMEDIA_URL = \"media/\"\n```\n### Fix\n`MEDIA_ROOT = BASE_DIR / \"media\"`, with a volume mounted there.",
    patchable: true,
};

pub const ALLOWED_HOSTS_WILDCARD: Check = Check {
    code: "DJS010",
    name: "allowed-hosts-wildcard",
    severity: Severity::Warning,
    summary: "ALLOWED_HOSTS contains `*` in the production settings",
    doc: "### What it does\nFinds `\"*\"` in ALLOWED_HOSTS in the production settings.\n### Why is this bad?\nDjango then trusts any Host header (host header poisoning of password-reset links and\nabsolute URLs).\n### Example\n```python\nALLOWED_HOSTS = [\"*\"]\n```\n### Fix\nRead the host names from the environment:\n`ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")`.",
    patchable: true,
};

pub const DEBUG_FROM_TEXT: Check = Check {
    code: "DJS011",
    name: "debug-from-text",
    severity: Severity::Error,
    summary: "DEBUG is the text of an environment variable, not a boolean",
    doc: "### What it does\nFinds DEBUG set to the raw text of an environment variable (`os.environ.get(\"DEBUG\")`),\nor to `bool()` of that text.\n### Why is this bad?\nEvery non-empty string is true in Python: `DEBUG=False` and `DEBUG=0` in the environment\nturn DEBUG on, and the deployment that meant to switch it off shows tracebacks.\n### Example\n```python\nDEBUG = bool(os.environ.get(\"DEBUG\", 0))\n```\n### Fix\nCompare the text: `DEBUG = os.environ.get(\"DEBUG\", \"0\").lower() in (\"1\", \"true\", \"yes\")`,\nor use a reader that parses booleans (`env.bool(\"DEBUG\", default=False)`).",
    patchable: false,
};

pub const INSECURE_DEFAULT: Check = Check {
    code: "DJS012",
    name: "insecure-default",
    severity: Severity::Warning,
    summary: "a setting read from the environment falls back to an insecure default",
    doc: "### What it does\nFinds environment reads whose default is unsafe in production: DEBUG on, a SECRET_KEY\nwritten in the settings, ALLOWED_HOSTS of `*`.\n### Why is this bad?\nThe default is what runs when a deployment forgets the variable, silently: tracebacks for\nvisitors, a signing key anyone with the repository has, any Host header trusted.\n### Example\n```python\nDEBUG = env.bool(\"DEBUG\", default=True)\nSECRET_KEY = os.environ.get(\"SECRET_KEY\", \"django-insecure-abc\")\n```\n### Fix\nMake the default the safe value (DEBUG off, `localhost`), and give SECRET_KEY no default so\nthat a missing key fails at start.",
    patchable: false,
};

/// Every check, in code order.
pub const ALL: &[&Check] = &[
    &SECRET_KEY,
    &DEBUG,
    &ALLOWED_HOSTS,
    &SQLITE,
    &DB_HOST,
    &STATIC_ROOT,
    &CSRF,
    &PROXY_SSL,
    &MEDIA_ROOT,
    &ALLOWED_HOSTS_WILDCARD,
    &DEBUG_FROM_TEXT,
    &INSECURE_DEFAULT,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_in_order() {
        let codes: Vec<&str> = ALL.iter().map(|c| c.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }
}

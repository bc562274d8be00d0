//! The Django settings checks (`DJSnnn`) as lint rules. The checks themselves live in
//! `detect::problems` (where `inspect` and `init --patch-settings` use them); each rule
//! here reports the problems of its code at the line of the setting.

use crate::lint::{Context, Hit, Rule, Severity};

/// Each project's problems of this code (a repository may hold several projects).
fn hits(ctx: &Context, code: &str) -> Vec<Hit> {
    ctx.projects
        .iter()
        .flat_map(|facts| facts.problems.iter())
        .filter(|p| p.code == code)
        .map(|p| {
            let src = ctx.src(&p.evidence.file);
            let range = match p.evidence.line {
                Some(l) => src.line_span(l),
                None => 0..0,
            };
            Hit::new(&p.evidence.file, range, p.message.clone()).with_help(p.fix.clone())
        })
        .collect()
}

macro_rules! settings_rule {
    ($const:ident, $code:literal, $name:literal, $sev:expr, $summary:literal, $doc:literal) => {
        pub const $const: Rule = Rule {
            code: $code,
            name: $name,
            buildkit: None,
            severity: $sev,
            summary: $summary,
            doc: $doc,
            fixable: false,
            check: |ctx| hits(ctx, $code),
        };
    };
}

settings_rule!(
    SECRET_KEY,
    "DJS001",
    "hardcoded-secret-key",
    Severity::Error,
    "SECRET_KEY is a literal in the production settings, or missing",
    "### What it does\nFinds a SECRET_KEY written as a string in the production settings, or none at all.\n### Why is this bad?\nA literal key is in version control and in every image built from it; whoever has it\ncan forge sessions and password-reset tokens. Without a key Django does not start.\n### Example\n```python\nSECRET_KEY = \"django-insecure-…\"\n```\n### Fix\n`SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]`, with the value in a gitignored .env\n(`djship init --patch-settings` does this)."
);
settings_rule!(
    DEBUG,
    "DJS002",
    "debug-true",
    Severity::Error,
    "DEBUG = True in the production settings",
    "### What it does\nFinds `DEBUG = True` in the settings module production uses.\n### Why is this bad?\nTracebacks with settings and local variables are shown to every visitor, and every SQL\nquery is kept in memory.\n### Example\n```python\nDEBUG = True\n```\n### Fix\n`DEBUG = os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"`, turned on by the development\ncompose file only."
);
settings_rule!(
    ALLOWED_HOSTS,
    "DJS003",
    "allowed-hosts-fixed",
    Severity::Error,
    "ALLOWED_HOSTS is fixed in code, or unset",
    "### What it does\nFinds ALLOWED_HOSTS written as a fixed list, or not set at all.\n### Why is this bad?\nWith DEBUG off, Django answers every request for a host not in the list with 400; the\nhost a container is served under is known at deploy time, not when the code is written.\n### Example\n```python\nALLOWED_HOSTS = []\n```\n### Fix\n`ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")`."
);
settings_rule!(
    SQLITE,
    "DJS004",
    "sqlite-in-image",
    Severity::Error,
    "the default database is an SQLite file",
    "### What it does\nFinds a default database that is an SQLite file whose path is fixed in the settings.\n### Why is this bad?\nThe file lives in the container's writable layer: it vanishes with the container, is\nnot shared between replicas, and the app user often cannot write there.\n### Example\n```python\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": BASE_DIR / \"db.sqlite3\"}}\n```\n### Fix\nRead the database from the environment (POSTGRES_* variables or DATABASE_URL) and run\nPostgreSQL beside the app."
);
settings_rule!(
    DB_HOST,
    "DJS005",
    "database-local-host",
    Severity::Error,
    "the database HOST is localhost or a socket",
    "### What it does\nFinds a PostgreSQL or MySQL database whose HOST is empty, `localhost`, `127.0.0.1` or a\nsocket path.\n### Why is this bad?\nInside a container, localhost is the container itself: the app cannot reach the\ndatabase service (`could not connect to server`, seed 000's troubleshooting).\n### Example\n```python\n\"HOST\": \"localhost\",\n```\n### Fix\nRead HOST (and NAME, USER, PASSWORD, PORT) from the environment; compose sets the\nservice name (`db`)."
);
settings_rule!(
    STATIC_ROOT,
    "DJS006",
    "static-root-missing",
    Severity::Error,
    "STATIC_ROOT is not set",
    "### What it does\nFinds production settings without STATIC_ROOT.\n### Why is this bad?\n`collectstatic` refuses to run (seed 000's Dockerfile fails on a fresh project), so\nthere are no static files for nginx or whitenoise to serve.\n### Example\n```python\nSTATIC_URL = \"static/\"\n```\n### Fix\n`STATIC_ROOT = BASE_DIR / \"staticfiles\"`."
);
settings_rule!(
    CSRF,
    "DJS007",
    "csrf-trusted-origins-missing",
    Severity::Warning,
    "CSRF_TRUSTED_ORIGINS is not set",
    "### What it does\nFinds production settings without CSRF_TRUSTED_ORIGINS and without SECURE_PROXY_SSL_HEADER.\nWith the proxy header set, Django knows the request came over HTTPS and a post from the\nsite's own origin passes, so the rule stays quiet.\n### Why is this bad?\nBehind a proxy on HTTPS, form posts from the site's own origin fail the CSRF check\n(Django 4+ checks the Origin header against the scheme it sees).\n### Example\n```python\n# no CSRF_TRUSTED_ORIGINS\n```\n### Fix\n`CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get(\"DJANGO_CSRF_TRUSTED_ORIGINS\", \"\").split(\",\") if o]`."
);
settings_rule!(
    PROXY_SSL,
    "DJS008",
    "proxy-ssl-header-missing",
    Severity::Warning,
    "SECURE_PROXY_SSL_HEADER is not set",
    "### What it does\nFinds production settings without SECURE_PROXY_SSL_HEADER.\n### Why is this bad?\nBehind nginx, Django sees plain HTTP: `request.is_secure()` is false, secure redirects\nloop and absolute URLs use http://.\n### Example\n```python\n# no SECURE_PROXY_SSL_HEADER\n```\n### Fix\n`SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")`, with nginx setting\nX-Forwarded-Proto."
);
settings_rule!(
    MEDIA_ROOT,
    "DJS009",
    "media-root-missing",
    Severity::Warning,
    "MEDIA_ROOT is not set",
    "### What it does\nFinds production settings without MEDIA_ROOT in a project that stores uploads: a\nFileField or ImageField in its own code, or an installed app that stores files (Wagtail\nimages and documents, django-filer).\n### Why is this bad?\nUploads land in the working directory: read-only for a non-root app user, and not on\na volume, so they vanish with the container.\n### Example\n```python\nMEDIA_URL = \"media/\"\n```\n### Fix\n`MEDIA_ROOT = BASE_DIR / \"media\"`, with a volume mounted there."
);
settings_rule!(
    ALLOWED_HOSTS_WILDCARD,
    "DJS010",
    "allowed-hosts-wildcard",
    Severity::Warning,
    "ALLOWED_HOSTS contains `*` in the production settings",
    "### What it does\nFinds `\"*\"` in ALLOWED_HOSTS in the production settings.\n### Why is this bad?\nDjango then trusts any Host header (host header poisoning of password-reset links and\nabsolute URLs).\n### Example\n```python\nALLOWED_HOSTS = [\"*\"]\n```\n### Fix\nRead the host names from the environment:\n`ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")`."
);
settings_rule!(
    DEBUG_FROM_TEXT,
    "DJS011",
    "debug-from-text",
    Severity::Error,
    "DEBUG is the text of an environment variable, not a boolean",
    "### What it does\nFinds DEBUG set to the raw text of an environment variable (`os.environ.get(\"DEBUG\")`),\nor to `bool()` of that text.\n### Why is this bad?\nEvery non-empty string is true in Python: `DEBUG=False` and `DEBUG=0` in the environment\nturn DEBUG on, and the deployment that meant to switch it off shows tracebacks.\n### Example\n```python\nDEBUG = bool(os.environ.get(\"DEBUG\", 0))\n```\n### Fix\nCompare the text: `DEBUG = os.environ.get(\"DEBUG\", \"0\").lower() in (\"1\", \"true\", \"yes\")`,\nor use a reader that parses booleans (`env.bool(\"DEBUG\", default=False)`)."
);
settings_rule!(
    INSECURE_DEFAULT,
    "DJS012",
    "insecure-default",
    Severity::Warning,
    "a setting read from the environment falls back to an insecure default",
    "### What it does\nFinds environment reads whose default is unsafe in production: DEBUG on, a SECRET_KEY\nwritten in the settings, ALLOWED_HOSTS of `*`.\n### Why is this bad?\nThe default is what runs when a deployment forgets the variable, silently: tracebacks for\nvisitors, a signing key anyone with the repository has, any Host header trusted.\n### Example\n```python\nDEBUG = env.bool(\"DEBUG\", default=True)\nSECRET_KEY = os.environ.get(\"SECRET_KEY\", \"django-insecure-abc\")\n```\n### Fix\nMake the default the safe value (DEBUG off, `localhost`), and give SECRET_KEY no default so\nthat a missing key fails at start."
);

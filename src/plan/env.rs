//! The environment: which variables the containers get, with what values, and which are
//! secrets. Values may hold `${NAME}` references to generated secrets; the writer resolves
//! them (and keeps the values of an existing .env).

use super::{Database, DbEngine};
use crate::checks::{self, Check};
use crate::detect::{DbKind, Facts};
use crate::options::deploy::Deploy;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Generate {
    /// 50 characters for Django's SECRET_KEY.
    SecretKey,
    /// 32 alphanumeric characters (safe in URLs).
    Password,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Var {
    pub name: String,
    /// Value written to .env (`${OTHER}` references resolved at write time). `None`: the
    /// variable is listed commented out, so the settings' default applies.
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generate: Option<Generate>,
    pub secret: bool,
    /// One line for .env.example.
    pub comment: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EnvPlan {
    pub vars: Vec<Var>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key_var: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debug_var: Option<String>,
    /// The value that turns DEBUG off (`False`, or empty when the settings read text).
    pub debug_off: String,
    /// Variables that must stay unset (listed commented out): setting them, even empty,
    /// changes what the settings choose.
    #[serde(skip)]
    pub unset: Vec<String>,
    /// Set only for the collectstatic step of the image build: never real secrets.
    pub build_placeholders: Vec<(String, String)>,
    /// Variables the development stack sets otherwise than production (HTTPS-only settings
    /// off under runserver).
    pub development_off: Vec<DevOverride>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DevOverride {
    pub name: String,
    pub value: String,
    pub why: String,
}

impl EnvPlan {
    fn push(
        &mut self,
        name: &str,
        value: Option<String>,
        generate: Option<Generate>,
        secret: bool,
        comment: impl Into<String>,
    ) {
        if self.unset.iter().any(|u| u == name) {
            return;
        }
        if let Some(v) = self.vars.iter_mut().find(|v| v.name == name) {
            // A role (database, secret key) decided the value: keep the settings' own comment.
            if v.value.is_none() && v.generate.is_none() {
                v.value = value;
                v.generate = generate;
            }
            v.secret |= secret;
            return;
        }
        self.vars.push(Var {
            name: name.into(),
            value,
            generate,
            secret,
            comment: comment.into(),
        });
    }
}

/// Settings that assume HTTPS between the browser and Django.
const HTTPS_ONLY: &[&str] = &[
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
];

pub fn plan(
    facts: &Facts,
    deploy: &Deploy,
    name: &str,
    database: Option<&Database>,
    redis: bool,
    patch: bool,
) -> EnvPlan {
    let mut p = EnvPlan::default();
    django(&mut p, facts, patch);
    https_off_in_development(&mut p, facts);
    hosts(&mut p, facts, deploy, patch);
    database_service(&mut p, facts, database, name, patch);
    database_selector(&mut p, facts);
    if redis {
        redis_urls(&mut p, facts);
    }
    settings_reads(&mut p, facts);
    build_placeholders(&mut p, facts);
    p
}

/// The variable that holds `setting` in the settings, or the one the settings patch reads
/// (`name`) when the patch fixes one of `checks`.
fn patched(
    facts: &Facts,
    patch: bool,
    setting: &str,
    name: &str,
    checks: &[&Check],
) -> Option<String> {
    facts
        .env_vars
        .iter()
        .find(|v| v.setting.as_deref() == Some(setting))
        .map(|v| v.name.clone())
        .or_else(|| {
            let fixes = patch
                && facts
                    .problems
                    .iter()
                    .any(|p| p.patchable && checks.iter().any(|c| c.code == p.code));
            fixes.then(|| name.to_string())
        })
}

/// SECRET_KEY and DEBUG, and the switches that make the settings trust the proxy in front.
fn django(p: &mut EnvPlan, facts: &Facts, patch: bool) {
    if let Some(v) = patched(
        facts,
        patch,
        "SECRET_KEY",
        "DJANGO_SECRET_KEY",
        &[&checks::SECRET_KEY, &checks::INSECURE_DEFAULT],
    ) {
        p.push(
            &v,
            None,
            Some(Generate::SecretKey),
            true,
            "Django's SECRET_KEY: long, random, never committed",
        );
        p.secret_key_var = Some(v);
    }
    if let Some(v) = patched(
        facts,
        patch,
        "DEBUG",
        "DJANGO_DEBUG",
        &[&checks::SECRET_KEY, &checks::DEBUG],
    ) {
        // Settings that take DEBUG as the variable's text treat any non-empty value as on.
        let text = facts
            .problems
            .iter()
            .any(|p| p.code == checks::DEBUG_FROM_TEXT.code);
        p.debug_off = if text { String::new() } else { "False".into() };
        p.push(
            &v,
            Some(p.debug_off.clone()),
            None,
            false,
            if text {
                "Django's DEBUG: empty in production, because the settings read it as text and any non-empty value (\"False\" too) turns it on; the development setup turns it on"
            } else {
                "Django's DEBUG: False in production; the development setup turns it on"
            },
        );
        p.debug_var = Some(v);
    }
    for sw in &facts.proxy_switches {
        p.push(
            &sw.var,
            Some(sw.value.clone()),
            None,
            false,
            format!(
                "turns on {} ({}): nginx in front sends X-Forwarded-Proto and X-Forwarded-Host",
                sw.setting, sw.evidence
            ),
        );
    }
}

/// Settings that assume HTTPS: production serves HTTPS (nginx, or a load balancer in
/// front), so they stay as the settings want them; the development stack serves plain
/// HTTP, where an HTTPS redirect answers every page with 301 and secure-only cookies never
/// come back: the development setup turns them off there.
fn https_off_in_development(p: &mut EnvPlan, facts: &Facts) {
    for v in &facts.env_vars {
        let Some(setting) = v.setting.as_deref() else {
            continue;
        };
        if !HTTPS_ONLY.contains(&setting) {
            continue;
        }
        let on_by_default = v.required
            || v.default.as_deref().is_some_and(|d| {
                let d = d.trim().to_ascii_lowercase();
                !(d.is_empty()
                    || d == "0"
                    || d == "false"
                    || d == "none"
                    || d == "no"
                    || d == "off")
            });
        if on_by_default && !p.development_off.iter().any(|o| o.name == v.name) {
            p.development_off.push(DevOverride {
                name: v.name.clone(),
                value: "0".into(),
                why: format!(
                    "{setting} off in development: runserver serves plain HTTP ({})",
                    v.evidence
                ),
            });
        }
    }
}

/// ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS, from the deployment's host names.
fn hosts(p: &mut EnvPlan, facts: &Facts, deploy: &Deploy, patch: bool) {
    if let Some(v) = patched(
        facts,
        patch,
        "ALLOWED_HOSTS",
        "DJANGO_ALLOWED_HOSTS",
        &[&checks::ALLOWED_HOSTS, &checks::ALLOWED_HOSTS_WILDCARD],
    ) {
        p.push(
            &v,
            Some(deploy.allowed_hosts().join(",")),
            None,
            false,
            "comma-separated host names the site answers to (djship init --host adds one)",
        );
    }
    if let Some(v) = patched(
        facts,
        patch,
        "CSRF_TRUSTED_ORIGINS",
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        &[&checks::CSRF],
    ) {
        p.push(
            &v,
            Some(deploy.origins().join(",")),
            None,
            false,
            "comma-separated origins (scheme://host) allowed to post forms",
        );
    }
}

/// The database service's variables (its containers read them) and how Django reaches it:
/// a URL variable, the variables of each DATABASES field, or the patch's.
fn database_service(
    p: &mut EnvPlan,
    facts: &Facts,
    database: Option<&Database>,
    name: &str,
    patch: bool,
) {
    let default_db = facts.databases.iter().find(|d| d.alias == "default");
    match database {
        Some(db) if db.kind == DbEngine::Postgresql => {
            postgres(p, facts, db, default_db, name, patch)
        }
        Some(db) if db.kind == DbEngine::Mariadb => mariadb(p, facts, db, default_db, name),
        _ => {}
    }
}

fn postgres(
    p: &mut EnvPlan,
    facts: &Facts,
    db: &Database,
    default_db: Option<&crate::detect::Database>,
    name: &str,
    patch: bool,
) {
    p.push(
        "POSTGRES_DB",
        Some(name.replace('-', "_")),
        None,
        false,
        "database name (read by the postgres container)",
    );
    p.push(
        "POSTGRES_USER",
        Some(name.replace('-', "_")),
        None,
        false,
        "database user (read by the postgres container)",
    );
    p.push(
        "POSTGRES_PASSWORD",
        None,
        Some(Generate::Password),
        true,
        "database password (read by the postgres container)",
    );
    let url = format!(
        "postgres://${{POSTGRES_USER}}:${{POSTGRES_PASSWORD}}@{}:5432/${{POSTGRES_DB}}",
        db.service
    );
    let parts = [
        "${POSTGRES_DB}",
        "${POSTGRES_USER}",
        "${POSTGRES_PASSWORD}",
        &db.service,
        "5432",
    ];
    if !connection(p, facts, default_db, DbKind::Postgresql, url, parts) && patch {
        p.push(
            "POSTGRES_HOST",
            Some(db.service.clone()),
            None,
            false,
            "database host: the database service's name",
        );
        p.push(
            "POSTGRES_PORT",
            Some("5432".into()),
            None,
            false,
            "database port",
        );
    }
}

fn mariadb(
    p: &mut EnvPlan,
    facts: &Facts,
    db: &Database,
    default_db: Option<&crate::detect::Database>,
    name: &str,
) {
    p.push(
        "MARIADB_DATABASE",
        Some(name.replace('-', "_")),
        None,
        false,
        "database name (read by the mariadb container)",
    );
    p.push(
        "MARIADB_USER",
        Some(name.replace('-', "_")),
        None,
        false,
        "database user (read by the mariadb container)",
    );
    p.push(
        "MARIADB_PASSWORD",
        None,
        Some(Generate::Password),
        true,
        "database password",
    );
    p.push(
        "MARIADB_ROOT_PASSWORD",
        None,
        Some(Generate::Password),
        true,
        "database root password",
    );
    let url = format!(
        "mysql://${{MARIADB_USER}}:${{MARIADB_PASSWORD}}@{}:3306/${{MARIADB_DATABASE}}",
        db.service
    );
    let parts = [
        "${MARIADB_DATABASE}",
        "${MARIADB_USER}",
        "${MARIADB_PASSWORD}",
        &db.service,
        "3306",
    ];
    connection(p, facts, default_db, DbKind::Mysql, url, parts);
}

/// The settings pick their database by a variable: give it the value that selects the
/// database the stack runs.
fn database_selector(p: &mut EnvPlan, facts: &Facts) {
    for db in facts.databases.iter().filter(|d| d.alias == "default") {
        if let Some(sel) = &db.selected_by {
            if Some(&sel.var) != db.url_env.as_ref() && !sel.var.is_empty() {
                let comment = format!(
                    "selects the database in the settings ({}: {}); {} gives {:?}, the database the stack runs",
                    sel.evidence,
                    sel.test,
                    if sel.value.is_some() { "this value" } else { "leaving it unset" },
                    db.kind
                )
                .to_lowercase();
                match &sel.value {
                    Some(v) => p.push(&sel.var, Some(v.clone()), None, false, comment),
                    None => {
                        // Even an empty value would select another database: keep it out.
                        p.push(&sel.var, None, None, false, comment);
                        p.unset.push(sel.var.clone());
                    }
                }
            }
        }
    }
}

/// The variables that name a Redis URL (cache, Celery's broker and results), pointed at the
/// redis service.
fn redis_urls(p: &mut EnvPlan, facts: &Facts) {
    for v in &facts.env_vars {
        let n = v.name.to_ascii_uppercase();
        let redis_default = v
            .default
            .as_deref()
            .is_some_and(|d| d.starts_with("redis://") || d.starts_with("rediss://"));
        if v.url_of.as_deref() == Some("cache")
            || redis_default
            || ["REDIS", "BROKER", "RESULT_BACKEND"]
                .iter()
                .any(|w| n.contains(w))
            || n == "CACHE_URL"
        {
            let db = if n.contains("BROKER") || n.contains("CELERY") {
                1
            } else {
                0
            };
            p.push(
                &v.name,
                Some(format!("redis://redis:6379/{db}")),
                None,
                false,
                "Redis URL: the redis service",
            );
        }
    }
}

/// Everything else the settings read, with where and its default.
fn settings_reads(p: &mut EnvPlan, facts: &Facts) {
    for v in &facts.env_vars {
        let comment = match (&v.setting, &v.default) {
            (Some(s), Some(d)) => format!("{s} (default {d:?}, {})", v.evidence),
            (Some(s), None) => format!("{s} (required, {})", v.evidence),
            (None, Some(d)) => format!("read at {} (default {d:?})", v.evidence),
            (None, None) => format!("read at {} (required)", v.evidence),
        };
        let value = if v.required && v.default.is_none() {
            Some(String::new())
        } else {
            None
        };
        p.push(&v.name, value, None, v.secret, comment);
    }
}

/// Placeholders so that importing the settings works during `collectstatic`.
fn build_placeholders(p: &mut EnvPlan, facts: &Facts) {
    let default_db = facts.databases.iter().find(|d| d.alias == "default");
    for var in &p.vars {
        let fv = facts.env_vars.iter().find(|v| v.name == var.name);
        let needed = fv.is_some_and(|v| v.required && v.default.is_none())
            || p.secret_key_var.as_ref() == Some(&var.name);
        if !needed {
            continue;
        }
        let n = var.name.to_ascii_uppercase();
        let placeholder = if fv.and_then(|v| v.url_of.as_deref()) == Some("database")
            || n.contains("DATABASE_URL")
        {
            match default_db.map(|d| d.kind) {
                Some(DbKind::Mysql) => "mysql://build:build@localhost:3306/build",
                _ => "postgres://build:build@localhost:5432/build",
            }
        } else if fv.and_then(|v| v.url_of.as_deref()) == Some("cache")
            || n.contains("REDIS")
            || n.contains("BROKER")
        {
            "redis://localhost:6379/0"
        } else if ["PORT", "TIMEOUT", "AGE", "WORKERS", "COUNT", "SIZE"]
            .iter()
            .any(|w| n.contains(w))
        {
            "0"
        } else if ["HOSTS", "ORIGINS"].iter().any(|w| n.contains(w)) {
            "localhost"
        } else {
            "build-placeholder-not-a-secret"
        };
        p.build_placeholders
            .push((var.name.clone(), placeholder.into()));
    }
}

/// How Django reaches the database service: the settings' URL variable gets `url`, or the
/// variables of each DATABASES field get `parts` (NAME, USER, PASSWORD, HOST, PORT) when the
/// settings use that engine. False when the settings read neither.
fn connection(
    p: &mut EnvPlan,
    facts: &Facts,
    default_db: Option<&crate::detect::Database>,
    kind: DbKind,
    url: String,
    parts: [&str; 5],
) -> bool {
    if let Some(var) = default_db.and_then(|d| d.url_env.clone()) {
        p.push(
            &var,
            Some(url),
            None,
            true,
            "database URL Django connects with",
        );
    } else if let Some(fields) = default_db
        .filter(|d| d.kind == kind)
        .and_then(|_| db_part_vars(facts))
    {
        push_db_parts(p, fields, parts);
    } else {
        return false;
    }
    true
}

/// The values of the variables feeding DATABASES['default'] field by field, from the
/// database service's: `values` for NAME, USER, PASSWORD, HOST and PORT.
fn push_db_parts(p: &mut EnvPlan, parts: Vec<(String, String)>, values: [&str; 5]) {
    for (field, var) in parts {
        let Some(i) = ["NAME", "USER", "PASSWORD", "HOST", "PORT"]
            .iter()
            .position(|f| *f == field)
        else {
            continue;
        };
        p.push(
            &var,
            Some(values[i].into()),
            None,
            field == "PASSWORD",
            format!("DATABASES['default']['{field}']"),
        );
    }
}

/// Environment variables feeding DATABASES['default'] field by field.
fn db_part_vars(facts: &Facts) -> Option<Vec<(String, String)>> {
    let fields: Vec<(String, String)> = facts
        .env_vars
        .iter()
        .filter_map(|v| {
            let n = v.name.to_ascii_uppercase();
            let field = ["NAME", "USER", "PASSWORD", "HOST", "PORT"]
                .into_iter()
                .find(|f| {
                    n.ends_with(&format!("_{f}"))
                        && (n.contains("DB")
                            || n.contains("DATABASE")
                            || n.starts_with("POSTGRES")
                            || n.starts_with("PG")
                            || n.starts_with("MYSQL")
                            || n.starts_with("MARIADB"))
                })?;
            Some((field.to_string(), v.name.clone()))
        })
        .collect();
    (!fields.is_empty()).then_some(fields)
}

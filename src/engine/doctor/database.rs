//! The database, migrations and database-password checks: Django's connection and the
//! unapplied migrations from the web container, and the database's password against .env.

use super::{env, output_text, ports, run_timeout, Check, Compose, Finding, Lookup, Target};
use crate::engine::{state::ServiceState, Engine};
use crate::evidence::Evidence;
use crate::lint::compose as lc;
use crate::plan::DbEngine;
use crate::shell::quote;
use std::collections::BTreeMap;
use std::time::Duration;

/// Run in the web container with `python -c`: Django's own connection to each database,
/// then the migrations `migrate` would apply (what `migrate --check` looks at). Prints
/// tab-separated lines that start with `djship-doctor`.
const DB_PROBE: &str = r#"
import os, sys
sys.path.insert(0, os.getcwd())
def out(*words):
    print("\t".join(["djship-doctor"] + [" ".join(str(w).split()) for w in words]), flush=True)
try:
    import django
    django.setup()
    from django.db import connections
except Exception as exc:
    out("setup", "%s: %s" % (type(exc).__name__, exc))
    sys.exit(0)
ok = False
for alias in connections:
    c = connections[alias]
    host = c.settings_dict.get("HOST") or ""
    try:
        c.ensure_connection()
        out("db-ok", alias, c.vendor, host)
        ok = ok or alias == "default"
    except Exception as exc:
        out("db-error", alias, c.vendor, host, "%s: %s" % (type(exc).__name__, exc))
if ok:
    try:
        from django.db.migrations.executor import MigrationExecutor
        ex = MigrationExecutor(connections["default"])
        for app, names in ex.loader.detect_conflicts().items():
            out("conflict", app, ", ".join(sorted(names)))
        for m, backwards in ex.migration_plan(ex.loader.graph.leaf_nodes()):
            out("unapplied", "%s.%s" % (m.app_label, m.name))
        out("migrations-checked")
    except Exception as exc:
        out("migrations-error", "%s: %s" % (type(exc).__name__, exc))
"#;

/// What the probe in the web container said.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct DbProbe {
    /// Django could not even start (settings error): the message.
    pub setup_error: Option<String>,
    /// (alias, vendor, host).
    pub ok: Vec<(String, String, String)>,
    /// (alias, vendor, host, the driver's error).
    pub errors: Vec<(String, String, String, String)>,
    pub unapplied: Vec<String>,
    pub conflicts: Vec<(String, String)>,
    pub migrations_checked: bool,
    pub migrations_error: Option<String>,
    /// The exec itself failed (no python, timeout): its output.
    pub exec_error: Option<String>,
}

pub(super) fn parse_db_probe(stdout: &str) -> DbProbe {
    let mut p = DbProbe::default();
    for line in stdout.lines() {
        let mut w = line.split('\t');
        if w.next() != Some("djship-doctor") {
            continue;
        }
        let kind = w.next().unwrap_or("");
        let rest: Vec<String> = w.map(String::from).collect();
        let get = |i: usize| rest.get(i).cloned().unwrap_or_default();
        match kind {
            "setup" => p.setup_error = Some(get(0)),
            "db-ok" => p.ok.push((get(0), get(1), get(2))),
            "db-error" => p.errors.push((get(0), get(1), get(2), get(3))),
            "unapplied" => p.unapplied.push(get(0)),
            "conflict" => p.conflicts.push((get(0), get(1))),
            "migrations-checked" => p.migrations_checked = true,
            "migrations-error" => p.migrations_error = Some(get(0)),
            _ => {}
        }
    }
    p
}

/// Whether a driver's error says the server refused the password.
pub(super) fn password_refused(error: &str) -> bool {
    let e = error.to_ascii_lowercase();
    e.contains("password authentication failed")
        || e.contains("access denied for user")
        || e.contains("(1045")
}

pub(super) fn db_probe(engine: &Engine, t: &Target, web: &ServiceState) -> DbProbe {
    let cmd = engine.compose_cmd(
        &t.project,
        &["exec", "-T", &web.service, "python", "-c", DB_PROBE],
    );
    match run_timeout(cmd, None, Duration::from_secs(60)) {
        Err(e) => DbProbe {
            exec_error: Some(e),
            ..DbProbe::default()
        },
        Ok(o) => {
            let mut p = parse_db_probe(&String::from_utf8_lossy(&o.stdout));
            if p.setup_error.is_none() && p.ok.is_empty() && p.errors.is_empty() {
                p.exec_error = Some(output_text(&o));
            }
            p
        }
    }
}

pub(super) fn database_check(
    t: &Target,
    engine: &Engine,
    p: &DbProbe,
    states: &[ServiceState],
) -> Check {
    let web = crate::targets::compose::WEB_SERVICE;
    let mut findings = Vec::new();
    if let Some(e) = &p.exec_error {
        findings.push(
            Finding::error(
                format!("cannot run Python in the {web} container to reach the database"),
                format!(
                    "see the output below; `{}` shows the container's log",
                    format_args!(
                        "djship logs{} {} --service {web}",
                        if t.prod { " --prod" } else { "" },
                        quote(&t.shown)
                    )
                ),
            )
            .with_detail(e.lines().map(String::from).collect()),
        );
    }
    if let Some(e) = &p.setup_error {
        findings.push(Finding::error(
            format!("Django does not start in the {web} container: {e}"),
            "fix the settings error above (the env check names missing variables)",
        ));
    }
    let db_service = t.plan.database.as_ref().map(|d| d.service.clone());
    for (alias, vendor, host, error) in &p.errors {
        let db_state = states
            .iter()
            .find(|s| Some(&s.service) == db_service.as_ref() || s.service == *host);
        let remedy = if password_refused(error) {
            "the database refuses the password the web container was started with: see \
             database-password"
                .to_string()
        } else if let Some(s) = db_state.filter(|s| s.status != "running") {
            format!(
                "the {} service is not running ({}): start it: `{}`",
                s.service,
                s.describe(),
                engine.command_line(&t.project, &["start", &s.service])
            )
        } else if db_state.is_none() && db_service.as_deref().is_some_and(|d| d == host) {
            format!(
                "the {host} service has no container: `{} --no-build`",
                t.djship("up")
            )
        } else {
            format!(
                "check the database variables in .env (host {host:?}) and the database's log: \
                 `djship logs{} {} --service {}`",
                if t.prod { " --prod" } else { "" },
                quote(&t.shown),
                db_service.as_deref().unwrap_or(host)
            )
        };
        findings.push(Finding::error(
            format!(
                "the {web} container cannot connect to the {alias} database ({vendor}{}): {error}",
                if host.is_empty() {
                    String::new()
                } else {
                    format!(" at {host}")
                }
            ),
            remedy,
        ));
    }
    let summary = if p.ok.is_empty() {
        format!("Django's connection from the {web} container")
    } else {
        format!(
            "Django connects from the {web} container to {}",
            p.ok.iter()
                .map(|(a, v, h)| format!(
                    "{a} ({v}{})",
                    if h.is_empty() {
                        String::new()
                    } else {
                        format!(" at {h}")
                    }
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Check::done("database", summary, findings)
}

pub(super) fn migrations_check(t: &Target, p: &DbProbe) -> Check {
    if !p.migrations_checked && p.migrations_error.is_none() {
        return Check::skipped(
            "migrations",
            "the web container cannot reach the database (see database)",
        );
    }
    let mut findings = Vec::new();
    let migrate = if t.prod {
        format!("`{} --no-build` (its migrate service applies them), or `djship manage --prod {} -- migrate`", t.djship("up"), quote(&t.shown))
    } else {
        format!("`djship manage {} -- migrate`", quote(&t.shown))
    };
    if let Some(e) = &p.migrations_error {
        findings.push(Finding::error(
            format!("Django cannot load the migrations: {e}"),
            "fix the migration files the message names",
        ));
    }
    for (app, names) in &p.conflicts {
        findings.push(Finding::error(
            format!("conflicting migrations in {app}: {names}"),
            format!(
                "merge them: `djship manage{} {} -- makemigrations --merge {app}` (then rebuild)",
                if t.prod { " --prod" } else { "" },
                quote(&t.shown)
            ),
        ));
    }
    if !p.unapplied.is_empty() {
        findings.push(
            Finding::error(
                format!(
                    "{} migration(s) not applied: {}",
                    p.unapplied.len(),
                    p.unapplied
                        .iter()
                        .take(8)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                        + if p.unapplied.len() > 8 { ", …" } else { "" }
                ),
                format!("apply them: {migrate}"),
            )
            .with_detail(p.unapplied.clone()),
        );
    }
    let summary = if p.unapplied.is_empty() && p.migrations_checked {
        "every migration of the default database is applied"
    } else {
        "the migrations of the default database"
    };
    Check::done("migrations", summary, findings)
}

// ---------------------------------------------------------------------------------------
// the database's password against .env

/// The variables of the database container for user, password and database.
fn db_credentials(
    kind: DbEngine,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
) {
    match kind {
        DbEngine::Postgresql => (&["POSTGRES_USER"], &["POSTGRES_PASSWORD"], &["POSTGRES_DB"]),
        DbEngine::Mariadb => (
            &["MARIADB_USER", "MYSQL_USER"],
            &["MARIADB_PASSWORD", "MYSQL_PASSWORD"],
            &["MARIADB_DATABASE", "MYSQL_DATABASE"],
        ),
    }
}

/// Connects over the container's own network address (loopback is trusted without a
/// password in the official images): the password comes on stdin, never in a command line.
const PG_PASSWORD_PROBE: &str = r#"read -r PGPASSWORD; export PGPASSWORD; ip=$(hostname -i | cut -d' ' -f1); exec psql -h "$ip" -U "$1" -d "$2" -Atc 'select 1'"#;
const MARIADB_PASSWORD_PROBE: &str = r#"read -r MYSQL_PWD; export MYSQL_PWD; ip=$(hostname -i | cut -d' ' -f1); if command -v mariadb >/dev/null; then c=mariadb; else c=mysql; fi; exec "$c" -h "$ip" -u "$1" -e 'select 1' "$2""#;

pub(super) fn password_check(
    t: &Target,
    engine: &Engine,
    compose: &Compose,
    lookup: &Lookup,
    states: &[ServiceState],
) -> Check {
    let id = "database-password";
    let Some(db) = &t.plan.database else {
        return Check::skipped(id, "the stack has no database service");
    };
    let Some(svc) = compose.service(&db.service) else {
        return Check::skipped(
            id,
            format!("{} has no {} service", t.project.file, db.service),
        );
    };
    if !states
        .iter()
        .any(|s| s.service == db.service && s.status == "running")
    {
        return Check::skipped(id, format!("the {} service is not running", db.service));
    }
    let env: BTreeMap<String, (Option<String>, Option<Evidence>)> = svc
        .get("environment")
        .map(|e| {
            e.env_pairs()
                .into_iter()
                .map(|(k, v, r)| {
                    let v = v.map(|v| ports::interpolate(&v, &|n| lookup.get(n)).0);
                    (
                        k,
                        (
                            v,
                            Some(Evidence::at(
                                t.project.file.clone(),
                                compose.src.position(r.start).line,
                            )),
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let (users, passwords, dbs) = db_credentials(db.kind);
    let pick = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| env.get(*n).map(|v| (n.to_string(), v.clone())))
    };
    let Some((pw_var, (Some(password), pw_at))) = pick(passwords) else {
        return Check::skipped(
            id,
            format!(
                "the {} service's password is not set in {}",
                db.service, t.project.file
            ),
        );
    };
    let user = pick(users)
        .and_then(|(_, (v, _))| v)
        .unwrap_or_else(|| match db.kind {
            DbEngine::Postgresql => "postgres".into(),
            DbEngine::Mariadb => "root".into(),
        });
    let database = pick(dbs)
        .and_then(|(_, (v, _))| v)
        .unwrap_or_else(|| user.clone());
    let script = match db.kind {
        DbEngine::Postgresql => PG_PASSWORD_PROBE,
        DbEngine::Mariadb => MARIADB_PASSWORD_PROBE,
    };
    let cmd = engine.compose_cmd(
        &t.project,
        &[
            "exec",
            "-T",
            &db.service,
            "sh",
            "-c",
            script,
            "sh",
            &user,
            &database,
        ],
    );
    let summary = format!(
        "the {} service against {pw_var} from .env (user {user})",
        db.service
    );
    let out = match run_timeout(cmd, Some(&format!("{password}\n")), Duration::from_secs(30)) {
        Err(e) => {
            return Check::done(
                id,
                summary,
                vec![Finding::warning(
                    format!("cannot ask the {} service: {e}", db.service),
                    format!(
                        "see `djship logs{} {} --service {}`",
                        if t.prod { " --prod" } else { "" },
                        quote(&t.shown),
                        db.service
                    ),
                )],
            );
        }
        Ok(o) => o,
    };
    let text = output_text(&out);
    if out.status.success() {
        return Check::done(id, summary, Vec::new());
    }
    if !password_refused(&text) {
        return Check::done(
            id,
            summary,
            vec![Finding::warning(
                format!(
                    "cannot log in to the {} service to check the password",
                    db.service
                ),
                format!(
                    "see `djship logs{} {} --service {}`",
                    if t.prod { " --prod" } else { "" },
                    quote(&t.shown),
                    db.service
                ),
            )
            .with_detail(text.lines().map(String::from).collect())],
        );
    }
    let volume = lc::mounts(svc)
        .into_iter()
        .find(|m| !m.bind && m.target == db.data_dir.trim_end_matches('/'))
        .and_then(|m| m.source)
        .map(|v| format!("{}_{v}", t.project.name))
        .unwrap_or_else(|| "its data volume".into());
    let keep = match db.kind {
        DbEngine::Postgresql => format!(
            "; or keep the data and give the user .env's password: `{}` and type {pw_var} from .env twice",
            engine.command_line(&t.project, &["exec", &db.service, "psql", "-U", &user, "-d", &database, "-c", &format!("\\password {user}")])
        ),
        DbEngine::Mariadb => String::new(),
    };
    // Where .env sets the password (the line to change), else where compose reads it.
    let pw_at = std::fs::read_to_string(t.root.join(".env"))
        .ok()
        .and_then(|text| {
            env::read_env_file(&text)
                .into_iter()
                .find(|(k, _, _)| k == &pw_var)
                .map(|(_, _, line)| Evidence::at(".env", line))
        })
        .or(pw_at);
    Check::done(
        id,
        summary,
        vec![Finding::error(
            format!(
            "the database refuses {pw_var} from .env for {user}: {volume} was created with another \
             password (the database keeps the one it was first started with; a new .env does not \
             change it), so migrate and web stop at once with \"created with another password\""
        ),
            format!(
                "put the password the volume was created with back in .env ({pw_var}); or remove \
             the volume, which deletes the data: `{}` then `{}`{keep}",
                t.djship("down").replace("djship down", "djship down -v"),
                t.djship("up")
            ),
        )
        .at(pw_at)
        .with_detail(text.lines().map(String::from).collect())],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_web_containers_answer() {
        let out = "Operations to perform:\n\
                   djship-doctor\tdb-ok\tdefault\tpostgresql\tdb\n\
                   djship-doctor\tdb-error\tlegacy\tmysql\tolddb\tOperationalError: (2005, \"Unknown server host 'olddb'\")\n\
                   djship-doctor\tunapplied\tadmin.0001_initial\n\
                   djship-doctor\tunapplied\tadmin.0002_logentry_remove_auto_add\n\
                   djship-doctor\tconflict\tshop\t0002_a, 0002_b\n\
                   djship-doctor\tmigrations-checked\n";
        let p = parse_db_probe(out);
        assert_eq!(p.ok, [("default".into(), "postgresql".into(), "db".into())]);
        assert_eq!(p.errors.len(), 1);
        assert!(p.errors[0].3.starts_with("OperationalError: (2005"));
        assert_eq!(
            p.unapplied,
            ["admin.0001_initial", "admin.0002_logentry_remove_auto_add"]
        );
        assert_eq!(p.conflicts, [("shop".into(), "0002_a, 0002_b".into())]);
        assert!(p.migrations_checked);
        let p = parse_db_probe("djship-doctor\tsetup\tImproperlyConfigured: The SECRET_KEY setting must not be empty.\n");
        assert!(p.setup_error.unwrap().contains("SECRET_KEY"));
        assert_eq!(parse_db_probe("nothing"), DbProbe::default());
    }

    #[test]
    fn refused_passwords() {
        assert!(password_refused("OperationalError: connection failed: FATAL:  password authentication failed for user \"shop\""));
        assert!(password_refused(
            "ERROR 1045 (28000): Access denied for user 'shop'@'172.18.0.3' (using password: YES)"
        ));
        assert!(password_refused(
            "OperationalError: (1045, \"Access denied for user 'shop'@'x'\")"
        ));
        assert!(!password_refused(
            "could not translate host name \"db\" to address"
        ));
    }
}

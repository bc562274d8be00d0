//! The databases: which engine each alias of DATABASES uses, its drivers, and which
//! database djship picks when the settings choose one by an environment variable.

use super::deps::Dependencies;
use super::evidence::{Evidence, Warning};
use super::python::{self, Value};
use super::settings::Evaluated;
use super::{Database, DbKind, DbSelector};
use std::collections::HashMap;

/// A database that depends on a test djship cannot evaluate: say which was assumed.
pub(super) fn undecided_database_tests(prod: &Evaluated, warnings: &mut Vec<Warning>) {
    if let Some(raw) = prod.raw_value("DATABASES") {
        let mut unknown: Vec<&python::Cond> = Vec::new();
        raw.walk(&mut |v| {
            if let Value::Choice(arms) = v {
                for a in arms {
                    if a.cond.test == python::Test::Unknown
                        && !unknown.iter().any(|c| c.evidence == a.cond.evidence)
                    {
                        unknown.push(&a.cond);
                    }
                }
            }
        });
        for c in unknown {
            warnings.push(Warning {
                evidence: c.evidence.clone(),
                message: format!(
                    "DATABASES depends on `{}`, which djship cannot evaluate without running the code",
                    c.text
                ),
                fallback: "took the branches in the order Python would run them, as if the test held".into(),
            });
        }
    }
}

fn engine_kind(engine: &str) -> (DbKind, bool) {
    let gis =
        engine.contains(".gis.") || engine.contains("postgis") || engine.contains("spatialite");
    let kind = if engine.contains("postg") {
        DbKind::Postgresql
    } else if engine.contains("mysql") {
        DbKind::Mysql
    } else if engine.contains("sqlite") || engine.contains("spatialite") {
        DbKind::Sqlite
    } else if engine.contains("oracle") {
        DbKind::Oracle
    } else {
        DbKind::Unknown
    };
    (kind, gis)
}

fn url_kind(url: &str) -> (DbKind, bool) {
    let scheme = url.split("://").next().unwrap_or("");
    engine_kind(match scheme {
        "postgres" | "postgresql" | "pgsql" | "psql" => "postgresql",
        "postgis" => "postgis",
        "mysql" | "mysql2" | "mysqlgis" => "mysql",
        "sqlite" => "sqlite",
        "spatialite" => "spatialite",
        "oracle" => "oracle",
        other => other,
    })
}

const DRIVERS: &[(DbKind, &str)] = &[
    (DbKind::Postgresql, "psycopg"),
    (DbKind::Postgresql, "psycopg-binary"),
    (DbKind::Postgresql, "psycopg2"),
    (DbKind::Postgresql, "psycopg2-binary"),
    (DbKind::Mysql, "mysqlclient"),
    (DbKind::Mysql, "pymysql"),
    (DbKind::Oracle, "oracledb"),
];

/// When the settings pick the database by an environment variable (`if os.getenv("DB")
/// == "postgres": ...`), the setting of it that gives the best database djship can run:
/// PostgreSQL or MySQL with its driver installed before SQLite or a driver-less engine.
/// Returns the variables to assume and how the choice was made.
pub(super) fn choose_database(
    prod: &Evaluated,
    deps: &Dependencies,
) -> (HashMap<String, Option<String>>, Option<DbSelector>) {
    let none = (HashMap::new(), None);
    let Some(raw) = prod.raw_value("DATABASES") else {
        return none;
    };
    let mut conds: Vec<python::Cond> = Vec::new();
    raw.walk(&mut |v| {
        if let Value::Choice(arms) = v {
            for a in arms {
                if a.cond.var.is_some() && !conds.iter().any(|c| c.text == a.cond.text) {
                    conds.push(a.cond.clone());
                }
            }
        }
    });
    // An ENGINE read from a variable (`"ENGINE": os.getenv("DB_ENGINE", "...mysql")`): the
    // variable chooses the engine; each engine djship runs is a candidate setting of it.
    let mut engine_vars: Vec<python::EnvRead> = Vec::new();
    raw.walk(&mut |v| {
        if let Value::Dict(items) = v {
            for (k, x) in items {
                if k == "ENGINE" {
                    for e in x.env_reads() {
                        if e.default
                            .as_deref()
                            .is_some_and(|d| d.starts_with("django.db.backends."))
                            && !engine_vars.iter().any(|x| x.name == e.name)
                        {
                            engine_vars.push(e.clone());
                        }
                    }
                }
            }
        }
    });
    for e in &engine_vars {
        for engine in ["django.db.backends.postgresql", "django.db.backends.mysql"] {
            conds.push(python::Cond {
                text: format!("ENGINE from ${}", e.name),
                evidence: e.evidence.clone(),
                var: Some(e.name.clone()),
                default: None,
                test: python::Test::OneOf(vec![engine.to_string()]),
                negated: false,
            });
        }
    }
    if conds.is_empty() {
        return none;
    }
    let score = |db: &Database, v: &Value| -> i32 {
        let driver = !db.drivers.is_empty();
        // Where the engine ties, a database whose host comes from the environment wins
        // over one fixed to localhost (a patched or deployment branch over a local one).
        let configurable =
            i32::from(db.url_env.is_some() || matches!(v.get("HOST"), Some(Value::Env(_))));
        let engine = match (db.kind, driver) {
            (DbKind::Postgresql, true) => 6,
            (DbKind::Mysql, true) => 5,
            (DbKind::Postgresql, false) => 3,
            (DbKind::Oracle, _) => 2,
            (DbKind::Mysql, false) => 1,
            (DbKind::Sqlite, _) => 0,
            // A database URL from the environment, engine unknown: still what a
            // deployment sets, unlike an SQLite file.
            (DbKind::Unknown, _) if db.url_env.is_some() => 1,
            (DbKind::Unknown, _) => -1,
        };
        2 * engine + configurable
    };
    let evaluate = |assume: &HashMap<String, Option<String>>| -> Option<(Database, Value)> {
        let resolved = raw.resolve(assume);
        let v = resolved.get("default")?.clone();
        let db = database("default", &v, deps, &prod.raw["DATABASES"].evidence, assume);
        Some((db, v))
    };
    type Candidate<'a> = (Option<&'a python::Cond>, HashMap<String, Option<String>>);
    let mut candidates: Vec<Candidate> = vec![(None, HashMap::new())];
    for c in &conds {
        if let (Some(var), Some(value)) = (&c.var, c.selecting_value()) {
            candidates.push((Some(c), HashMap::from([(var.clone(), value)])));
        }
    }
    type Scored<'a> = (
        Option<&'a python::Cond>,
        HashMap<String, Option<String>>,
        Option<(Database, Value)>,
    );
    let scored: Vec<Scored> = candidates
        .into_iter()
        .map(|(c, a)| {
            let db = evaluate(&a);
            (c, a, db)
        })
        .collect();
    let best = scored
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, _, db))| {
            (
                db.as_ref().map(|(d, v)| score(d, v)).unwrap_or(-4),
                -(*i as i32),
            )
        })
        .map(|(i, _)| i)
        .unwrap_or(0);
    let describe = |a: &HashMap<String, Option<String>>, db: &Option<(Database, Value)>| {
        let setting = if a.is_empty() {
            "unset (defaults)".to_string()
        } else {
            a.iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{k}={v}"),
                    None => format!("{k} unset"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let kind = db
            .as_ref()
            .map(|(d, _)| format!("{:?}", d.kind).to_lowercase())
            .unwrap_or_else(|| "no default database".into());
        format!("{setting} gives {kind}")
    };
    // The settings of variables that change the engine (not those that only tune it).
    let kind_of = |db: &Option<(Database, Value)>| db.as_ref().map(|(d, _)| d.kind);
    let best_kind = kind_of(&scored[best].2);
    let default_kind = kind_of(&scored[0].2);
    let mut alternatives: Vec<String> = Vec::new();
    for (i, (c, a, db)) in scored.iter().enumerate() {
        if i == best || (c.is_some() && (kind_of(db) == best_kind || kind_of(db) == default_kind)) {
            continue;
        }
        let d = describe(a, db);
        if !alternatives.contains(&d) {
            alternatives.push(d);
        }
    }
    let (cond, assume, _) = &scored[best];
    let selector = match cond {
        Some(c) => DbSelector {
            var: c.var.clone().unwrap_or_default(),
            value: assume.values().next().cloned().flatten(),
            test: c.text.clone(),
            evidence: c.evidence.clone(),
            alternatives,
        },
        None => {
            // The defaults already give the best database; say what the variable does.
            let c = &conds[0];
            DbSelector {
                var: c.var.clone().unwrap_or_default(),
                value: None,
                test: c.text.clone(),
                evidence: c.evidence.clone(),
                alternatives,
            }
        }
    };
    (assume.clone(), Some(selector))
}

pub(super) fn databases(
    prod: &Evaluated,
    deps: &Dependencies,
    selector: Option<DbSelector>,
) -> Vec<Database> {
    let Some(b) = prod.get("DATABASES") else {
        return Vec::new();
    };
    let Value::Dict(aliases) = &b.value else {
        return Vec::new();
    };
    aliases
        .iter()
        .map(|(alias, v)| {
            let mut db = database(alias, v, deps, &b.evidence, &prod.assume);
            if alias == "default" {
                db.selected_by = selector.clone();
            }
            db
        })
        .collect()
}

/// One alias of DATABASES: its engine, from the ENGINE, a URL, or the driver installed.
fn database(
    alias: &str,
    v: &Value,
    deps: &Dependencies,
    evidence: &Evidence,
    assume: &HashMap<String, Option<String>>,
) -> Database {
    let driver_kind = DRIVERS.iter().find(|(_, p)| deps.has(p)).map(|(k, _)| *k);
    let (mut kind, mut gis, mut engine, mut url_env) = (DbKind::Unknown, false, None, None);
    match v {
        Value::Env(e) => {
            url_env = Some(e.name.clone());
            if let Some(d) = &e.default {
                (kind, gis) = url_kind(d);
            }
        }
        Value::Dict(_) => match v.get("ENGINE") {
            Some(Value::Str(s)) => {
                (kind, gis) = engine_kind(s);
                engine = Some(s.clone());
            }
            Some(Value::Env(e)) => {
                // The engine djship gives the variable, else the settings' default.
                if let Some(d) = assume.get(&e.name).cloned().flatten().or(e.default.clone()) {
                    (kind, gis) = engine_kind(&d);
                    engine = Some(d);
                }
            }
            _ => {
                if let Some(Value::Str(u)) = v.get("URL") {
                    (kind, gis) = url_kind(u);
                }
            }
        },
        _ => {}
    }
    // A URL from the environment decides the engine at run time: the driver tells.
    if url_env.is_some() || kind == DbKind::Unknown {
        if let Some(k) = driver_kind {
            if kind == DbKind::Unknown || kind == DbKind::Sqlite {
                kind = k;
            }
        }
    }
    Database {
        alias: alias.to_string(),
        drivers: DRIVERS
            .iter()
            .filter(|(k, p)| *k == kind && deps.has(p))
            .map(|(_, p)| p.to_string())
            .collect(),
        kind,
        engine,
        url_env,
        gis,
        evidence: evidence.clone(),
        selected_by: None,
    }
}

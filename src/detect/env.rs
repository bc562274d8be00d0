//! The environment variables the settings read, which hold secrets, and those that turn
//! on the proxy settings.

use super::python::{EnvRead, Value};
use super::settings::Evaluated;
use super::{EnvSwitch, EnvVar};
use std::collections::HashMap;

/// Heuristic: does an environment variable hold a secret?
pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "PRIVATE",
        "CREDENTIAL",
        "API_KEY",
        "ACCESS_KEY",
        "DSN",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n.ends_with("_KEY")
        || n == "DATABASE_URL"
        || n.ends_with("_DATABASE_URL")
}

/// Settings that trust the proxy's headers only when a variable selects them.
pub(super) fn proxy_switches(prod: &Evaluated) -> Vec<EnvSwitch> {
    ["SECURE_PROXY_SSL_HEADER", "USE_X_FORWARDED_HOST"]
        .iter()
        .filter(|s| prod.value(s).is_none())
        .filter_map(|s| {
            let Some(Value::Choice(arms)) = prod.raw_value(s) else {
                return None;
            };
            arms.iter().find_map(|a| {
                let var = a.cond.var.clone()?;
                let value = a.cond.selecting_value()??;
                (!matches!(a.value, Value::Undefined)).then(|| EnvSwitch {
                    setting: s.to_string(),
                    var,
                    value,
                    evidence: a.cond.evidence.clone(),
                })
            })
        })
        .collect()
}

pub(super) fn env_vars(prod: &Evaluated, dev: Option<&Evaluated>) -> Vec<EnvVar> {
    let mut out: Vec<EnvVar> = Vec::new();
    let reads = prod
        .env_reads
        .iter()
        .chain(dev.map(|d| d.env_reads.iter()).into_iter().flatten());
    // The setting a variable feeds: bound to it directly, or on one path of its choices
    // (`if v := os.getenv("ALLOWED_HOSTS"): ALLOWED_HOSTS = v.split(",")`).
    let upper = |k: &str| k.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    let mut direct: HashMap<String, String> = HashMap::new();
    let mut on_a_path: HashMap<String, String> = HashMap::new();
    for e in [Some(prod), dev].into_iter().flatten() {
        for (k, b) in &e.ns {
            if let Value::Env(x) = &b.value {
                if upper(k) {
                    direct.entry(x.name.clone()).or_insert_with(|| k.clone());
                }
            }
        }
        for (k, b) in &e.raw {
            if upper(k) && matches!(b.value, Value::Choice(_)) {
                for (_, v) in b.value.alternatives() {
                    if let Value::Env(x) = v {
                        on_a_path.entry(x.name.clone()).or_insert_with(|| k.clone());
                    }
                }
            }
        }
    }
    let setting_of = |r: &EnvRead| -> Option<String> {
        direct
            .get(&r.name)
            .or_else(|| on_a_path.get(&r.name))
            .cloned()
    };
    for r in reads {
        if out.iter().any(|v| v.name == r.name) {
            continue;
        }
        let setting = setting_of(r);
        out.push(EnvVar {
            name: r.name.clone(),
            default: r.default.clone(),
            required: r.required,
            secret: is_secret_name(&r.name) || setting.as_deref() == Some("SECRET_KEY"),
            via: r.via.clone(),
            url_of: r.url_of.clone(),
            setting,
            evidence: r.evidence.clone(),
        });
    }
    out
}

//! Values of the .env file (resolved by the plan, before any target renders): generated secrets (from the OS CSPRNG), values kept from an
//! existing .env, and `${NAME}` references resolved.

use crate::error::{Error, Result};
use crate::plan::env::{EnvPlan, Generate};
use serde::Serialize;
use std::collections::BTreeMap;

/// A variable of the final .env, with its value resolved.
#[derive(Debug, Clone, Serialize)]
pub struct EnvValue {
    pub name: String,
    pub value: Option<String>,
}

const SECRET_ALPHABET: &[u8; 64] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
const PASSWORD_ALPHABET: &[u8; 62] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// `len` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
pub fn random_string(alphabet: &[u8], len: usize) -> Result<String> {
    let limit = 256 - (256 % alphabet.len());
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).map_err(|e| Error::Invalid {
            path: "/dev/urandom".into(),
            message: format!("the operating system's random generator failed: {e}"),
            hint:
                "secrets cannot be generated safely; retry, or write .env by hand from .env.example"
                    .into(),
        })?;
        for b in buf {
            if (b as usize) < limit && out.len() < len {
                out.push(alphabet[b as usize % alphabet.len()] as char);
            }
        }
    }
    Ok(out)
}

/// Parse `KEY=value` lines of an existing .env (comments and blanks ignored).
pub fn parse_env(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().trim_start_matches("export ").to_string(),
                v.trim().to_string(),
            )
        })
        .collect()
}

/// Final .env values: an existing value wins, then a generated secret, then the plan's value.
pub fn resolve(plan: &EnvPlan, existing: Option<&str>) -> Result<Vec<EnvValue>> {
    let existing = existing.map(parse_env).unwrap_or_default();
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    // First pass: literal values and secrets, so references can use them.
    for v in &plan.vars {
        let value = if let Some(e) = existing.get(&v.name) {
            Some(e.clone())
        } else {
            match v.generate {
                Some(Generate::SecretKey) => Some(random_string(SECRET_ALPHABET, 50)?),
                Some(Generate::Password) => Some(random_string(PASSWORD_ALPHABET, 32)?),
                None => v.value.clone(),
            }
        };
        if let Some(val) = &value {
            values.insert(v.name.clone(), val.clone());
        }
        out.push(EnvValue {
            name: v.name.clone(),
            value,
        });
    }
    for e in out.iter_mut() {
        if existing.contains_key(&e.name) {
            continue;
        }
        if let Some(v) = &mut e.value {
            for (k, val) in &values {
                let pat = format!("${{{k}}}");
                if v.contains(&pat) {
                    *v = v.replace(&pat, val);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::env::Var;

    #[test]
    fn secrets_are_random_and_kept() {
        let a = random_string(SECRET_ALPHABET, 50).unwrap();
        let b = random_string(SECRET_ALPHABET, 50).unwrap();
        assert_eq!(a.len(), 50);
        assert_ne!(a, b);
        let plan = EnvPlan {
            vars: vec![
                Var {
                    name: "PW".into(),
                    value: None,
                    generate: Some(Generate::Password),
                    secret: true,
                    comment: String::new(),
                },
                Var {
                    name: "URL".into(),
                    value: Some("postgres://u:${PW}@db/x".into()),
                    generate: None,
                    secret: true,
                    comment: String::new(),
                },
            ],
            ..Default::default()
        };
        let fresh = resolve(&plan, None).unwrap();
        let pw = fresh[0].value.clone().unwrap();
        assert_eq!(pw.len(), 32);
        assert_eq!(
            fresh[1].value.as_deref(),
            Some(format!("postgres://u:{pw}@db/x").as_str())
        );
        let kept = resolve(&plan, Some("PW=abc\nURL=keep\n")).unwrap();
        assert_eq!(kept[0].value.as_deref(), Some("abc"));
        assert_eq!(kept[1].value.as_deref(), Some("keep"));
    }
}

//! The env check: the variables the settings read against what the web container gets:
//! the compose file's `env_file:` files and `environment:`, and the image's `ENV`. No
//! engine, nothing of the project is run (the reads come from detect, with their evidence;
//! the check reads the env files and the Dockerfile).

use super::{ports, Check, Compose, Finding, Lookup, Target};
use crate::detect::EnvVar;
use crate::evidence::Evidence;
use crate::lint::compose as lc;
use crate::severity::Severity;
use std::collections::BTreeMap;

/// Where the web container gets a variable from, in words (`.env:4`, `compose.yaml:12`).
pub type Provided = BTreeMap<String, String>;

/// A `KEY=value` file as compose reads it (`env_file:`, the project's `.env`): comments and
/// blank lines skipped, `export ` allowed, matching quotes around the value removed.
/// (name, value, 1-based line).
pub fn read_env_file(text: &str) -> Vec<(String, String, u32)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let l = l.strip_prefix("export ").unwrap_or(l);
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let k = k.trim();
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let v = v.trim();
        let v = if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
        {
            &v[1..v.len() - 1]
        } else {
            // An unquoted value ends at an inline comment (` #`).
            v.split(" #").next().unwrap_or(v).trim_end()
        };
        out.push((k.to_string(), v.to_string(), i as u32 + 1));
    }
    out
}

/// What the settings read and the container lacks. `planned` names the variables djship's
/// plan gives a value (the stack relies on them); `env_file` is the file to add them to;
/// `example` the (name, text) of the file that documents the variables (.env.example).
///
/// - read without a default and failing without it (`os.environ["X"]`, `env("X")`), or a
///   variable the plan sets: an error;
/// - read without a default where a missing variable gives `None` (`os.environ.get("X")`,
///   or only under a condition): a warning;
/// - read with a default: a note (the settings use their default).
pub fn compare(
    reads: &[EnvVar],
    provided: &Provided,
    planned: &[String],
    env_file: &str,
    example: Option<(&str, &str)>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for v in reads {
        if provided.contains_key(&v.name) || seen.contains(&v.name.as_str()) {
            continue;
        }
        seen.push(&v.name);
        let at = &v.evidence;
        let example_hint = example
            .filter(|(_, text)| {
                text.lines().any(|l| {
                    l.trim_start_matches(['#', ' '])
                        .starts_with(&format!("{}=", v.name))
                })
            })
            .map(|(name, _)| format!(" ({name} documents it)"))
            .unwrap_or_default();
        let value_hint = if v.secret { "<a secret>" } else { "<value>" };
        let (severity, message, remedy) = match &v.default {
            Some(d) => (
                Severity::Info,
                format!(
                    "{} is not set for the web container: the settings use their default {} ({at})",
                    v.name,
                    short(d)
                ),
                None,
            ),
            None if v.required || planned.contains(&v.name) => (
                Severity::Error,
                format!(
                    "{} is read by the settings at {at} without a default, and the web container \
                     does not get it ({env_file} does not set it){}",
                    v.name,
                    if v.required {
                        ": Django fails to start (KeyError or ImproperlyConfigured)"
                    } else {
                        ""
                    }
                ),
                Some(format!(
                    "add `{}={value_hint}` to {env_file}{example_hint}, then restart the stack",
                    v.name
                )),
            ),
            None => (
                Severity::Warning,
                format!(
                    "{} is read by the settings at {at} without a default and is not set: the \
                     settings get None there",
                    v.name
                ),
                Some(format!(
                    "add `{}={value_hint}` to {env_file}{example_hint} if the settings need it",
                    v.name
                )),
            ),
        };
        out.push(Finding {
            severity,
            message,
            remedy,
            evidence: Some(at.clone()),
            detail: Vec::new(),
        });
    }
    out
}

/// Compose's own `${X:?message}` references (in `file`, at their lines) that neither the
/// environment nor the project's .env sets: compose refuses to start the stack.
pub fn compose_required(
    file: &str,
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    env_file: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        for r in super::ports::interpolate(line, lookup).1 {
            if !r.required || seen.contains(&r.name) {
                continue;
            }
            if lookup(&r.name).is_some_and(|v| !v.is_empty()) {
                continue;
            }
            seen.push(r.name.clone());
            out.push(Finding {
                severity: Severity::Error,
                message: format!(
                    "{file}:{} needs {} and neither {env_file} nor the environment sets it: \
                     compose refuses to start the stack",
                    i + 1,
                    r.name
                ),
                remedy: Some(format!("add `{}=<value>` to {env_file}", r.name)),
                evidence: Some(Evidence::at(file, i as u32 + 1)),
                detail: Vec::new(),
            });
        }
    }
    out
}

fn short(s: &str) -> String {
    let s = if s.starts_with('"') || s.starts_with('\'') {
        s.to_string()
    } else {
        format!("{s:?}")
    };
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

pub(super) fn env_check(t: &Target, compose: &Compose, lookup: &Lookup) -> Check {
    let file = &t.project.file;
    let web_name = crate::targets::compose::WEB_SERVICE;
    if let Some((at, message)) = &compose.file.error {
        let line = compose.src.position(at.start).line;
        return Check::done(
            "env",
            format!("the services of {file}"),
            vec![Finding::error(
                format!("{file}:{line} is not valid YAML: {message}"),
                format!("fix {file} at line {line} (`docker compose -f {file} config` shows compose's own reading)"),
            )
            .at(Some(Evidence::at(file.clone(), line)))],
        );
    }
    let Some(web) = compose.service(web_name) else {
        return Check::skipped(
            "env",
            format!("{file} has no {web_name} service to compare the settings with"),
        );
    };
    let mut findings = Vec::new();
    let mut provided: Provided = BTreeMap::new();
    let mut env_files = Vec::new();
    for (path, node) in lc::env_file_entries(web) {
        let path = ports::interpolate(path, &|n| lookup.get(n)).0;
        env_files.push(path.clone());
        match std::fs::read_to_string(t.root.join(&path)) {
            Ok(text) => {
                for (k, _, line) in read_env_file(&text) {
                    provided.entry(k).or_insert(format!("{path}:{line}"));
                }
            }
            Err(_) => findings.push(
                Finding::error(
                    format!("{file} gives {web_name} the env file {path}, which cannot be read"),
                    if t.root.join(".env.example").is_file() && path == ".env" {
                        "run `djship init` (it writes .env with fresh secrets), or copy \
                         .env.example to .env and fill it in"
                            .to_string()
                    } else {
                        format!("create {path}, or remove it from {file}")
                    },
                )
                .at(compose.line(node)),
            ),
        }
    }
    if let Some(e) = web.get("environment") {
        for (k, _, _) in e.env_pairs() {
            provided
                .entry(k)
                .or_insert_with(|| format!("{file} environment"));
        }
    }
    // The image's ENV (the final stage of the Dockerfile).
    if let Ok(text) = std::fs::read_to_string(t.root.join("Dockerfile")) {
        let d = crate::dockerfile::parse(&text);
        for s in d.stage_chain(d.final_stage()) {
            for i in d.stage(s).filter(|i| i.keyword == "ENV") {
                for (k, _) in crate::dockerfile::assignments(&i.args) {
                    provided.entry(k).or_insert_with(|| "Dockerfile ENV".into());
                }
            }
        }
    }
    let env_file = env_files.first().cloned().unwrap_or_else(|| ".env".into());
    let planned: Vec<String> = t
        .plan
        .env
        .vars
        .iter()
        .filter(|v| v.value.is_some() || v.generate.is_some())
        .map(|v| v.name.clone())
        .collect();
    let example = t
        .root
        .join(".env.example")
        .is_file()
        .then_some(".env.example");
    let example_text = example
        .and_then(|e| std::fs::read_to_string(t.root.join(e)).ok())
        .unwrap_or_default();
    findings.extend(compare(
        &t.facts.env_vars,
        &provided,
        &planned,
        &env_file,
        example.map(|e| (e, example_text.as_str())),
    ));
    findings.extend(compose_required(
        file,
        &compose.src.text,
        &|n| lookup.get(n),
        ".env",
    ));
    let read = {
        let mut names: Vec<&str> = t.facts.env_vars.iter().map(|v| v.name.as_str()).collect();
        names.dedup();
        names.len()
    };
    Check::done(
        "env",
        format!(
            "{read} variables the settings read, against {}, {file}'s environment and the \
             Dockerfile's ENV",
            if env_files.is_empty() {
                "no env file".to_string()
            } else {
                env_files.join(", ")
            }
        ),
        findings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, default: Option<&str>, required: bool, line: u32) -> EnvVar {
        EnvVar {
            name: name.into(),
            default: default.map(String::from),
            required,
            secret: name.contains("SECRET"),
            via: "os.environ".into(),
            setting: None,
            url_of: None,
            evidence: Evidence::at("mysite/settings.py", line),
        }
    }

    #[test]
    fn env_files_as_compose_reads_them() {
        let text = "# comment\n\nA=1\nexport B = two \nC=\"quoted # not a comment\"\nD='x'\nE=plain # comment\nbad line\n=novalue\nF=\n";
        let got = read_env_file(text);
        assert_eq!(
            got,
            [
                ("A".into(), "1".into(), 3),
                ("B".into(), "two".into(), 4),
                ("C".into(), "quoted # not a comment".into(), 5),
                ("D".into(), "x".into(), 6),
                ("E".into(), "plain".into(), 7),
                ("F".into(), "".into(), 10),
            ]
        );
    }

    #[test]
    fn what_the_settings_read_and_the_container_lacks() {
        let reads = vec![
            read("DJANGO_SECRET_KEY", None, false, 10),
            read("PAYMENT_TOKEN", None, true, 11),
            read("SENTRY_DSN", None, false, 12),
            read("DJANGO_CONN_MAX_AGE", Some("60"), false, 13),
            read("POSTGRES_HOST", None, false, 14),
            // Read twice: reported once, at the first read.
            read("PAYMENT_TOKEN", None, true, 20),
        ];
        let provided: Provided = [("POSTGRES_HOST".to_string(), ".env:3".to_string())].into();
        let planned = vec!["DJANGO_SECRET_KEY".to_string()];
        let f = compare(
            &reads,
            &provided,
            &planned,
            ".env",
            Some((".env.example", "# secret\nDJANGO_SECRET_KEY=\n")),
        );
        let got: Vec<(Severity, &str)> = f
            .iter()
            .map(|f| (f.severity, f.message.split(' ').next().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (Severity::Error, "DJANGO_SECRET_KEY"),
                (Severity::Error, "PAYMENT_TOKEN"),
                (Severity::Warning, "SENTRY_DSN"),
                (Severity::Info, "DJANGO_CONN_MAX_AGE"),
            ]
        );
        assert_eq!(
            f[0].remedy.as_deref(),
            Some("add `DJANGO_SECRET_KEY=<a secret>` to .env (.env.example documents it), then restart the stack")
        );
        assert!(f[1]
            .message
            .contains("at mysite/settings.py:11 without a default"));
        assert!(f[1].message.contains("KeyError"));
        assert_eq!(f[1].evidence, Some(Evidence::at("mysite/settings.py", 11)));
        assert!(f[3].message.contains("default \"60\""), "{}", f[3].message);
        assert!(f[3].remedy.is_none());
        // Everything provided: nothing to say.
        let all: Provided = reads
            .iter()
            .map(|r| (r.name.clone(), ".env".to_string()))
            .collect();
        assert!(compare(&reads, &all, &planned, ".env", None).is_empty());
    }

    #[test]
    fn compose_refuses_without_its_required_variables() {
        let text = "services:\n  db:\n    environment:\n      POSTGRES_DB: ${POSTGRES_DB:?set POSTGRES_DB in .env}\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n      # ${IGNORED:?comment}\n      X: ${POSTGRES_DB:?again}\n";
        let lookup = |n: &str| (n == "POSTGRES_DB").then(|| "shop".to_string());
        let f = compose_required("compose.yaml", text, &lookup, ".env");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence, Some(Evidence::at("compose.yaml", 5)));
        assert!(f[0].message.contains("needs POSTGRES_PASSWORD"));
        assert_eq!(
            f[0].remedy.as_deref(),
            Some("add `POSTGRES_PASSWORD=<value>` to .env")
        );
    }
}

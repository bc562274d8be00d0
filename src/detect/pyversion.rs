//! The Python version, by one documented precedence:
//!
//! 1. `.python-version`
//! 2. `runtime.txt` (`python-3.12.4`)
//! 3. `requires-python` in pyproject.toml, or the Pipfile/Poetry python constraint
//! 4. the `FROM python:X.Y` of an existing Dockerfile
//! 5. the newest Python the detected Django version supports
//!
//! A constraint (3) picks the newest supported Python that satisfies it.

use super::evidence::{Evidence, Warning};
use pep508_rs::pep440_rs::{Version, VersionSpecifiers};
use serde::Serialize;
use std::path::Path;
use std::str::FromStr;

/// Python minors djship can target, oldest first.
pub const PYTHONS: &[&str] = &["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"];

/// Django feature release → the Python minors it supports (from Django's release notes).
pub const DJANGO_PYTHON: &[(&str, &str, &str)] = &[
    ("3.2", "3.6", "3.10"),
    ("4.0", "3.8", "3.10"),
    ("4.1", "3.8", "3.11"),
    ("4.2", "3.8", "3.12"),
    ("5.0", "3.10", "3.12"),
    ("5.1", "3.10", "3.13"),
    ("5.2", "3.10", "3.14"),
    ("6.0", "3.12", "3.14"),
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PythonVersion {
    /// `X.Y`
    pub version: String,
    /// Which rule of the precedence gave it.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

fn minor_of(s: &str) -> Option<String> {
    let s = s
        .trim()
        .trim_start_matches("python-")
        .trim_start_matches("python");
    let mut it = s.split('.');
    let major: u32 = it.next()?.trim().parse().ok()?;
    let minor: u32 = it
        .next()?
        .trim()
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()?;
    (major == 3).then(|| format!("3.{minor}"))
}

fn cmp_minor(a: &str, b: &str) -> std::cmp::Ordering {
    let n = |s: &str| {
        s.split('.')
            .nth(1)
            .and_then(|m| m.parse::<u32>().ok())
            .unwrap_or(0)
    };
    n(a).cmp(&n(b))
}

/// The Python range a Django version supports.
pub fn django_pythons(django: Option<&str>) -> (&'static str, &'static str) {
    let Some(d) = django else {
        let last = DJANGO_PYTHON.last().expect("table is not empty");
        return (last.1, last.2);
    };
    let mut parts = d.split('.');
    let feature = format!(
        "{}.{}",
        parts.next().unwrap_or("0"),
        parts.next().unwrap_or("0")
    );
    // The newest row not newer than this Django.
    let ver = |s: &str| Version::from_str(s).ok();
    let want = ver(&feature);
    DJANGO_PYTHON
        .iter()
        .rev()
        .find(|(dj, _, _)| match (&want, ver(dj)) {
            (Some(w), Some(r)) => r <= *w,
            _ => false,
        })
        .map(|(_, lo, hi)| (*lo, *hi))
        .unwrap_or((DJANGO_PYTHON[0].1, DJANGO_PYTHON[0].2))
}

/// A warning when the chosen Python is outside what the Django version supports.
pub fn check_against_django(py: &PythonVersion, django: Option<&str>) -> Option<Warning> {
    let d = django?;
    let (lo, hi) = django_pythons(Some(d));
    let outside = cmp_minor(&py.version, lo) == std::cmp::Ordering::Less
        || cmp_minor(&py.version, hi) == std::cmp::Ordering::Greater;
    outside.then(|| Warning {
        evidence: py.evidence.clone().unwrap_or_else(|| Evidence::file(&py.source)),
        message: format!("Python {} is outside the versions Django {d} supports ({lo} to {hi}): the image build will fail to install Django", py.version),
        fallback: format!("kept Python {} as the project asks; change it or the Django requirement", py.version),
    })
}

pub fn detect(
    root: &Path,
    constraint: Option<&super::deps::PythonConstraint>,
    django: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> PythonVersion {
    let (lo, hi) = django_pythons(django);
    let in_django_range = |v: &str| {
        cmp_minor(v, lo) != std::cmp::Ordering::Less
            && cmp_minor(v, hi) != std::cmp::Ordering::Greater
    };
    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();

    if let Some(text) = read(".python-version") {
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        match first.and_then(minor_of) {
            Some(v) => {
                return PythonVersion {
                    version: v,
                    source: ".python-version".into(),
                    evidence: Some(Evidence::at(".python-version", 1)),
                }
            }
            None => warnings.push(Warning {
                evidence: Evidence::file(".python-version"),
                message: format!("not a CPython 3.x version: {:?}", first.unwrap_or("")),
                fallback: "used the next source of the Python version".into(),
            }),
        }
    }
    if let Some(text) = read("runtime.txt") {
        if let Some(v) = minor_of(text.trim()) {
            return PythonVersion {
                version: v,
                source: "runtime.txt".into(),
                evidence: Some(Evidence::at("runtime.txt", 1)),
            };
        }
    }
    if let Some(super::deps::PythonConstraint {
        constraint: c,
        evidence: ev,
    }) = constraint
    {
        // Pipfile's python_version is a plain version; pyproject/poetry give a constraint.
        if let Some(v) =
            minor_of(c).filter(|_| c.chars().next().is_some_and(|ch| ch.is_ascii_digit()))
        {
            return PythonVersion {
                version: v,
                source: format!("python version in {}", ev.file),
                evidence: Some(ev.clone()),
            };
        }
        let spec = super::deps::poetry_to_pep440(c);
        match VersionSpecifiers::from_str(&spec) {
            Ok(specs) => {
                let ok = |v: &str| {
                    Version::from_str(&format!("{v}.0"))
                        .map(|ver| specs.contains(&ver))
                        .unwrap_or(false)
                };
                let pick = PYTHONS
                    .iter()
                    .rev()
                    .find(|v| ok(v) && in_django_range(v))
                    .or_else(|| PYTHONS.iter().rev().find(|v| ok(v)));
                if let Some(v) = pick {
                    return PythonVersion {
                        version: v.to_string(),
                        source: format!("newest Python allowed by {c:?} in {}", ev.file),
                        evidence: Some(ev.clone()),
                    };
                }
            }
            Err(e) => warnings.push(Warning {
                evidence: ev.clone(),
                message: format!("cannot read the Python constraint {c:?}: {e}"),
                fallback: "used the next source of the Python version".into(),
            }),
        }
    }
    if let Some(text) = read("Dockerfile") {
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.len() > 5 && l[..5].eq_ignore_ascii_case("FROM ") {
                if let Some(rest) = l.split_whitespace().find(|w| w.contains("python:")) {
                    let tag = rest.split("python:").nth(1).unwrap_or("");
                    if let Some(v) = minor_of(tag.split('-').next().unwrap_or("")) {
                        return PythonVersion {
                            version: v,
                            source: "FROM line of the existing Dockerfile".into(),
                            evidence: Some(Evidence::at("Dockerfile", i as u32 + 1)),
                        };
                    }
                }
            }
        }
    }
    PythonVersion {
        version: hi.to_string(),
        source: match django {
            Some(d) => format!("newest Python that Django {d} supports"),
            None => {
                "newest Python that the newest Django supports (no Django version found)".into()
            }
        },
        evidence: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_support_table() {
        assert_eq!(django_pythons(Some("4.2.11")), ("3.8", "3.12"));
        assert_eq!(django_pythons(Some("5.2")), ("3.10", "3.14"));
        assert_eq!(django_pythons(Some("6.0.1")), ("3.12", "3.14"));
        assert_eq!(django_pythons(None), ("3.12", "3.14"));
    }

    #[test]
    fn conflicts_with_django_are_warned() {
        let py = |v: &str| PythonVersion {
            version: v.into(),
            source: ".python-version".into(),
            evidence: Some(Evidence::at(".python-version", 1)),
        };
        let w = check_against_django(&py("3.11"), Some("6.1")).unwrap();
        assert!(w.message.contains("3.12 to 3.14"), "{}", w.message);
        assert!(check_against_django(&py("3.12"), Some("6.1")).is_none());
        assert!(check_against_django(&py("3.11"), None).is_none());
    }

    #[test]
    fn precedence() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Vec::new();
        let c = super::super::deps::PythonConstraint {
            constraint: ">=3.10,<3.13".into(),
            evidence: Evidence::file("pyproject.toml"),
        };
        let v = detect(dir.path(), Some(&c), Some("5.1"), &mut w);
        assert_eq!(v.version, "3.12");
        std::fs::write(dir.path().join("Dockerfile"), "FROM python:3.9-slim\n").unwrap();
        assert_eq!(detect(dir.path(), None, None, &mut w).version, "3.9");
        std::fs::write(dir.path().join("runtime.txt"), "python-3.11.4\n").unwrap();
        assert_eq!(detect(dir.path(), Some(&c), None, &mut w).version, "3.11");
        std::fs::write(dir.path().join(".python-version"), "3.10.2\n").unwrap();
        let v = detect(dir.path(), Some(&c), None, &mut w);
        assert_eq!(
            (v.version.as_str(), v.source.as_str()),
            ("3.10", ".python-version")
        );
        assert_eq!(
            detect(
                tempfile::tempdir().unwrap().path(),
                None,
                Some("4.2"),
                &mut w
            )
            .version,
            "3.12"
        );
    }
}

//! The Python version, by one documented precedence:
//!
//! 1. `.python-version` (beside manage.py, then at the root)
//! 2. `runtime.txt` (`python-3.12.4`; same places)
//! 3. `requires-python` in pyproject.toml, or the Pipfile/Poetry python constraint
//! 4. the `FROM python:X.Y` of an existing Dockerfile (same places)
//! 5. the Pythons the detected Django version supports (all of djship's when unknown)
//!
//! 1, 2, 4 and a plain Pipfile version name one Python: it is kept, and pins that have no
//! wheel for it are reported. A range (3, or 5 and the Django range within 3) picks the
//! newest Python in it on which every pinned package installs from a wheel (facts from
//! [`super::wheels`]); else the newest on which those without a wheel are known to build
//! from source; else the newest, with a warning per pin that may not build. The pins that
//! kept a newer Python out are reported with their evidence.

use super::deps::Dependencies;
use super::evidence::{Evidence, Warning};
use super::wheels::{self, Knowledge, SourceFit, Status};
use pep508_rs::pep440_rs::VersionSpecifiers;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

/// Python minors djship can target, oldest first. 3.8 is the oldest the generated
/// builder can install uv on (uv's wheels need 3.8).
pub const PYTHONS: &[&str] = &["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"];

/// Django feature release → the Python minors it supports (from Django's release notes and
/// "What Python version can I use with Django?" in its FAQ).
pub const DJANGO_PYTHON: &[(&str, &str, &str)] = &[
    ("2.0", "3.4", "3.7"),
    ("2.1", "3.5", "3.7"),
    ("2.2", "3.5", "3.9"),
    ("3.0", "3.6", "3.9"),
    ("3.1", "3.6", "3.9"),
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
    /// Which rule of the precedence gave it, and what the pins did to it.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// The newest Python the project's declarations allow, when its pins chose an older one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_allowed: Option<String>,
    /// The pins that kept the newer Pythons out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held_back_by: Vec<HeldBack>,
    /// Pinned packages the image builds from their sdist on this Python.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_builds: Vec<SourceBuild>,
    /// Where the wheel facts come from (absent when no pin is covered).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub wheels_from: String,
    /// Packages known to install from a wheel on this Python.
    #[serde(skip)]
    pub wheel_packages: BTreeSet<String>,
}

/// A pin without a wheel for some newer Python the project allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldBack {
    pub package: String,
    /// The release the install gets.
    pub version: String,
    pub evidence: Evidence,
    /// Its wheels (or, from uv, why the pins do not install).
    pub wheels: String,
    /// The Pythons it kept out.
    pub pythons: Vec<String>,
}

/// A pinned package built from its sdist on the chosen Python.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceBuild {
    pub package: String,
    pub version: String,
    pub evidence: Evidence,
    /// False when nothing says the sdist builds on this Python: the image build may fail.
    pub known: bool,
    pub why: String,
}

impl PythonVersion {
    fn new(version: String, source: String, evidence: Option<Evidence>) -> Self {
        PythonVersion {
            version,
            source,
            evidence,
            newest_allowed: None,
            held_back_by: Vec::new(),
            source_builds: Vec::new(),
            wheels_from: String::new(),
            wheel_packages: BTreeSet::new(),
        }
    }
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

/// `3.11` → 11.
fn minor_number(s: &str) -> u8 {
    s.split('.')
        .nth(1)
        .and_then(|m| m.parse::<u8>().ok())
        .unwrap_or(0)
}

fn cmp_minor(a: &str, b: &str) -> std::cmp::Ordering {
    minor_number(a).cmp(&minor_number(b))
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
    let ver = crate::contain::version;
    let want = ver(&feature);
    DJANGO_PYTHON
        .iter()
        .rev()
        .find(|(dj, _, _)| match (&want, ver(dj)) {
            (Some(w), Some(r)) => r <= *w,
            _ => false,
        })
        .map(|(_, lo, hi)| (*lo, *hi))
        .map(|(lo, hi)| {
            // A pinned release older than the patch that added the newest Python stops one
            // Python earlier (Django 4.2.2 supports 3.8 to 3.11; 3.12 came with 4.2.8).
            let pinned = ver(d).filter(|_| d.split('.').count() >= 3);
            match DJANGO_LATE_PYTHON
                .iter()
                .find(|(patch, py)| *py == hi && patch.starts_with(&format!("{feature}.")))
            {
                Some((patch, _)) if pinned.is_some_and(|p| Some(p) < ver(patch)) => {
                    (lo, previous_minor(hi))
                }
                _ => (lo, hi),
            }
        })
        .unwrap_or((DJANGO_PYTHON[0].1, DJANGO_PYTHON[0].2))
}

/// Python releases that Django supports from a patch release of a feature release on
/// (Django's release notes: "adds compatibility with Python 3.x").
const DJANGO_LATE_PYTHON: &[(&str, &str)] = &[
    ("2.2.17", "3.9"),
    ("3.0.11", "3.9"),
    ("3.1.3", "3.9"),
    ("3.2.9", "3.10"),
    ("4.1.3", "3.11"),
    ("4.2.8", "3.12"),
    ("5.1.3", "3.13"),
    ("5.2.8", "3.14"),
];

/// The Python minor before `v` (`3.12` → `3.11`), from the table's own strings.
fn previous_minor(v: &'static str) -> &'static str {
    const MINORS: &[&str] = &[
        "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14",
    ];
    MINORS
        .iter()
        .position(|m| *m == v)
        .and_then(|i| i.checked_sub(1))
        .map(|i| MINORS[i])
        .unwrap_or(v)
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

/// What the project declares about its Python.
enum Declared {
    /// One Python, named by a file.
    Exact(String, String, Option<Evidence>),
    /// Any of these (newest first), and what allowed them.
    Range(Vec<String>, String, Option<Evidence>),
}

/// Where the wheel facts come from: asked for the minors in question.
pub type WheelFacts<'a> = dyn FnMut(&[u8]) -> Knowledge + 'a;

/// The Python version for the project at `root`. `dirs` are the folders to read
/// `.python-version`, `runtime.txt` and a Dockerfile from, first match wins ("" = root;
/// others end in `/`).
pub fn detect(
    root: &Path,
    dirs: &[&str],
    deps: &Dependencies,
    django: Option<&str>,
    facts: &mut WheelFacts<'_>,
    warnings: &mut Vec<Warning>,
) -> PythonVersion {
    match declared(root, dirs, deps, django, warnings) {
        Declared::Exact(version, source, evidence) => {
            let m = minor_number(&version);
            let mut minors: Vec<u8> = PYTHONS.iter().map(|p| minor_number(p)).collect();
            if !minors.contains(&m) {
                minors.push(m);
            }
            let k = facts(&minors);
            let mut py = PythonVersion::new(version, source, evidence);
            settle(&mut py, &k, m, warnings);
            py
        }
        Declared::Range(cands, source, evidence) => {
            let minors: Vec<u8> = cands.iter().map(|c| minor_number(c)).collect();
            let k = facts(&minors);
            choose(cands, source, evidence, deps, &k, warnings)
        }
    }
}

fn declared(
    root: &Path,
    dirs: &[&str],
    deps: &Dependencies,
    django: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> Declared {
    let read = |name: &str| {
        dirs.iter().find_map(|d| {
            let rel = format!("{d}{name}");
            std::fs::read_to_string(root.join(&rel))
                .ok()
                .map(|t| (rel, t))
        })
    };
    if let Some((rel, text)) = read(".python-version") {
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        match first.and_then(minor_of) {
            Some(v) => return Declared::Exact(v, rel.clone(), Some(Evidence::at(&rel, 1))),
            None => warnings.push(Warning {
                evidence: Evidence::file(&rel),
                message: format!("not a CPython 3.x version: {:?}", first.unwrap_or("")),
                fallback: "used the next source of the Python version".into(),
            }),
        }
    }
    if let Some((rel, text)) = read("runtime.txt") {
        if let Some(v) = minor_of(text.trim()) {
            return Declared::Exact(v, rel.clone(), Some(Evidence::at(&rel, 1)));
        }
    }
    let (lo, hi) = django_pythons(django);
    let in_django_range = |v: &str| {
        django.is_none()
            || cmp_minor(v, lo) != std::cmp::Ordering::Less
                && cmp_minor(v, hi) != std::cmp::Ordering::Greater
    };
    if let Some(super::deps::PythonConstraint {
        constraint: c,
        evidence: ev,
    }) = &deps.python
    {
        // Pipfile's python_version is a plain version; pyproject/poetry give a constraint.
        if let Some(v) =
            minor_of(c).filter(|_| c.chars().next().is_some_and(|ch| ch.is_ascii_digit()))
        {
            return Declared::Exact(
                v,
                format!("python version in {}", ev.file),
                Some(ev.clone()),
            );
        }
        let spec = super::deps::poetry_to_pep440(c);
        let parsed = crate::contain::contain(|| {
            VersionSpecifiers::from_str(&spec).map_err(|e| e.to_string())
        })
        .unwrap_or_else(|| Err("the version parser failed on it".into()));
        match parsed {
            Ok(specs) => {
                let ok = |v: &str| {
                    crate::contain::version(&format!("{v}.0"))
                        .is_some_and(|ver| specs.contains(&ver))
                };
                let allowed: Vec<String> = PYTHONS
                    .iter()
                    .rev()
                    .filter(|v| ok(v))
                    .map(|v| v.to_string())
                    .collect();
                let with_django: Vec<String> = allowed
                    .iter()
                    .filter(|v| in_django_range(v))
                    .cloned()
                    .collect();
                let (cands, how) = if with_django.is_empty() {
                    (allowed, String::new())
                } else if django.is_some() {
                    (
                        with_django,
                        format!(" and Django {} ({lo} to {hi})", django.unwrap_or("")),
                    )
                } else {
                    (with_django, String::new())
                };
                if !cands.is_empty() {
                    return Declared::Range(
                        cands,
                        format!("newest Python allowed by {c:?} in {}{how}", ev.file),
                        Some(ev.clone()),
                    );
                }
            }
            Err(e) => warnings.push(Warning {
                evidence: ev.clone(),
                message: format!("cannot read the Python constraint {c:?}: {e}"),
                fallback: "used the next source of the Python version".into(),
            }),
        }
    }
    if let Some((rel, text)) = read("Dockerfile") {
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.len() > 5 && l.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("FROM ")) {
                if let Some(rest) = l.split_whitespace().find(|w| w.contains("python:")) {
                    let tag = rest.split("python:").nth(1).unwrap_or("");
                    if let Some(v) = minor_of(tag.split('-').next().unwrap_or("")) {
                        return Declared::Exact(
                            v,
                            format!("FROM line of the existing {rel}"),
                            Some(Evidence::at(&rel, i as u32 + 1)),
                        );
                    }
                }
            }
        }
    }
    let cands: Vec<String> = PYTHONS
        .iter()
        .rev()
        .filter(|v| in_django_range(v))
        .map(|v| v.to_string())
        .collect();
    match django {
        Some(d) if cands.is_empty() => {
            // Older than every Python djship targets: the oldest, and check_against_django
            // warns; or newer: the newest.
            let v = if cmp_minor(hi, PYTHONS[0]) == std::cmp::Ordering::Less {
                PYTHONS[0]
            } else {
                PYTHONS[PYTHONS.len() - 1]
            };
            Declared::Exact(
                v.to_string(),
                format!("the Python nearest to those Django {d} supports ({lo} to {hi})"),
                None,
            )
        }
        Some(d) => Declared::Range(
            cands,
            format!("newest Python that Django {d} supports"),
            None,
        ),
        None => Declared::Range(
            cands,
            "newest Python djship targets (no Django version found)".into(),
            None,
        ),
    }
}

/// The newest candidate by the rules in the module doc.
fn choose(
    cands: Vec<String>,
    source: String,
    evidence: Option<Evidence>,
    deps: &Dependencies,
    k: &Knowledge,
    warnings: &mut Vec<Warning>,
) -> PythonVersion {
    let all_wheels = |m: u8| !k.fails.contains_key(&m) && k.pins.iter().all(|p| fits(p, m, true));
    let builds = |m: u8| !k.fails.contains_key(&m) && k.pins.iter().all(|p| fits(p, m, false));
    let minors: Vec<u8> = cands.iter().map(|c| minor_number(c)).collect();
    let (idx, how) = if let Some(i) = minors.iter().position(|m| all_wheels(*m)) {
        (i, "on which every pinned package installs from a wheel")
    } else if let Some(i) = minors.iter().position(|m| builds(*m)) {
        (
            i,
            "on which every pinned package installs from a wheel or is known to build from source",
        )
    } else {
        (0, "")
    };
    let m = minors[idx];
    let mut py = PythonVersion::new(cands[idx].clone(), source, evidence);
    if idx > 0 {
        // The newer candidates, and who kept each out.
        let strict = minors.iter().position(|m| all_wheels(*m)) == Some(idx);
        for (c, &newer) in cands.iter().zip(&minors).take(idx) {
            if let Some(reason) = k.fails.get(&newer) {
                // The pin uv names, if any.
                let named = deps.packages.iter().filter(|p| !p.dev).find_map(|p| {
                    let v = p.pinned.as_ref()?;
                    reason
                        .contains(&format!("{}=={v}", p.name))
                        .then(|| Culprit {
                            package: p.name.clone(),
                            version: v.clone(),
                            evidence: p.pinned_at.clone().unwrap_or_else(|| p.evidence.clone()),
                        })
                });
                let culprit = named.unwrap_or_else(|| Culprit {
                    package: "(the pins together)".into(),
                    version: String::new(),
                    evidence: k.files.clone(),
                });
                add_held(&mut py.held_back_by, culprit, reason, c);
            }
            for p in &k.pins {
                if !fits(p, newer, strict) {
                    let why = match wheels::source_fit(&p.package, &p.version, newer) {
                        (SourceFit::Fails, _) => {
                            format!("{}; its sdist is known not to work on {c}", p.wheels)
                        }
                        _ => p.wheels.clone(),
                    };
                    let culprit = Culprit {
                        package: p.package.clone(),
                        version: p.version.clone(),
                        evidence: p.evidence.clone(),
                    };
                    add_held(&mut py.held_back_by, culprit, &why, c);
                }
            }
        }
        for h in &mut py.held_back_by {
            h.pythons.sort_by(|a, b| cmp_minor(a, b));
        }
        // The pin that keeps most Pythons out first: the one to upgrade first.
        py.held_back_by.sort_by(|a, b| {
            b.pythons
                .len()
                .cmp(&a.pythons.len())
                .then(a.package.cmp(&b.package))
        });
        let names: Vec<String> = py
            .held_back_by
            .iter()
            .map(|h| format!("{}{} ({})", h.package, h.spec_label(), h.evidence))
            .collect();
        py.source = format!(
            "{} {how}; {} held back by {}",
            py.source,
            describe_range(&cands[..idx]),
            names.join(", ")
        );
        py.newest_allowed = Some(cands[0].clone());
    } else if !how.is_empty() && !k.pins.is_empty() {
        py.source = format!("{} ({how})", py.source);
    }
    settle(&mut py, k, m, warnings);
    py
}

/// Whether a pin installs and works on CPython 3.`m`: from a wheel; or from its sdist when
/// no Python in question has a wheel, unless it is known not to work there; and, unless
/// `wheels_only`, from its sdist when it is known to work there.
fn fits(p: &wheels::Pin, m: u8, wheels_only: bool) -> bool {
    let fit = wheels::source_fit(&p.package, &p.version, m).0;
    match p.status(m) {
        Status::Wheel => true,
        Status::SourceOnly => fit != SourceFit::Fails,
        Status::NoWheelHere => !wheels_only && fit == SourceFit::Works,
    }
}

impl HeldBack {
    fn spec_label(&self) -> String {
        if self.version.is_empty() {
            String::new()
        } else {
            format!("=={}", self.version)
        }
    }
}

/// What kept a Python out: a pin, or the pins together.
struct Culprit {
    package: String,
    version: String,
    evidence: Evidence,
}

fn add_held(held: &mut Vec<HeldBack>, culprit: Culprit, why: &str, python: &str) {
    let Culprit {
        package,
        version,
        evidence,
    } = culprit;
    match held.iter_mut().find(|h| h.package == package) {
        Some(h) => {
            if !h.pythons.iter().any(|p| p == python) {
                h.pythons.push(python.to_string());
            }
        }
        None => held.push(HeldBack {
            package,
            version,
            evidence,
            wheels: why.to_string(),
            pythons: vec![python.to_string()],
        }),
    }
}

/// `3.12 and 3.13` / `3.12`, oldest first.
fn describe_range(newest_first: &[String]) -> String {
    let mut v: Vec<&str> = newest_first.iter().map(String::as_str).collect();
    v.reverse();
    match v.as_slice() {
        [one] => format!("Python {one} is"),
        [first, last] => format!("Pythons {first} and {last} are"),
        [first, .., last] => format!("Pythons {first} to {last} are"),
        [] => String::new(),
    }
}

/// Source builds, wheel packages and warnings for the chosen minor: a pin built from
/// source that nothing says builds there is a warning.
fn settle(py: &mut PythonVersion, k: &Knowledge, m: u8, warnings: &mut Vec<Warning>) {
    if !k.pins.is_empty() {
        py.wheels_from = k.source.clone();
    }
    if let Some(reason) = k.fails.get(&m) {
        warnings.push(Warning {
            evidence: py
                .evidence
                .clone()
                .unwrap_or_else(|| Evidence::file(&py.source)),
            message: format!(
                "the pinned packages do not install on Python {}: {reason}",
                py.version
            ),
            fallback: format!("kept Python {}; change the Python or the pins", py.version),
        });
    }
    for p in &k.pins {
        if p.status(m) == Status::Wheel {
            py.wheel_packages.insert(p.package.clone());
            continue;
        }
        let (fit, row) = wheels::source_fit(&p.package, &p.version, m);
        let (known, why) = match fit {
            SourceFit::Works => (
                true,
                format!(
                    "{}; its sdist is known to build and import on CPython 3.{m}",
                    p.wheels
                ),
            ),
            SourceFit::Fails => (
                false,
                format!(
                    "{}; its sdist is known not to work on CPython 3.{m} ({})",
                    p.wheels,
                    row.map(|r| r.verified).unwrap_or_default()
                ),
            ),
            SourceFit::Unknown if p.sdist_only => {
                (true, format!("{}: always built from its sdist", p.wheels))
            }
            SourceFit::Unknown => (
                false,
                format!(
                    "{}; no wheel for CPython 3.{m}, and not known to build from source there",
                    p.wheels
                ),
            ),
        };
        if !known {
            let what = if fit == SourceFit::Fails {
                "its sdist is known not to work there"
            } else {
                "the image builds it from source, which may fail (an old C extension often does not compile or import on a newer Python)"
            };
            warnings.push(Warning {
                evidence: p.evidence.clone(),
                message: format!(
                    "{}=={} has no wheel for Python {} ({}): {what}",
                    p.package, p.version, py.version, p.wheels
                ),
                fallback: format!(
                    "kept Python {} ({}); pin a release with a wheel for it, or choose an older Python",
                    py.version, py.source
                ),
            });
        }
        py.source_builds.push(SourceBuild {
            package: p.package.clone(),
            version: p.version.clone(),
            evidence: p.evidence.clone(),
            known,
            why,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::deps::{from_requirement_lines, PythonConstraint};

    #[test]
    fn django_support_table() {
        assert_eq!(django_pythons(Some("4.2.11")), ("3.8", "3.12"));
        assert_eq!(django_pythons(Some("5.2")), ("3.10", "3.14"));
        assert_eq!(django_pythons(Some("6.0.1")), ("3.12", "3.14"));
        assert_eq!(django_pythons(Some("2.2.28")), ("3.5", "3.9"));
        assert_eq!(django_pythons(None), ("3.12", "3.14"));
    }

    #[test]
    fn conflicts_with_django_are_warned() {
        let py = |v: &str| {
            PythonVersion::new(
                v.into(),
                ".python-version".into(),
                Some(Evidence::at(".python-version", 1)),
            )
        };
        let w = check_against_django(&py("3.11"), Some("6.1")).unwrap();
        assert!(w.message.contains("3.12 to 3.14"), "{}", w.message);
        assert!(check_against_django(&py("3.12"), Some("6.1")).is_none());
        assert!(check_against_django(&py("3.11"), None).is_none());
    }

    /// Dependencies from requirements.txt lines (line numbers are evidence).
    fn deps(lines: &[&str], python: Option<&str>) -> Dependencies {
        let mut d = from_requirement_lines(lines);
        d.python = python.map(|c| PythonConstraint {
            constraint: c.into(),
            evidence: Evidence::at("pyproject.toml", 3),
        });
        d
    }

    fn run_in(
        root: &Path,
        d: &Dependencies,
        django: Option<&str>,
    ) -> (PythonVersion, Vec<Warning>) {
        let mut w = Vec::new();
        let py = detect(
            root,
            &[""],
            d,
            django,
            &mut |m: &[u8]| Knowledge::from_table(d, m),
            &mut w,
        );
        (py, w)
    }

    fn run(d: &Dependencies, django: Option<&str>) -> (PythonVersion, Vec<Warning>) {
        run_in(tempfile::tempdir().unwrap().path(), d, django)
    }

    #[test]
    fn precedence() {
        let dir = tempfile::tempdir().unwrap();
        let c = deps(&[], Some(">=3.10,<3.13"));
        assert_eq!(run_in(dir.path(), &c, Some("5.1")).0.version, "3.12");
        std::fs::write(dir.path().join("Dockerfile"), "FROM python:3.9-slim\n").unwrap();
        assert_eq!(run_in(dir.path(), &deps(&[], None), None).0.version, "3.9");
        std::fs::write(dir.path().join("runtime.txt"), "python-3.11.4\n").unwrap();
        assert_eq!(run_in(dir.path(), &c, None).0.version, "3.11");
        std::fs::write(dir.path().join(".python-version"), "3.10.2\n").unwrap();
        let v = run_in(dir.path(), &c, None).0;
        assert_eq!(
            (v.version.as_str(), v.source.as_str()),
            ("3.10", ".python-version")
        );
        assert_eq!(run(&deps(&[], None), Some("4.2")).0.version, "3.12");
        // A pinned patch release older than the one that added Python 3.12.
        assert_eq!(django_pythons(Some("4.2.2")), ("3.8", "3.11"));
        assert_eq!(django_pythons(Some("4.2.8")), ("3.8", "3.12"));
        assert_eq!(django_pythons(Some("5.1.1")), ("3.10", "3.12"));
    }

    #[test]
    fn files_beside_manage_py_come_before_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join(".python-version"), "3.12\n").unwrap();
        std::fs::write(dir.path().join("src/.python-version"), "3.11\n").unwrap();
        let d = deps(&[], None);
        let mut w = Vec::new();
        let py = detect(
            dir.path(),
            &["src/", ""],
            &d,
            None,
            &mut |m: &[u8]| Knowledge::from_table(&d, m),
            &mut w,
        );
        assert_eq!(
            (py.version.as_str(), py.source.as_str()),
            ("3.11", "src/.python-version")
        );
    }

    #[test]
    fn no_pins_newest_supported() {
        let (py, w) = run(&deps(&["requests==2.31.0"], None), None);
        assert_eq!(py.version, *PYTHONS.last().unwrap());
        assert!(py.held_back_by.is_empty() && py.newest_allowed.is_none() && w.is_empty());
        assert!(py.wheels_from.is_empty(), "no pin is in the wheel table");
        assert_eq!(
            run(&deps(&["Django==5.2.8"], None), Some("5.2.8"))
                .0
                .version,
            "3.14"
        );
    }

    #[test]
    fn an_old_binary_pin_gets_a_python_it_has_a_wheel_for_and_is_named() {
        let d = deps(&["Django==3.2.25", "psycopg2-binary==2.8.6"], None);
        let (py, w) = run(&d, Some("3.2.25"));
        // psycopg2-binary 2.8.6 has wheels for CPython 3.5 to 3.9; Django 3.2 allows 3.10.
        assert_eq!(py.version, "3.9");
        assert_eq!(py.newest_allowed.as_deref(), Some("3.10"));
        assert_eq!(py.held_back_by.len(), 1);
        let h = &py.held_back_by[0];
        assert_eq!(
            (h.package.as_str(), h.version.as_str()),
            ("psycopg2-binary", "2.8.6")
        );
        assert_eq!(h.evidence, Evidence::at("requirements.txt", 2));
        assert_eq!(h.pythons, ["3.10"]);
        assert!(
            py.source
                .contains("psycopg2-binary==2.8.6 (requirements.txt:2)"),
            "{}",
            py.source
        );
        assert!(py.source_builds.is_empty() && w.is_empty());
        assert!(py.wheel_packages.contains("psycopg2-binary"));
        // Near miss: a release with a wheel for 3.10 holds nothing back.
        let (py, _) = run(
            &deps(&["Django==3.2.25", "psycopg2-binary==2.9.10"], None),
            Some("3.2.25"),
        );
        assert_eq!(py.version, "3.10");
        assert!(py.held_back_by.is_empty() && py.newest_allowed.is_none());
        // An upper-bounded specifier gets the newest release it admits (2.8.6).
        let (py, _) = run(&deps(&["psycopg2-binary<2.9"], None), None);
        assert_eq!(py.version, "3.9");
        assert_eq!(py.held_back_by[0].version, "2.8.6");
    }

    #[test]
    fn requires_python_bounds_are_kept() {
        // No Python in 3.10-3.11 has a psycopg2-binary 2.8.6 wheel: never 3.9, outside the
        // bounds. Its sdist builds and imports on 3.10 (with libpq), not on 3.11.
        let d = deps(&["psycopg2-binary==2.8.6"], Some(">=3.10,<3.12"));
        let (py, w) = run(&d, None);
        assert_eq!(py.version, "3.10");
        assert_eq!(py.held_back_by[0].pythons, ["3.11"]);
        assert!(
            py.held_back_by[0]
                .wheels
                .contains("known not to work on 3.11"),
            "{:?}",
            py.held_back_by
        );
        assert_eq!(py.source_builds.len(), 1);
        assert!(py.source_builds[0].known, "{:?}", py.source_builds);
        assert!(w.is_empty(), "{w:?}");
        // 2.9.3 works from source on 3.12: the newest in range.
        let d = deps(&["psycopg2-binary==2.9.3"], Some(">=3.11,<3.13"));
        assert_eq!(run(&d, None).0.version, "3.12");
        // An upper bound under the pins' newest wheel.
        let (py, _) = run(&deps(&["pillow==10.4.0"], Some(">=3.8,<3.11")), None);
        assert_eq!(py.version, "3.10");
        // Poetry's caret.
        let (py, _) = run(&deps(&["numpy==1.21.6"], Some("^3.8")), None);
        assert_eq!(py.version, "3.10");
    }

    #[test]
    fn an_sdist_only_pin_known_not_to_work_on_newer_pythons_holds_them_back() {
        // psycopg2 has no Linux wheels; 2.8.6 compiles on 3.11 but fails at import.
        let d = deps(&["Django==4.2.11", "psycopg2==2.8.6"], None);
        let (py, w) = run(&d, Some("4.2.11"));
        assert_eq!(py.version, "3.10");
        assert_eq!(py.held_back_by[0].package, "psycopg2");
        assert_eq!(py.held_back_by[0].pythons, ["3.11", "3.12"]);
        assert!(w.is_empty(), "{w:?}");
        // Near miss: 2.9.9 works up to 3.12.
        let d = deps(&["Django==4.2.11", "psycopg2==2.9.9"], None);
        let (py, _) = run(&d, Some("4.2.11"));
        assert_eq!(py.version, "3.12");
        assert!(py.held_back_by.is_empty());
    }

    #[test]
    fn pythons_the_pins_do_not_resolve_on_are_skipped_with_the_reason() {
        // As uv reports it: no solution on 3.14 (a pin's Requires-Python).
        let d = deps(&["Django==5.2.8", "somepkg==1.0"], None);
        let mut w = Vec::new();
        let py = detect(
            tempfile::tempdir().unwrap().path(),
            &[""],
            &d,
            Some("5.2.8"),
            &mut |m: &[u8]| {
                let mut k = Knowledge::from_table(&d, m);
                k.files = Evidence::file("requirements.txt");
                k.fails
                    .insert(14, "somepkg==1.0 depends on Python<3.14".into());
                k.fails.insert(13, "no solution".into());
                k
            },
            &mut w,
        );
        assert_eq!(py.version, "3.12");
        let held: Vec<(&str, &str, &Vec<String>)> = py
            .held_back_by
            .iter()
            .map(|h| (h.package.as_str(), h.evidence.file.as_str(), &h.pythons))
            .collect();
        assert_eq!(
            held,
            [
                (
                    "(the pins together)",
                    "requirements.txt",
                    &vec!["3.13".to_string()]
                ),
                ("somepkg", "requirements.txt", &vec!["3.14".to_string()]),
            ]
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn a_wheel_beats_a_source_build_that_is_known_to_work() {
        // PyYAML 5.4.1 builds from source on newer Pythons (pure-Python fallback), but a
        // Python with its wheel is preferred.
        let (py, _) = run(&deps(&["PyYAML==5.4.1"], None), Some("4.2"));
        assert_eq!(py.version, "3.9");
        assert_eq!(py.held_back_by[0].package, "pyyaml");
        assert_eq!(py.held_back_by[0].pythons, ["3.10", "3.11", "3.12"]);
    }

    #[test]
    fn pins_that_fit_no_python_together_are_warned() {
        // Pillow 8.0.0: wheels 3.6-3.9; numpy 2.1.0: 3.10-3.13. No Python has both.
        let d = deps(&["Pillow==8.0.0", "numpy==2.1.0"], None);
        let (py, w) = run(&d, Some("4.2"));
        assert_eq!(py.version, "3.12");
        let pillow = py
            .source_builds
            .iter()
            .find(|b| b.package == "pillow")
            .unwrap();
        assert!(!pillow.known);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].evidence, Evidence::at("requirements.txt", 1));
        assert!(w[0].message.contains("pillow==8.0.0"), "{}", w[0].message);
    }

    #[test]
    fn a_python_the_project_names_is_kept_and_its_source_builds_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".python-version"), "3.12\n").unwrap();
        let d = deps(
            &[
                "psycopg2-binary==2.9.3",
                "lxml==4.6.3",
                "mysqlclient==2.1.1",
                "psycopg2==2.8.6",
            ],
            None,
        );
        let (py, w) = run_in(dir.path(), &d, None);
        assert_eq!(py.version, "3.12");
        let known: Vec<(&str, bool)> = py
            .source_builds
            .iter()
            .map(|b| (b.package.as_str(), b.known))
            .collect();
        assert_eq!(
            known,
            [
                ("psycopg2-binary", true),
                ("lxml", false),
                ("mysqlclient", true),
                ("psycopg2", false)
            ]
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0].evidence, Evidence::at("requirements.txt", 2));
        assert!(w[0].message.contains("may fail"), "{}", w[0].message);
        assert_eq!(w[1].evidence, Evidence::at("requirements.txt", 4));
        assert!(
            w[1].message.contains("known not to work"),
            "{}",
            w[1].message
        );
    }
}

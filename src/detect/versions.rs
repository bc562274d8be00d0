//! The Django and Python versions the image uses.

use super::deps::Dependencies;
use super::evidence::{Evidence, Warning};
use super::pyversion::{self, PythonVersion};
use super::{wheels, Located, Options, UV_TIMEOUT};
use std::path::Path;

/// Django's version: a pinned Django is that release; a range installs its newest patch
/// release, so only the feature release (X.Y) is known.
pub(super) fn django_fact(deps: &Dependencies) -> Option<Located<String>> {
    let django_pinned = deps.get("django").is_some_and(|p| p.pinned.is_some());
    deps.version_of("django").map(|v| Located {
        value: if django_pinned {
            v
        } else {
            v.split('.').take(2).collect::<Vec<_>>().join(".")
        },
        evidence: deps
            .get("django")
            .map(|p| p.evidence.clone())
            .unwrap_or_else(|| Evidence::file("?")),
    })
}

/// The Python version, from the project's files and what its pinned packages have wheels for.
pub(super) fn python_fact(
    root: &Path,
    manage_dir: &str,
    deps: &Dependencies,
    django: Option<&Located<String>>,
    opts: &Options,
    warnings: &mut Vec<Warning>,
) -> PythonVersion {
    let beside = format!("{manage_dir}/");
    let dirs: Vec<&str> = if manage_dir.is_empty() {
        vec![""]
    } else {
        vec![beside.as_str(), ""]
    };
    let mut uv_failed = None;
    let mut wheel_facts = |minors: &[u8]| match &opts.uv {
        Some(uv) => wheels::Knowledge::from_uv(uv, deps, minors, UV_TIMEOUT).unwrap_or_else(|e| {
            uv_failed = Some(e);
            wheels::Knowledge::from_table(deps, minors)
        }),
        None => wheels::Knowledge::from_table(deps, minors),
    };
    let python = pyversion::detect(
        root,
        &dirs,
        deps,
        django.map(|d| d.value.as_str()),
        &mut wheel_facts,
        warnings,
    );
    if let Some(e) = uv_failed {
        warnings.push(Warning {
            evidence: Evidence::file(deps.install_files.first().cloned().unwrap_or_default()),
            message: format!("uv could not say which pins have wheels: {e}"),
            fallback: "used djship's wheel table (PyPI's file lists, built in)".into(),
        });
    }
    python
}

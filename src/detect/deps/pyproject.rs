//! What uv, Poetry, PDM and plain PEP 621 projects share: the `[project]` tables of
//! pyproject.toml and TOML lockfiles with `[[package]] name/version`.

use super::{normalize_name, one_line, parse_requirement_line, read, Dependencies, Dir, Package};
use crate::detect::evidence::{Evidence, Warning};

/// The strings of a TOML array (none when it is not one).
pub fn strs(v: Option<&toml::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The `[project] dependencies` (PEP 621) and `[dependency-groups]` (development) of the
/// folder's pyproject.toml.
pub fn read_declared(d: &Dir, deps: &mut Dependencies, warnings: &mut Vec<Warning>) {
    let Some(t) = d.pyproject else {
        return;
    };
    let file = d.at("pyproject.toml");
    let ev = Evidence::file(file);
    let mut push_pep508 =
        |spec: &str, dev: bool, deps: &mut Dependencies| match parse_requirement_line(
            spec,
            ev.clone(),
        ) {
            Ok(Some(mut p)) => {
                p.dev = dev;
                deps.packages.push(p);
            }
            Ok(None) => {}
            Err(msg) => warnings.push(Warning {
                evidence: ev.clone(),
                message: format!("{spec:?}: {msg}"),
                fallback: "skipped this requirement".into(),
            }),
        };
    let project = t.get("project");
    for s in strs(project.and_then(|p| p.get("dependencies"))) {
        push_pep508(&s, false, deps);
    }
    if let Some(groups) = t.get("dependency-groups").and_then(|g| g.as_table()) {
        for (_, v) in groups {
            for s in strs(Some(v)) {
                push_pep508(&s, true, deps);
            }
        }
    }
}

/// After the declarations: the install copies the pyproject and the lockfile, the lock's
/// pins are read, the project installs itself when `installs_project`, and the Python
/// constraint is `requires-python` unless the manager's own tables gave one.
pub fn read_lock_and_finish(
    d: &Dir,
    deps: &mut Dependencies,
    warnings: &mut Vec<Warning>,
    installs_project: bool,
) {
    deps.install_files.push(d.at("pyproject.toml"));
    if let Some(l) = deps.lockfile.clone() {
        deps.install_files.push(l.clone());
        read_lock_pins(d.root, &l, deps, warnings);
    }
    deps.installs_project = installs_project;
    if deps.python.is_none() {
        deps.python = d.python_from_pyproject();
    }
}

/// Exact versions from a TOML lockfile with `[[package]] name/version` (uv, poetry, pdm).
fn read_lock_pins(
    root: &std::path::Path,
    lock: &str,
    deps: &mut Dependencies,
    warnings: &mut Vec<Warning>,
) {
    let Some(text) = read(root, lock, warnings) else {
        return;
    };
    let table = match text.parse::<toml::Table>() {
        Ok(t) => t,
        Err(e) => {
            warnings.push(Warning {
                evidence: Evidence::file(lock),
                message: format!("invalid TOML: {}", one_line(e.message())),
                fallback: "used the declared constraints without lock pins".into(),
            });
            return;
        }
    };
    let Some(pkgs) = table.get("package").and_then(|p| p.as_array()) else {
        return;
    };
    // The line of each `name = "..."` that follows a `[[package]]` header.
    let mut lines: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut in_package = false;
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.starts_with('[') {
            in_package = l == "[[package]]";
        } else if in_package {
            if let Some(n) = l
                .strip_prefix("name = \"")
                .and_then(|r| r.strip_suffix('"'))
            {
                lines.entry(normalize_name(n)).or_insert(i as u32 + 1);
                in_package = false;
            }
        }
    }
    for p in pkgs {
        let (Some(name), Some(version)) = (
            p.get("name").and_then(|v| v.as_str()),
            p.get("version").and_then(|v| v.as_str()),
        ) else {
            continue;
        };
        let n = normalize_name(name);
        let at = match lines.get(&n) {
            Some(l) => Evidence::at(lock, *l),
            None => Evidence::file(lock),
        };
        match deps.packages.iter_mut().find(|p| p.name == n) {
            Some(p) => {
                p.pinned = Some(version.to_string());
                p.pinned_at = Some(at);
            }
            None => deps.packages.push(Package {
                name: n,
                specifier: String::new(),
                pinned: Some(version.to_string()),
                pinned_at: None,
                extras: Vec::new(),
                marker: None,
                url: None,
                editable: false,
                dev: false,
                evidence: at,
            }),
        }
    }
}

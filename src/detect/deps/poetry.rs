//! Poetry projects: `poetry.lock`, `[tool.poetry]`, the poetry build backend.

use super::pyproject::{self, strs};
use super::{normalize_name, pinned_version, Dependencies, Dir, Lint, Manager, Package};
use super::{PythonConstraint, Warning};
use crate::detect::evidence::Evidence;

pub const POETRY: &str = "poetry==2.5.1";
pub const POETRY_EXPORT: &str = "poetry-plugin-export==1.10.1";

pub const MANAGER: Manager = Manager {
    name: "poetry",
    doc: "Poetry projects: `poetry.lock`, a `[tool.poetry]` table or the `poetry` build backend in `pyproject.toml`. Poetry's own dependency tables (`[tool.poetry.dependencies]`, `dev-dependencies`, groups other than `main` as development) are read with their `^`/`~` constraints as PEP 440. The image exports the lock's `main` group with Poetry and its export plugin (run by uv, not installed in the image) and installs it with uv. `package-mode = false` means the project is not a package.",
    lockfile: Some("poetry.lock"),
    present: configured,
    configured,
    pins_like_a_lock: super::never,
    read,
    carries_build_constraints: false,
    install: |i, _| {
        vec![
            format!(
                "uv tool run --from {POETRY} --with {POETRY_EXPORT} poetry export{} --only main --format requirements.txt --output /tmp/requirements.txt",
                i.project_flag()
            ),
            format!("{} -r /tmp/requirements.txt{}", i.uv_pip, i.extra_args),
        ]
    },
    lint: Lint {
        command: Some("poetry"),
        install_subcommands: &["install", "sync"],
        dependencies_only_flags: &["--no-root"],
        manifest: "poetry.lock",
        installs_project: true,
        takes_package_names: false,
        venv_in_project: false,
        build_only_tool: true,
    },
};

fn configured(d: &Dir) -> bool {
    d.tool("poetry") || d.build_backend().starts_with("poetry")
}

fn read(d: &Dir, deps: &mut Dependencies, warnings: &mut Vec<Warning>) {
    pyproject::read_declared(d, deps, warnings);
    if let Some(t) = d.pyproject {
        read_poetry_tables(t, &d.at("pyproject.toml"), deps);
    }
    let package_mode = d
        .pyproject
        .and_then(|t| t.get("tool")?.get("poetry")?.get("package-mode"))
        .and_then(|v| v.as_bool());
    let installs_project = !d.build_backend().is_empty() && package_mode != Some(false);
    pyproject::read_lock_and_finish(d, deps, warnings, installs_project);
}

/// `[tool.poetry.dependencies]`, `dev-dependencies` and `[tool.poetry.group.*]`.
fn read_poetry_tables(t: &toml::Table, file: &str, deps: &mut Dependencies) {
    let ev = Evidence::file(file);
    let poetry = t.get("tool").and_then(|t| t.get("poetry"));
    let mut tables: Vec<(&toml::Value, bool)> = Vec::new();
    if let Some(d) = poetry.and_then(|p| p.get("dependencies")) {
        tables.push((d, false));
    }
    if let Some(d) = poetry.and_then(|p| p.get("dev-dependencies")) {
        tables.push((d, true));
    }
    if let Some(groups) = poetry
        .and_then(|p| p.get("group"))
        .and_then(|g| g.as_table())
    {
        for (name, g) in groups {
            if let Some(d) = g.get("dependencies") {
                tables.push((d, name != "main"));
            }
        }
    }
    for (table, dev) in tables {
        let Some(table) = table.as_table() else {
            continue;
        };
        for (name, v) in table {
            let constraint = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Table(t) => t
                    .get("version")
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string(),
                _ => String::new(),
            };
            if name == "python" {
                deps.python = Some(PythonConstraint {
                    constraint,
                    evidence: ev.clone(),
                });
                continue;
            }
            let extras = match v {
                toml::Value::Table(t) => strs(t.get("extras")),
                _ => Vec::new(),
            };
            let specifier = poetry_to_pep440(&constraint);
            deps.packages.push(Package {
                name: normalize_name(name),
                pinned: pinned_version(&specifier),
                pinned_at: None,
                specifier,
                extras,
                marker: None,
                url: None,
                editable: false,
                dev,
                evidence: ev.clone(),
            });
        }
    }
}

/// Poetry's `^1.2` / `~1.2` / `1.2.*` constraints as PEP 440 specifiers.
pub fn poetry_to_pep440(c: &str) -> String {
    let c = c.trim();
    if c.is_empty() || c == "*" {
        return String::new();
    }
    let bump = |v: &str, caret: bool| -> String {
        let parts: Vec<u64> = v.split('.').map(|p| p.parse().unwrap_or(0)).collect();
        let idx = if caret {
            parts
                .iter()
                .position(|p| *p != 0)
                .unwrap_or(parts.len().saturating_sub(1))
        } else if parts.len() > 1 {
            1
        } else {
            0
        };
        let mut up: Vec<u64> = parts[..=idx.min(parts.len() - 1)].to_vec();
        if let Some(last) = up.last_mut() {
            *last += 1;
        }
        up.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(".")
    };
    c.split(',')
        .map(|part| {
            let part = part.trim();
            if let Some(v) = part.strip_prefix('^') {
                format!(">={v},<{}", bump(v, true))
            } else if let Some(v) = part.strip_prefix('~').filter(|v| !v.starts_with('=')) {
                format!(">={v},<{}", bump(v, false))
            } else if part.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                format!("=={part}")
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

//! Pipenv projects: `Pipfile`, `Pipfile.lock`.

use super::{evidence_of_line, normalize_name, one_line, pinned_version, read as read_file};
use super::{Dependencies, Dir, Lint, Manager, Package, PythonConstraint, Warning};
use crate::detect::evidence::Evidence;
use crate::shell::quote;

pub const PIPENV: &str = "pipenv==2026.10.3";

pub const MANAGER: Manager = Manager {
    name: "pipenv",
    doc: "Pipenv projects: `Pipfile` and `Pipfile.lock`. The Pipfile's `[packages]` and `[dev-packages]` (development) are read, with the lock's pins. With the lock, the image exports it with Pipenv (run by uv, not installed in the image) and installs the result with uv; without it, the Pipfile's production packages are installed as declared, unpinned, and djship says so.",
    lockfile: Some("Pipfile.lock"),
    present: |d| d.exists("Pipfile"),
    configured: super::never,
    pins_like_a_lock: super::never,
    read,
    carries_build_constraints: false,
    install: |i, notes| {
        if i.deps.lockfile.is_some() {
            vec![
                format!(
                    "{}uv tool run --from {PIPENV} pipenv requirements > /tmp/requirements.txt",
                    if i.dir.is_empty() {
                        String::new()
                    } else {
                        format!("PIPENV_PIPFILE={}/Pipfile ", i.dir)
                    }
                ),
                format!("{} -r /tmp/requirements.txt{}", i.uv_pip, i.extra_args),
            ]
        } else {
            notes.push("Pipfile without Pipfile.lock: installing the Pipfile's unpinned packages; commit a Pipfile.lock for reproducible images".into());
            let pkgs: Vec<String> = i
                .deps
                .packages
                .iter()
                .filter(|p| !p.dev)
                .map(|p| quote(&format!("{}{}", p.name, p.specifier)))
                .collect();
            vec![format!("{} {}{}", i.uv_pip, pkgs.join(" "), i.extra_args)]
        }
    },
    lint: Lint {
        command: Some("pipenv"),
        install_subcommands: &["install", "sync"],
        dependencies_only_flags: &[],
        manifest: "Pipfile",
        // Pipenv never installs the project itself.
        installs_project: false,
        takes_package_names: true,
        venv_in_project: false,
        build_only_tool: true,
    },
};

fn read(d: &Dir, deps: &mut Dependencies, warnings: &mut Vec<Warning>) {
    let (root, dir) = (d.root, d.dir);
    let (pipfile, lockfile) = (format!("{dir}Pipfile"), format!("{dir}Pipfile.lock"));
    if let Some(text) = read_file(root, &pipfile, warnings) {
        deps.install_files.push(pipfile.clone());
        match text.parse::<toml::Table>() {
            Ok(t) => {
                for (section, dev) in [("packages", false), ("dev-packages", true)] {
                    if let Some(pkgs) = t.get(section).and_then(|p| p.as_table()) {
                        for (name, v) in pkgs {
                            let spec = match v {
                                toml::Value::String(s) if s != "*" => s.clone(),
                                toml::Value::Table(t) => t
                                    .get("version")
                                    .and_then(|v| v.as_str())
                                    .filter(|s| *s != "*")
                                    .unwrap_or("")
                                    .to_string(),
                                _ => String::new(),
                            };
                            let extras = match v {
                                toml::Value::Table(t) => t
                                    .get("extras")
                                    .and_then(|e| e.as_array())
                                    .map(|a| {
                                        a.iter()
                                            .filter_map(|x| x.as_str().map(str::to_string))
                                            .collect()
                                    })
                                    .unwrap_or_default(),
                                _ => Vec::new(),
                            };
                            deps.packages.push(Package {
                                name: normalize_name(name),
                                pinned: pinned_version(&spec),
                                pinned_at: None,
                                specifier: spec,
                                extras,
                                marker: None,
                                url: None,
                                editable: false,
                                dev,
                                evidence: evidence_of_line(&pipfile, &text, |l| {
                                    l.split(['=', ' ']).next().is_some_and(|k| {
                                        normalize_name(k.trim_matches('"')) == normalize_name(name)
                                    })
                                }),
                            });
                        }
                    }
                }
                if let Some(v) = t
                    .get("requires")
                    .and_then(|r| {
                        r.get("python_version")
                            .or_else(|| r.get("python_full_version"))
                    })
                    .and_then(|v| v.as_str())
                {
                    deps.python = Some(PythonConstraint::new(v, &pipfile));
                }
            }
            Err(e) => warnings.push(Warning {
                evidence: Evidence::file(&pipfile),
                message: format!("invalid TOML: {}", one_line(e.message())),
                fallback: "used Pipfile.lock only".into(),
            }),
        }
    }
    if let Some(text) = read_file(root, &lockfile, warnings) {
        deps.install_files.push(lockfile.clone());
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(lock) => {
                for (section, dev) in [("default", false), ("develop", true)] {
                    if let Some(pkgs) = lock.get(section).and_then(|p| p.as_object()) {
                        for (name, v) in pkgs {
                            let version = v
                                .get("version")
                                .and_then(|v| v.as_str())
                                .map(|s| s.trim_start_matches("==").to_string());
                            let n = normalize_name(name);
                            let at = evidence_of_line(&lockfile, &text, |l| {
                                l.starts_with(&format!("\"{name}\": {{"))
                            });
                            if let Some(p) = deps.packages.iter_mut().find(|p| p.name == n) {
                                p.pinned = version;
                                p.pinned_at = Some(at);
                            } else {
                                deps.packages.push(Package {
                                    name: n,
                                    specifier: String::new(),
                                    pinned: version,
                                    pinned_at: None,
                                    extras: Vec::new(),
                                    marker: None,
                                    url: None,
                                    editable: false,
                                    dev,
                                    evidence: at,
                                });
                            }
                        }
                    }
                }
                if deps.python.is_none() {
                    if let Some(v) = lock
                        .pointer("/_meta/requires/python_version")
                        .and_then(|v| v.as_str())
                    {
                        deps.python = Some(PythonConstraint::new(v, &lockfile));
                    }
                }
            }
            Err(e) => warnings.push(Warning {
                evidence: Evidence::at(&lockfile, e.line() as u32),
                message: format!("invalid JSON: {e}"),
                fallback: "used the Pipfile's declarations without pins".into(),
            }),
        }
    }
}

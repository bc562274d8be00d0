//! Which Node package manager the project uses (packageManager, lockfiles) and how it
//! installs.

use super::*;

pub(super) struct ManagerChoice {
    pub(super) manager: NodeManager,
    pub(super) reason: String,
    pub(super) version: Option<String>,
    pub(super) lockfile: Option<String>,
    pub(super) yarn_path: Option<String>,
}

/// `packageManager: "pnpm@9.1.0+sha512..."`: the manager and its version.
pub(super) fn package_manager_field(pkg: &Json) -> Option<(String, String)> {
    let s = pkg.get("packageManager")?.as_str()?;
    let (name, ver) = s.split_once('@')?;
    let ver = ver.split('+').next().unwrap_or("").trim();
    let ok = !ver.is_empty()
        && ver
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c));
    ok.then(|| (name.trim().to_string(), ver.to_string()))
}

pub(super) fn major(v: &str) -> Option<u64> {
    v.trim_start_matches('v').split('.').next()?.parse().ok()
}

pub(super) fn manager(
    root: &Path,
    dir: &str,
    pkg: &Json,
    warnings: &mut Vec<Warning>,
) -> ManagerChoice {
    let at = |f: &str| path_join(dir, f);
    let exists = |f: &str| root.join(at(f)).is_file();
    let pm = package_manager_field(pkg);
    let yarnrc_yml = [at(".yarnrc.yml"), ".yarnrc.yml".to_string()]
        .into_iter()
        .find(|p| root.join(p).is_file());
    let yarn_path = yarnrc_yml.as_ref().and_then(|p| {
        let text = std::fs::read_to_string(root.join(p)).ok()?;
        let line = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("yarnPath:"))?;
        let v = line.trim().trim_matches(|c| c == '"' || c == '\'');
        let rel = path_join(&parent(p), v);
        (!v.is_empty() && !rel.starts_with("..") && root.join(&rel).is_file()).then_some(rel)
    });
    let berry = |lock: Option<&str>| {
        yarnrc_yml.is_some()
            || pm
                .as_ref()
                .is_some_and(|(n, v)| n == "yarn" && major(v).is_some_and(|m| m >= 2))
            || lock.is_some_and(|l| {
                std::fs::read_to_string(root.join(l))
                    .map(|t| t.contains("__metadata:"))
                    .unwrap_or(false)
            })
    };
    let locks: Vec<(&str, NodeManager)> = [
        ("package-lock.json", NodeManager::Npm),
        ("npm-shrinkwrap.json", NodeManager::Npm),
        ("yarn.lock", NodeManager::Yarn),
        ("pnpm-lock.yaml", NodeManager::Pnpm),
    ]
    .into_iter()
    .filter(|(f, _)| exists(f))
    .collect();
    for bun in ["bun.lockb", "bun.lock"] {
        if exists(bun) {
            warnings.push(Warning {
                evidence: Evidence::file(at(bun)),
                message:
                    "a Bun lockfile: djship builds the frontend with Node's package managers only"
                        .into(),
                fallback: "used another lockfile, or `npm install` without one".into(),
            });
        }
    }
    let pm_name = pm.as_ref().map(|(n, _)| n.as_str());
    let pm_matches = |m: NodeManager| {
        pm_name
            == Some(match m {
                NodeManager::Npm => "npm",
                NodeManager::Yarn | NodeManager::YarnBerry => "yarn",
                NodeManager::Pnpm => "pnpm",
            })
    };
    let chosen = locks
        .iter()
        .find(|(_, m)| pm_matches(*m))
        .or_else(|| locks.iter().find(|(_, m)| *m == NodeManager::Yarn))
        .or_else(|| locks.iter().find(|(_, m)| *m == NodeManager::Pnpm))
        .or_else(|| locks.first());
    let (mut manager, lockfile, mut reason) = match chosen {
        Some((f, m)) => (*m, Some(at(f)), format!("the lockfile {}", at(f))),
        None => {
            let m = match pm_name {
                Some("yarn") => NodeManager::Yarn,
                Some("pnpm") => NodeManager::Pnpm,
                _ => NodeManager::Npm,
            };
            warnings.push(Warning {
                evidence: Evidence::file(at("package.json")),
                message: "no lockfile beside package.json (package-lock.json, yarn.lock or pnpm-lock.yaml): the versions of the frontend's packages are resolved anew at every image build".into(),
                fallback: format!("installs with `{} install`; commit a lockfile for reproducible images", m.name()),
            });
            (
                m,
                None,
                if pm_name.is_some() {
                    "the packageManager field of package.json (no lockfile)".into()
                } else {
                    "no lockfile: npm, Node's own manager".into()
                },
            )
        }
    };
    if locks.len() > 1 {
        warnings.push(Warning {
            evidence: Evidence::file(at("package.json")),
            message: format!(
                "several lockfiles: {}",
                locks
                    .iter()
                    .map(|(f, _)| at(f))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            fallback: format!(
                "used {} ({}); delete the stale ones",
                lockfile.clone().unwrap_or_default(),
                if pm_matches(manager) {
                    "named by packageManager"
                } else {
                    "yarn, then pnpm, before npm"
                }
            ),
        });
    }
    if manager == NodeManager::Yarn && berry(lockfile.as_deref()) {
        manager = NodeManager::YarnBerry;
        reason.push_str(" (Yarn 2+: ");
        reason.push_str(if yarnrc_yml.is_some() {
            ".yarnrc.yml is present)"
        } else if pm_matches(NodeManager::Yarn) {
            "packageManager names it)"
        } else {
            "the lockfile has Yarn 2's __metadata)"
        });
    }
    let mut version = pm
        .as_ref()
        .filter(|_| pm_matches(manager))
        .map(|(_, v)| v.clone());
    if version.is_some() {
        reason.push_str("; its version from packageManager");
    } else if manager == NodeManager::Pnpm {
        // The pnpm that writes the lockfile's format.
        let lockver = lockfile
            .as_ref()
            .and_then(|l| std::fs::read_to_string(root.join(l)).ok())
            .and_then(|t| {
                t.lines().find_map(|l| {
                    l.strip_prefix("lockfileVersion:")
                        .map(|v| v.trim().trim_matches(|c| c == '\'' || c == '"').to_string())
                })
            });
        let (v, why) = match lockver.as_deref() {
            Some(v) if v.starts_with('9') => ("9", "lockfile format 9.0"),
            Some(v) if v.starts_with('6') => ("8", "lockfile format 6"),
            Some("5.4") => ("7", "lockfile format 5.4"),
            Some(v) if v.starts_with("5.") => ("6", "lockfile format 5"),
            _ => ("9", "no lockfile format found: the current pnpm"),
        };
        version = Some(v.to_string());
        reason.push_str(&format!("; pnpm {v} ({why})"));
    }
    ManagerChoice {
        manager,
        reason,
        version,
        lockfile,
        yarn_path: if manager == NodeManager::YarnBerry {
            yarn_path
        } else {
            None
        },
    }
}

// ---- Node versions ----

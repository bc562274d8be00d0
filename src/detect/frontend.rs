//! The project's frontend: a package.json whose build writes files Django serves
//! (STATICFILES_DIRS, a webpack-stats.json, a Vite manifest), or npm packages served
//! straight from node_modules.
//!
//! Everything here is read as text or JSON: no JavaScript runs, no package manager is
//! called. Build configurations (webpack, Vite) are code, so what they write is only
//! taken from literal text and the settings' own paths, each with its evidence.
//!
//! Precedence of the Node version (`node.source`):
//! 1. `.nvmrc`, 2. `.node-version`, 3. `.tool-versions` (asdf), each in the package.json
//!    folder, then at the root;
//! 4. `volta.node` in package.json;
//! 5. the `FROM node:X` of an existing Dockerfile (when engines.node allows it);
//! 6. the newest LTS line that `engines.node` allows;
//! 7. [`NODE_LTS`].

use super::evidence::{Evidence, Warning};
use super::python::{normalize, path_join, Value};
use super::settings::Evaluated;
use crate::lint::dockerfile;
use serde::Serialize;
use serde_json::Value as Json;
use std::path::Path;

/// The Node line used when the project names none: the current LTS.
pub const NODE_LTS: &str = "24";

/// LTS lines, newest first: an `engines.node` range picks the newest one it allows.
const LTS_MAJORS: &[u64] = &[24, 22, 20, 18, 16, 14, 12, 10, 8];
/// Other lines, taken only when no LTS line satisfies the range.
const OTHER_MAJORS: &[u64] = &[25, 23, 21, 19, 17, 15, 13, 11, 9];
/// nvm's `lts/<name>` aliases.
const LTS_NAMES: &[(&str, u64)] = &[
    ("argon", 4),
    ("boron", 6),
    ("carbon", 8),
    ("dubnium", 10),
    ("erbium", 12),
    ("fermium", 14),
    ("gallium", 16),
    ("hydrogen", 18),
    ("iron", 20),
    ("jod", 22),
    ("krypton", 24),
];

/// Scripts taken as the production build when there is no `build` script, in order.
const BUILD_ALIASES: &[&str] = &[
    "build:prod",
    "build:production",
    "build-prod",
    "build_prod",
    "prod",
    "production",
    "dist",
    "compile",
];

/// Words that mark a script as not the production build (`build:dev`, `build:watch`).
const NOT_PRODUCTION: &[&str] = &[
    "dev",
    "watch",
    "serve",
    "start",
    "test",
    "analy",
    "lint",
    "storybook",
    "docker",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeManager {
    Npm,
    /// Yarn 1 (classic).
    Yarn,
    /// Yarn 2+ (a `.yarnrc.yml`, a v2 lockfile or `packageManager: yarn@2+`).
    YarnBerry,
    Pnpm,
}

impl NodeManager {
    pub fn name(self) -> &'static str {
        match self {
            NodeManager::Npm => "npm",
            NodeManager::Yarn => "yarn",
            NodeManager::YarnBerry => "yarn-berry",
            NodeManager::Pnpm => "pnpm",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeVersion {
    /// As the image tag takes it: `24`, `20.11`, `18.17.0`.
    pub version: String,
    /// Which rule of the precedence gave it.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// What kind of hint names an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputKind {
    /// A STATICFILES_DIRS folder (Django reads it; the build may write into it).
    StaticfilesDir,
    /// A STATICFILES_DIRS folder inside node_modules: npm packages served as they are.
    NodeModules,
    /// django-webpack-loader's STATS_FILE.
    WebpackStats,
    /// django-vite's manifest_path.
    ViteManifest,
    /// django-vite's assets path (the Vite outDir).
    ViteAssets,
    /// A literal output path in a build configuration (vite `outDir`, webpack `output.path`).
    BuildConfig,
    /// An output flag of a build script (`tailwindcss -o`, `esbuild --outdir`).
    BuildScript,
}

impl OutputKind {
    /// The hint says what the build writes (not only what Django reads).
    pub fn produced(self) -> bool {
        matches!(
            self,
            OutputKind::WebpackStats
                | OutputKind::ViteManifest
                | OutputKind::BuildConfig
                | OutputKind::BuildScript
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputState {
    /// In the project with files that .gitignore does not ignore, none ignored below it.
    Committed,
    /// Ignored by .gitignore, or holds ignored files: a local build's output.
    Built,
    /// Not in the project.
    Absent,
    /// Outside the project folder: not in the build context.
    Outside,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Output {
    /// Relative to the project root (as written when outside it).
    pub path: String,
    pub kind: OutputKind,
    /// A file (a manifest, a CSS bundle), not a folder.
    pub file: bool,
    pub state: OutputState,
    /// .gitignore ignores the path itself: the build context leaves it out.
    pub ignored: bool,
    pub evidence: Evidence,
}

/// The project's frontend, as found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frontend {
    /// The folder of package.json, relative to the root (`""` for the root).
    pub dir: String,
    pub package_json: Evidence,
    /// Other package.json files found and not used.
    pub also_found: Vec<String>,
    pub manager: NodeManager,
    /// Why this manager (the lockfile, the packageManager field).
    pub manager_reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockfile: Option<String>,
    /// Yarn 2+: the release `.yarnrc.yml` names (`yarnPath`), relative to the root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yarn_path: Option<String>,
    /// Files the install reads besides package.json and the lockfile (.npmrc, patches/),
    /// relative to the root.
    pub install_files: Vec<String>,
    /// The package.json scripts that make the production build, in order (empty: none).
    pub build_scripts: Vec<String>,
    /// Arguments given to the last build script (`--configuration production`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_args: Option<String>,
    pub build_reason: String,
    pub node: NodeVersion,
    pub outputs: Vec<Output>,
    /// The image needs a Node stage (a build to run, or node_modules to serve).
    pub build_in_image: bool,
    pub reason: String,
    /// What an existing Dockerfile of the project told, one sentence each.
    pub from_dockerfile: Vec<String>,
}

/// What the project's own Dockerfiles say about its frontend.
#[derive(Debug, Default)]
struct DockerHints {
    /// Folders where a Node package manager runs (as written: relative or absolute).
    dirs: Vec<(String, Evidence)>,
    /// Scripts run, with the folder they run in.
    scripts: Vec<(String, String, Evidence)>,
    /// `FROM node:<tag>`: the version part.
    node: Option<(String, Evidence)>,
}

/// Read the frontend of the project at `root` whose manage.py is in `manage_dir`.
pub fn detect(
    root: &Path,
    manage_dir: &str,
    prod: &Evaluated,
    warnings: &mut Vec<Warning>,
) -> Option<Frontend> {
    let settings_outputs = settings_outputs(prod, manage_dir);
    let docker = docker_hints(root);

    // Candidate folders for package.json, most telling first.
    let mut candidates: Vec<String> = Vec::new();
    let mut push = |d: String| {
        if !candidates.contains(&d) {
            candidates.push(d);
        }
    };
    for (d, _) in &docker.dirs {
        if let Some(found) = package_dir_for(root, d) {
            push(found);
        }
    }
    push(String::new());
    if !manage_dir.is_empty() {
        push(manage_dir.to_string());
    }
    push("frontend".into());
    if !manage_dir.is_empty() {
        push(path_join(manage_dir, "frontend"));
    }
    // django-tailwind: the theme app keeps its package.json in static_src/.
    if let Some(app) = prod.value("TAILWIND_APP_NAME").and_then(Value::as_str) {
        push(path_join(
            manage_dir,
            &format!("{}/static_src", app.replace('.', "/")),
        ));
    }
    // The nearest folder above a settings path that holds a package.json.
    for o in &settings_outputs {
        let mut p = o.path.clone();
        while !p.is_empty() && !p.starts_with("..") {
            p = parent(&p);
            if root.join(&p).join("package.json").is_file() {
                push(p.clone());
                break;
            }
        }
    }
    // Any folder one level below the root or manage.py's folder (`vue3/`, `client/`):
    // taken only when its build writes what the settings read (a docs site's package.json
    // is not the frontend).
    let named = candidates.len();
    for base in [String::new(), manage_dir.to_string()] {
        let Ok(rd) = std::fs::read_dir(root.join(&base)) else {
            continue;
        };
        let mut subs: Vec<String> = rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && n != "node_modules")
            .collect();
        subs.sort();
        for n in subs.into_iter().take(200) {
            let d = path_join(&base, &n);
            if root.join(&d).join("package.json").is_file() && !candidates.contains(&d) {
                candidates.push(d);
            }
        }
    }

    let mut found: Vec<(String, Json, String)> = Vec::new();
    let mut weak: Vec<String> = Vec::new();
    for (i, d) in candidates.into_iter().enumerate() {
        if i >= named {
            weak.push(d.clone());
        }
        let rel = path_join(&d, "package.json");
        let path = root.join(&rel);
        if !path.is_file() {
            continue;
        }
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                serde_json::from_str::<Json>(&t)
                    .map(|j| (j, t))
                    .map_err(|e| e.to_string())
            }) {
            Ok((j, t)) if j.is_object() => found.push((d, j, t)),
            Ok(_) => warnings.push(Warning {
                evidence: Evidence::file(&rel),
                message: "package.json is not a JSON object".into(),
                fallback: "ignored this package.json".into(),
            }),
            Err(e) => warnings.push(Warning {
                evidence: Evidence::file(&rel),
                message: format!("cannot read package.json: {e}"),
                fallback: "ignored this package.json".into(),
            }),
        }
    }
    if found.is_empty() {
        return None;
    }
    let serves_node_modules = settings_outputs
        .iter()
        .any(|o| o.kind == OutputKind::NodeModules);
    // The first whose build writes what the settings read, else the first with a build
    // script, else the first (node_modules may still be served).
    let related = |a: &str, b: &str| {
        a == b || a.starts_with(&format!("{b}/")) || b.starts_with(&format!("{a}/"))
    };
    let score = |(d, j, _): &(String, Json, String)| {
        let scripts = choose_scripts(root, j, d, &docker).0;
        if scripts.is_empty() {
            return 0;
        }
        let writes_settings_path = config_outputs(root, d, j, &scripts)
            .iter()
            .chain(&angular_build(root, d, j, &scripts).outputs)
            .any(|c| {
                settings_outputs
                    .iter()
                    .any(|o| o.kind != OutputKind::NodeModules && related(&c.path, &o.path))
            });
        if writes_settings_path {
            2
        } else {
            1
        }
    };
    let mut dropped = Vec::new();
    found.retain(|c| {
        if !weak.contains(&c.0) || score(c) == 2 {
            return true;
        }
        dropped.push(path_join(&c.0, "package.json"));
        if !choose_scripts(root, &c.1, &c.0, &docker).0.is_empty() {
            warnings.push(Warning {
                evidence: Evidence::file(path_join(&c.0, "package.json")),
                message: "a package.json with a build script, but nothing says the settings read what it writes".into(),
                fallback: "not built in the image; if it is the frontend, name what it writes in STATICFILES_DIRS".into(),
            });
        }
        false
    });
    if found.is_empty() {
        return None;
    }
    let best = found.iter().map(score).max().unwrap_or(0);
    let pick = found.iter().position(|c| score(c) == best).unwrap_or(0);
    let (dir, pkg, text) = found.remove(pick);
    let also_found: Vec<String> = found
        .iter()
        .map(|(d, _, _)| path_join(d, "package.json"))
        .chain(dropped)
        .collect();
    let pkg_rel = path_join(&dir, "package.json");

    let (build_scripts, mut build_reason) = choose_scripts(root, &pkg, &dir, &docker);
    let angular = angular_build(root, &dir, &pkg, &build_scripts);
    if let Some(why) = &angular.why {
        build_reason.push_str("; ");
        build_reason.push_str(why);
    }
    let m = manager(root, &dir, &pkg, warnings);
    let node = node_version(root, &dir, &pkg, &text, &docker, warnings);

    let mut from_dockerfile = Vec::new();
    if let Some((d, ev)) = docker
        .dirs
        .iter()
        .find(|(d, _)| package_dir_for(root, d).as_deref() == Some(dir.as_str()))
    {
        if !dir.is_empty() {
            from_dockerfile.push(format!(
                "the frontend folder {dir} (the package manager runs in {d} at {ev})"
            ));
        }
    }
    if build_reason.contains("Dockerfile") {
        from_dockerfile.push(format!("the build script: {build_reason}"));
    }
    if node.source.contains("Dockerfile") {
        from_dockerfile.push(format!(
            "the Node version {}: {}",
            node.version, node.source
        ));
    }

    // Outputs: the settings' paths, then what the build configuration and scripts name.
    // One output per path; a hint that says what the build writes wins over a setting.
    let mut outputs: Vec<Output> = Vec::new();
    for o in settings_outputs
        .into_iter()
        .chain(config_outputs(root, &dir, &pkg, &build_scripts))
        .chain(angular.outputs)
    {
        match outputs.iter_mut().find(|x| x.path == o.path) {
            Some(x)
                if !x.kind.produced() && o.kind.produced() && x.kind != OutputKind::NodeModules =>
            {
                *x = o
            }
            Some(_) => {}
            None => outputs.push(o),
        }
    }
    let ignore = Ignores::load(root);
    for o in &mut outputs {
        (o.state, o.ignored) = state_of(root, &o.path, &ignore);
    }

    let (build_in_image, reason) = decide(&build_scripts, &outputs, serves_node_modules);
    let mut install_files = Vec::new();
    for f in [
        ".npmrc",
        ".yarnrc",
        ".yarnrc.yml",
        "pnpm-workspace.yaml",
        "patches",
        ".yarn/plugins",
        ".yarn/patches",
    ] {
        let rel = path_join(&dir, f);
        if root.join(&rel).exists() {
            install_files.push(rel);
        }
    }
    Some(Frontend {
        package_json: Evidence::file(pkg_rel),
        also_found,
        manager: m.manager,
        manager_reason: m.reason,
        manager_version: m.version,
        lockfile: m.lockfile,
        yarn_path: m.yarn_path,
        install_files,
        build_scripts,
        build_args: angular.args,
        build_reason,
        node,
        outputs,
        build_in_image,
        reason,
        from_dockerfile,
        dir,
    })
}

fn parent(p: &str) -> String {
    match p.rsplit_once('/') {
        Some((a, _)) => a.to_string(),
        None => String::new(),
    }
}

/// The project folder with a package.json that a Dockerfile path names: the path itself
/// (relative to the root), else its shortest tail that exists (`/app/frontend` is
/// `frontend` in the project), else the root.
fn package_dir_for(root: &Path, written: &str) -> Option<String> {
    let parts: Vec<&str> = written
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return None;
    }
    for i in 0..=parts.len() {
        let d = parts[i..].join("/");
        if root.join(&d).join("package.json").is_file() {
            return Some(d);
        }
    }
    None
}

/// Whether the folder of a Dockerfile command is the package folder `dir`.
fn same_dir(root: &Path, written: &str, dir: &str) -> bool {
    package_dir_for(root, written).as_deref() == Some(dir)
}

fn scripts_of(pkg: &Json) -> Vec<(String, String)> {
    pkg.get("scripts")
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Scripts that start a container build or the Python side: never the frontend build.
fn delegates_elsewhere(cmd: &str) -> bool {
    let first = cmd.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "docker" | "docker-compose" | "podman" | "python" | "python3" | "pip" | "poetry" | "uv"
    )
}

/// The scripts that make the production build, and why.
fn choose_scripts(
    root: &Path,
    pkg: &Json,
    dir: &str,
    docker: &DockerHints,
) -> (Vec<String>, String) {
    let scripts = scripts_of(pkg);
    let has = |n: &str| {
        scripts
            .iter()
            .find(|(k, _)| k == n)
            .filter(|(_, v)| !delegates_elsewhere(v))
            .map(|(k, _)| k.clone())
    };
    // A script the project's own Dockerfile runs in this folder wins.
    for (script, folder, ev) in &docker.scripts {
        if !same_dir(root, folder, dir) {
            continue;
        }
        if let Some(s) = has(script) {
            return (
                vec![s.clone()],
                format!("`{s}`, the script the existing Dockerfile runs ({ev})"),
            );
        }
    }
    if let Some(s) = has("build") {
        return (vec![s], "the `build` script of package.json".into());
    }
    for a in BUILD_ALIASES {
        if let Some(s) = has(a) {
            return (
                vec![s],
                format!("`{a}`: package.json has no `build` script, `{a}` is its production build"),
            );
        }
    }
    let parts: Vec<String> = scripts
        .iter()
        .filter(|(k, v)| {
            (k.starts_with("build:") || k.starts_with("build-"))
                && !NOT_PRODUCTION.iter().any(|w| k.contains(w))
                && !delegates_elsewhere(v)
        })
        .map(|(k, _)| k.clone())
        .collect();
    if !parts.is_empty() {
        let why = format!(
            "package.json has no `build` script: its parts {} run in order",
            parts
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return (parts, why);
    }
    (Vec::new(), "package.json has no build script".into())
}

struct ManagerChoice {
    manager: NodeManager,
    reason: String,
    version: Option<String>,
    lockfile: Option<String>,
    yarn_path: Option<String>,
}

/// `packageManager: "pnpm@9.1.0+sha512..."`: the manager and its version.
fn package_manager_field(pkg: &Json) -> Option<(String, String)> {
    let s = pkg.get("packageManager")?.as_str()?;
    let (name, ver) = s.split_once('@')?;
    let ver = ver.split('+').next().unwrap_or("").trim();
    let ok = !ver.is_empty()
        && ver
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c));
    ok.then(|| (name.trim().to_string(), ver.to_string()))
}

fn major(v: &str) -> Option<u64> {
    v.trim_start_matches('v').split('.').next()?.parse().ok()
}

fn manager(root: &Path, dir: &str, pkg: &Json, warnings: &mut Vec<Warning>) -> ManagerChoice {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Ver(u64, u64, u64);

#[derive(Debug, Clone, Copy)]
enum Op {
    Ge,
    Gt,
    Le,
    Lt,
}

type Comparators = Vec<(Op, Ver)>;

/// `18`, `18.2`, `18.x`, `v18.2.1`: the numbers given (`None` from the first wildcard on).
fn partial(s: &str) -> Option<[Option<u64>; 3]> {
    let s = s.trim().trim_start_matches(['v', '=']);
    if s.is_empty() || s == "*" || s.eq_ignore_ascii_case("x") {
        return Some([None; 3]);
    }
    let s = s.split(['-', '+']).next().unwrap_or("");
    let mut out = [None; 3];
    for (i, p) in s.split('.').enumerate() {
        if i > 2 {
            return None;
        }
        if p == "*" || p.eq_ignore_ascii_case("x") {
            break;
        }
        out[i] = Some(p.parse().ok()?);
    }
    Some(out)
}

fn lower(p: [Option<u64>; 3]) -> Ver {
    Ver(p[0].unwrap_or(0), p[1].unwrap_or(0), p[2].unwrap_or(0))
}

/// The first version past a partial (`18` -> 19.0.0, `18.2` -> 18.3.0).
fn upper(p: [Option<u64>; 3]) -> Option<Ver> {
    match p {
        [None, ..] => None,
        [Some(a), None, _] => Some(Ver(a.saturating_add(1), 0, 0)),
        [Some(a), Some(b), None] => Some(Ver(a, b.saturating_add(1), 0)),
        [Some(a), Some(b), Some(c)] => Some(Ver(a, b, c.saturating_add(1))),
    }
}

/// One comparator of a range (`>=18`, `^18.2`, `~16.14`, `18.x`) as bounds.
fn comparator(tok: &str) -> Option<Comparators> {
    let (op, rest) = ["^", "~>", "~", ">=", "<=", ">", "<", "="]
        .iter()
        .find_map(|o| tok.strip_prefix(o).map(|r| (*o, r)))
        .unwrap_or(("", tok));
    let p = partial(rest)?;
    let lo = lower(p);
    let mut out = Vec::new();
    match op {
        "^" => {
            out.push((Op::Ge, lo));
            let hi = match p {
                [Some(0), Some(0), Some(c)] => Ver(0, 0, c.saturating_add(1)),
                [Some(0), Some(b), _] if b > 0 => Ver(0, b.saturating_add(1), 0),
                [Some(a), ..] => Ver(a.saturating_add(1), 0, 0),
                _ => return Some(out),
            };
            out.push((Op::Lt, hi));
        }
        "~" | "~>" => {
            out.push((Op::Ge, lo));
            let hi = match p {
                [Some(a), None, _] => Ver(a.saturating_add(1), 0, 0),
                [Some(a), Some(b), _] => Ver(a, b.saturating_add(1), 0),
                _ => return Some(out),
            };
            out.push((Op::Lt, hi));
        }
        ">=" => out.push((Op::Ge, lo)),
        ">" => match upper(p) {
            Some(u) if p[2].is_none() => out.push((Op::Ge, u)),
            _ => out.push((Op::Gt, lo)),
        },
        "<=" => match upper(p) {
            Some(u) if p[2].is_none() => out.push((Op::Lt, u)),
            _ => out.push((Op::Le, lo)),
        },
        "<" => out.push((Op::Lt, lo)),
        _ => {
            if p[0].is_some() {
                out.push((Op::Ge, lo));
                if let Some(u) = upper(p) {
                    out.push((Op::Lt, u));
                }
            }
        }
    }
    Some(out)
}

/// An npm semver range: `||` alternatives of space-separated comparators (`A - B` too).
fn parse_range(s: &str) -> Option<Vec<Comparators>> {
    let mut alts = Vec::new();
    for alt in s.split("||") {
        // Operators may be followed by spaces (`>= 18`).
        let mut text = alt.trim().to_string();
        for o in [">=", "<=", ">", "<", "=", "^", "~"] {
            text = text.replace(&format!("{o} "), o);
        }
        let toks: Vec<&str> = text.split_whitespace().collect();
        let mut cmps = Vec::new();
        if toks.len() == 3 && toks[1] == "-" {
            let a = partial(toks[0])?;
            let b = partial(toks[2])?;
            cmps.push((Op::Ge, lower(a)));
            match (b[2], upper(b)) {
                (Some(_), _) => cmps.push((Op::Le, lower(b))),
                (None, Some(u)) => cmps.push((Op::Lt, u)),
                _ => {}
            }
        } else {
            for t in toks {
                cmps.extend(comparator(t)?);
            }
        }
        alts.push(cmps);
    }
    Some(alts)
}

fn satisfies(v: Ver, alts: &[Comparators]) -> bool {
    alts.iter().any(|cmps| {
        cmps.iter().all(|(op, b)| match op {
            Op::Ge => v >= *b,
            Op::Gt => v > *b,
            Op::Le => v <= *b,
            Op::Lt => v < *b,
        })
    })
}

/// The newest LTS line a range allows (else another line), as an image tag: the major
/// when its newest release satisfies the range, else `major.minor` or the exact version.
fn pick_in_range(range: &str) -> Option<String> {
    let alts = parse_range(range)?;
    let bounds: Vec<Ver> = alts.iter().flatten().map(|(_, v)| *v).collect();
    for &m in LTS_MAJORS.iter().chain(OTHER_MAJORS) {
        if satisfies(Ver(m, 9999, 9999), &alts) {
            return Some(m.to_string());
        }
        let mut points: Vec<Ver> = vec![Ver(m, 0, 0)];
        for b in bounds.iter().filter(|b| b.0 == m) {
            points.push(*b);
            points.push(Ver(b.0, b.1, b.2.saturating_add(1)));
            points.push(Ver(b.0, b.1.saturating_add(1), 0));
        }
        points.sort();
        if let Some(p) = points.iter().rev().find(|p| satisfies(**p, &alts)) {
            return Some(if satisfies(Ver(p.0, p.1, 9999), &alts) {
                format!("{}.{}", p.0, p.1)
            } else {
                format!("{}.{}.{}", p.0, p.1, p.2)
            });
        }
    }
    None
}

/// A version as written in .nvmrc and its kin: `v18.17.0`, `18`, `lts/iron`, `20.x`.
/// `Err(text)` when it names no version djship can use.
fn version_file_value(raw: &str) -> Result<Option<String>, String> {
    let v = raw.trim();
    let lower = v.to_ascii_lowercase();
    if let Some(name) = lower.strip_prefix("lts/") {
        if name == "*" || name == "latest" {
            return Ok(None);
        }
        return LTS_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| Some(m.to_string()))
            .ok_or_else(|| format!("unknown LTS name {v:?}"));
    }
    if matches!(
        lower.as_str(),
        "node" | "stable" | "latest" | "current" | "lts"
    ) {
        return Ok(None);
    }
    let plain = v.trim_start_matches(['v', 'V']);
    if !plain.is_empty()
        && plain.split('.').count() <= 3
        && plain
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return Ok(Some(plain.to_string()));
    }
    pick_in_range(v)
        .map(Some)
        .ok_or_else(|| format!("not a Node version: {v:?}"))
}

fn node_version(
    root: &Path,
    dir: &str,
    pkg: &Json,
    pkg_text: &str,
    docker: &DockerHints,
    warnings: &mut Vec<Warning>,
) -> NodeVersion {
    let lts_default = |why: &str| NodeVersion {
        version: NODE_LTS.into(),
        source: format!("the current Node LTS line ({why})"),
        evidence: None,
    };
    let mut dirs = vec![dir.to_string()];
    if !dir.is_empty() {
        dirs.push(String::new());
    }
    for file in [".nvmrc", ".node-version", ".tool-versions"] {
        for d in &dirs {
            let rel = path_join(d, file);
            let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
                continue;
            };
            let found = text.lines().enumerate().find_map(|(i, l)| {
                let l = l.split('#').next().unwrap_or("").trim();
                if file == ".tool-versions" {
                    let mut w = l.split_whitespace();
                    (w.next() == Some("nodejs")).then(|| (i, w.next().unwrap_or("").to_string()))
                } else {
                    (!l.is_empty()).then(|| (i, l.to_string()))
                }
            });
            let Some((i, raw)) = found else { continue };
            let ev = Evidence::at(&rel, i as u32 + 1);
            match version_file_value(&raw) {
                Ok(Some(v)) => {
                    return NodeVersion {
                        version: v,
                        source: format!("{file} ({raw})"),
                        evidence: Some(ev),
                    }
                }
                Ok(None) => {
                    return NodeVersion {
                        evidence: Some(ev),
                        ..lts_default(&format!("{file} asks for {raw:?}"))
                    }
                }
                Err(e) => warnings.push(Warning {
                    evidence: ev,
                    message: e,
                    fallback: "used the next source of the Node version".into(),
                }),
            }
        }
    }
    let pkg_rel = path_join(dir, "package.json");
    let line_of = |needle: &str| {
        pkg_text
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| Evidence::at(&pkg_rel, i as u32 + 1))
            .unwrap_or_else(|| Evidence::file(&pkg_rel))
    };
    if let Some(v) = pkg
        .get("volta")
        .and_then(|v| v.get("node"))
        .and_then(Json::as_str)
    {
        if let Ok(Some(ver)) = version_file_value(v) {
            return NodeVersion {
                version: ver,
                source: format!("volta.node in package.json ({v})"),
                evidence: Some(line_of("\"volta\"")),
            };
        }
    }
    let engines = pkg
        .get("engines")
        .and_then(|e| e.get("node"))
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let engines_range = engines.and_then(parse_range);
    if let Some((tag, ev)) = &docker.node {
        if let Ok(Some(v)) = version_file_value(tag) {
            let allowed = match (&engines_range, partial(&v)) {
                (Some(r), Some(p)) => {
                    satisfies(lower(p), r)
                        || upper(p).is_some_and(|u| satisfies(Ver(u.0, u.1, 0).max(lower(p)), r))
                }
                _ => true,
            };
            if allowed {
                return NodeVersion {
                    version: v,
                    source: format!("FROM node:{tag} of the existing Dockerfile"),
                    evidence: Some(ev.clone()),
                };
            }
        }
    }
    if let Some(e) = engines {
        match pick_in_range(e) {
            Some(v) => {
                return NodeVersion {
                    source: format!("the newest Node line engines.node allows ({e})"),
                    version: v,
                    evidence: Some(line_of("\"engines\"")),
                }
            }
            None => warnings.push(Warning {
                evidence: line_of("\"engines\""),
                message: format!("cannot read engines.node {e:?} as a version range"),
                fallback: format!("Node {NODE_LTS}, the current LTS line"),
            }),
        }
    }
    lts_default("no .nvmrc, .node-version, .tool-versions, volta or engines.node")
}

// ---- Outputs ----

/// A path as a setting gives it, relative to the root; `Err` when outside the project.
fn setting_path(v: &Value, manage_dir: &str) -> Option<Result<String, String>> {
    match v {
        Value::Path(p) => Some(if p.starts_with('/') || p.starts_with("..") {
            Err(p.clone())
        } else {
            Ok(p.clone())
        }),
        Value::Str(s) if s.starts_with('/') => Some(match s.strip_prefix("/app/") {
            Some(rest) => Ok(normalize(rest)),
            None => Err(s.clone()),
        }),
        Value::Str(s) if !s.is_empty() && !s.contains("://") => {
            let p = path_join(manage_dir, s);
            Some(if p.starts_with("..") { Err(p) } else { Ok(p) })
        }
        _ => None,
    }
}

fn output(path: Result<String, String>, kind: OutputKind, file: bool, ev: &Evidence) -> Output {
    let (path, state) = match path {
        Ok(p) => (p, OutputState::Absent),
        Err(p) => (p, OutputState::Outside),
    };
    let kind = if kind == OutputKind::StaticfilesDir && path.split('/').any(|c| c == "node_modules")
    {
        OutputKind::NodeModules
    } else {
        kind
    };
    Output {
        path,
        kind,
        file,
        state,
        ignored: false,
        evidence: ev.clone(),
    }
}

/// What the settings say the frontend provides: STATICFILES_DIRS, django-webpack-loader's
/// STATS_FILE, django-vite's manifest and assets paths.
fn settings_outputs(prod: &Evaluated, manage_dir: &str) -> Vec<Output> {
    let mut out = Vec::new();
    // django-npm's finder serves node_modules of NPM_ROOT_PATH (older: NPM_PREFIX_PATH;
    // default: the working directory, manage.py's folder), the packages NPM_FILE_PATTERNS
    // names, or all of them.
    if let Some(f) = prod.get("STATICFILES_FINDERS").filter(|f| {
        f.value
            .strings()
            .iter()
            .any(|s| s.starts_with("npm.finders."))
    }) {
        let root = ["NPM_ROOT_PATH", "NPM_PREFIX_PATH"]
            .iter()
            .find_map(|n| prod.value(n).and_then(|v| setting_path(v, manage_dir)))
            .unwrap_or_else(|| Ok(manage_dir.to_string()));
        let modules = root.map(|r| path_join(&r, "node_modules"));
        match prod.get("NPM_FILE_PATTERNS") {
            Some(p) if matches!(p.value, Value::Dict(_)) => {
                if let Value::Dict(items) = &p.value {
                    for (package, _) in items {
                        let path = match &modules {
                            Ok(m) => Ok(path_join(m, package)),
                            Err(m) => Err(format!("{m}/{package}")),
                        };
                        out.push(output(path, OutputKind::NodeModules, false, &p.evidence));
                    }
                }
            }
            _ => out.push(output(modules, OutputKind::NodeModules, false, &f.evidence)),
        }
    }
    let mut leaves = |v: &Value, kind: OutputKind, file: bool, ev: &Evidence| {
        v.walk(&mut |x| {
            if let Some(p) = setting_path(x, manage_dir) {
                out.push(output(p, kind, file, ev));
            }
        });
    };
    if let Some(b) = prod.get("STATICFILES_DIRS") {
        if let Value::List(items) = &b.value {
            for item in items {
                // ("prefix", path)
                let v = match item {
                    Value::List(pair) if pair.len() == 2 => &pair[1],
                    v => v,
                };
                leaves(v, OutputKind::StaticfilesDir, false, &b.evidence);
            }
        }
    }
    if let Some(b) = prod.get("WEBPACK_LOADER") {
        if let Value::Dict(configs) = &b.value {
            for (_, c) in configs {
                if let Some(v) = c.get("STATS_FILE") {
                    leaves(v, OutputKind::WebpackStats, true, &b.evidence);
                }
            }
        }
    }
    if let Some(b) = prod.get("DJANGO_VITE") {
        if let Value::Dict(configs) = &b.value {
            for (_, c) in configs {
                if let Some(v) = c.get("manifest_path") {
                    leaves(v, OutputKind::ViteManifest, true, &b.evidence);
                }
            }
        }
    }
    for (name, kind, file) in [
        ("DJANGO_VITE_MANIFEST_PATH", OutputKind::ViteManifest, true),
        ("DJANGO_VITE_ASSETS_PATH", OutputKind::ViteAssets, false),
    ] {
        if let Some(b) = prod.get(name) {
            leaves(&b.value, kind, file, &b.evidence);
        }
    }
    out
}

/// The first quoted literal in `s`.
fn literal(s: &str) -> Option<&str> {
    let start = s.find(['"', '\'', '`'])?;
    let q = s[start..].chars().next()?;
    let rest = &s[start + 1..];
    let end = rest.find(q)?;
    let lit = &rest[..end];
    (!lit.contains("${")).then_some(lit)
}

/// Every quoted literal in an argument list: `path.resolve(__dirname, "a", 'b')`.
fn literals(s: &str) -> Option<Vec<String>> {
    let open = s.find('(')?;
    let close = s[open..].find(')')? + open;
    let args = &s[open + 1..close];
    let mut out = Vec::new();
    for a in args.split(',') {
        let a = a.trim();
        if a == "__dirname" || a == "process.cwd()" {
            continue;
        }
        out.push(literal(a)?.to_string());
    }
    Some(out)
}

/// What the build configuration and the build scripts name as their output, read as text.
fn config_outputs(root: &Path, dir: &str, pkg: &Json, build: &[String]) -> Vec<Output> {
    let mut out = Vec::new();
    let inside = |p: String| {
        if p.starts_with("..") || p.starts_with('/') {
            Err(p)
        } else {
            Ok(p)
        }
    };
    // Scripts the build runs, and the scripts they run in turn (`npm run css && npm run js`).
    let scripts = scripts_of(pkg);
    let mut queue: Vec<String> = build.to_vec();
    let mut seen: Vec<String> = Vec::new();
    let mut uses_vite = false;
    while let Some(name) = queue.pop() {
        if seen.contains(&name) || seen.len() > 20 {
            continue;
        }
        seen.push(name.clone());
        let Some((_, cmd)) = scripts.iter().find(|(k, _)| *k == name) else {
            continue;
        };
        let words = dockerfile::shell_words(cmd);
        for (i, w) in words.iter().enumerate() {
            if let Some(s) = scripts.iter().find(|(k, _)| k == w) {
                if i > 0
                    && matches!(
                        words[i - 1].as_str(),
                        "run" | "yarn" | "pnpm" | "run-s" | "run-p" | "npm-run-all"
                    )
                {
                    queue.push(s.0.clone());
                }
            }
            if w == "vite" && words.get(i + 1).is_some_and(|n| n == "build") {
                uses_vite = true;
            }
            let (flag, value) = match w.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (w.as_str(), words.get(i + 1).cloned()),
            };
            let file = match flag {
                "--outfile" | "--out-file" => Some(true),
                "--outdir" | "--out-dir" | "--dist-dir" | "--output-path" | "--output-dir" => {
                    Some(false)
                }
                "-o" | "--output" => value
                    .as_deref()
                    .map(|v| v.rsplit('/').next().unwrap_or("").contains('.')),
                _ => None,
            };
            let Some(file) = file else { continue };
            let Some(v) =
                value.filter(|v| !v.starts_with('-') && !v.contains('$') && !v.is_empty())
            else {
                continue;
            };
            out.push(output(
                inside(path_join(dir, &v)),
                OutputKind::BuildScript,
                file,
                &Evidence::file(path_join(dir, "package.json")),
            ));
        }
    }
    // Vite: `outDir: "..."`, else its default `dist`.
    let mut vite_config = false;
    for name in [
        "vite.config.js",
        "vite.config.ts",
        "vite.config.mjs",
        "vite.config.mts",
        "vite.config.cjs",
    ] {
        let rel = path_join(dir, name);
        let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
            continue;
        };
        vite_config = true;
        for (i, line) in text.lines().enumerate() {
            if let Some(rest) = line.split("outDir").nth(1) {
                let rest = rest
                    .trim_start()
                    .trim_start_matches([':', '='])
                    .trim_start();
                let lit = if rest.starts_with("path.") || rest.starts_with("resolve(") {
                    literals(rest).map(|l| l.join("/"))
                } else {
                    literal(rest)
                        .filter(|_| rest.starts_with(['"', '\'', '`']))
                        .map(str::to_string)
                };
                if let Some(l) = lit {
                    out.push(output(
                        inside(path_join(dir, &l)),
                        OutputKind::BuildConfig,
                        false,
                        &Evidence::at(&rel, i as u32 + 1),
                    ));
                }
            }
        }
    }
    if (uses_vite || vite_config) && !out.iter().any(|o| o.kind == OutputKind::BuildConfig) {
        out.push(output(
            inside(path_join(dir, "dist")),
            OutputKind::BuildConfig,
            false,
            &Evidence::file(path_join(dir, "package.json")),
        ));
    }
    // webpack: `path: path.resolve(__dirname, "static/dist")` (output.path).
    for name in [
        "webpack.config.js",
        "webpack.config.cjs",
        "webpack.config.mjs",
        "webpack.config.ts",
        "webpack.prod.js",
        "webpack.production.js",
    ] {
        let rel = path_join(dir, name);
        let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            let Some(rest) = l.strip_prefix("path:").map(str::trim_start) else {
                continue;
            };
            let lits = if rest.starts_with("path.resolve(")
                || rest.starts_with("path.join(")
                || rest.starts_with("resolve(")
                || rest.starts_with("join(")
            {
                literals(rest)
            } else if rest.starts_with(['"', '\'']) {
                literal(rest).map(|l| vec![l.to_string()])
            } else {
                None
            };
            if let Some(parts) = lits.filter(|p| !p.is_empty()) {
                let joined = parts
                    .iter()
                    .fold(dir.to_string(), |acc, p| path_join(&acc, p));
                out.push(output(
                    inside(joined),
                    OutputKind::BuildConfig,
                    false,
                    &Evidence::at(&rel, i as u32 + 1),
                ));
            }
        }
    }
    out
}

struct Angular {
    args: Option<String>,
    why: Option<String>,
    outputs: Vec<Output>,
}

/// An Angular workspace: the `outputPath` of the configuration `ng build` uses. A build
/// script that runs a bare `ng build` where angular.json has a `production` configuration
/// that is not the default gets `--configuration production`, as Angular's own
/// deployment guide builds.
fn angular_build(root: &Path, dir: &str, pkg: &Json, build: &[String]) -> Angular {
    let mut a = Angular {
        args: None,
        why: None,
        outputs: Vec::new(),
    };
    let rel = path_join(dir, "angular.json");
    let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
        return a;
    };
    let Ok(ws) = serde_json::from_str::<Json>(&text) else {
        return a;
    };
    let scripts = scripts_of(pkg);
    let Some(last) = build.last() else {
        return a;
    };
    let cmd = scripts
        .iter()
        .find(|(k, _)| k == last)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let words = dockerfile::shell_words(cmd);
    let runs_ng_build = words.windows(2).any(|w| w[0] == "ng" && w[1] == "build");
    if !runs_ng_build {
        return a;
    }
    let chooses = words.iter().any(|w| {
        w == "-c" || w == "--prod" || w.starts_with("--configuration") || w.starts_with("--c=")
    });
    let projects = ws.get("projects").and_then(Json::as_object);
    for (_, p) in projects.into_iter().flatten() {
        let Some(b) = p
            .get("architect")
            .or_else(|| p.get("targets"))
            .and_then(|t| t.get("build"))
        else {
            continue;
        };
        let default = b
            .get("defaultConfiguration")
            .and_then(Json::as_str)
            .unwrap_or("");
        let has_production = b
            .get("configurations")
            .and_then(|c| c.get("production"))
            .is_some();
        let config = if !chooses && has_production && default != "production" {
            a.args = Some("--configuration production".into());
            a.why = Some(format!(
                "`ng build` with `--configuration production`: angular.json's default configuration is {}",
                if default.is_empty() { "the development options".to_string() } else { format!("{default:?}") }
            ));
            "production"
        } else {
            default
        };
        let out = b
            .get("configurations")
            .and_then(|c| c.get(config))
            .and_then(|c| c.get("outputPath"))
            .or_else(|| b.get("options").and_then(|o| o.get("outputPath")));
        let path = out.and_then(|o| o.as_str().or_else(|| o.get("base").and_then(Json::as_str)));
        if let Some(p) = path {
            let line = text
                .lines()
                .position(|l| l.contains(p))
                .map(|i| Evidence::at(&rel, i as u32 + 1))
                .unwrap_or_else(|| Evidence::file(&rel));
            let joined = path_join(dir, p);
            let inside = if joined.starts_with("..") || joined.starts_with('/') {
                Err(joined)
            } else {
                Ok(joined)
            };
            a.outputs
                .push(output(inside, OutputKind::BuildConfig, false, &line));
        }
        break;
    }
    a
}

/// .gitignore files of the project (the root's and those of the folders on the way).
struct Ignores {
    matcher: Option<ignore::gitignore::Gitignore>,
    /// Plain patterns (no glob), anchored at the root, for "something below is ignored".
    plain: Vec<String>,
}

impl Ignores {
    fn load(root: &Path) -> Ignores {
        let mut b = ignore::gitignore::GitignoreBuilder::new(root);
        let mut plain = Vec::new();
        let mut any = false;
        // Build outputs are entered: a bundler may write its own .gitignore there.
        let walk = super::walk::Walk::new(root)
            .max_depth(4)
            .with_hidden()
            .ignored(super::walk::Ignored::Seen)
            .into_outputs();
        for e in walk.entries().take(20_000) {
            if e.file_name() != ".gitignore" || !e.path().is_file() {
                continue;
            }
            any = true;
            let _ = b.add(e.path());
            let base = e
                .path()
                .parent()
                .and_then(|p| p.strip_prefix(root).ok())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            for l in text.lines() {
                let l = l.trim();
                if l.is_empty() || l.starts_with('#') || l.starts_with('!') {
                    continue;
                }
                let p = l
                    .trim_start_matches('/')
                    .trim_end_matches("/**")
                    .trim_end_matches("/*")
                    .trim_end_matches('/');
                if !p.is_empty() && !p.contains(['*', '?', '[']) {
                    plain.push(path_join(&base, p));
                }
            }
        }
        Ignores {
            matcher: any.then(|| b.build().ok()).flatten(),
            plain,
        }
    }

    fn ignored(&self, rel: &str, is_dir: bool) -> bool {
        self.matcher
            .as_ref()
            .is_some_and(|m| m.matched_path_or_any_parents(rel, is_dir).is_ignore())
    }

    fn ignores_below(&self, rel: &str) -> bool {
        self.plain.iter().any(|p| p.starts_with(&format!("{rel}/")))
    }
}

/// Whether an output is in the project (committed), a local build's output, or absent.
fn state_of(root: &Path, rel: &str, ig: &Ignores) -> (OutputState, bool) {
    if rel.starts_with("..") || rel.starts_with('/') {
        return (OutputState::Outside, false);
    }
    let path = root.join(rel);
    let is_dir = path.is_dir();
    let ignored = !rel.is_empty() && ig.ignored(rel, is_dir || !path.exists());
    if ignored {
        return (OutputState::Built, true);
    }
    if !path.exists() {
        return (OutputState::Absent, false);
    }
    let content = |name: &str| !matches!(name, ".gitkeep" | ".keep" | ".gitignore" | ".DS_Store");
    let (mut kept, mut dropped) = (0usize, 0usize);
    if is_dir {
        for e in walkdir_files(&path) {
            let Ok(sub) = e.strip_prefix(root) else {
                continue;
            };
            let name = e
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !content(&name) {
                continue;
            }
            let sub = sub.to_string_lossy().replace('\\', "/");
            if ig.ignored(&sub, false) {
                dropped += 1;
            } else {
                kept += 1;
            }
        }
    } else {
        kept = 1;
    }
    if dropped > 0 || ig.ignores_below(rel) {
        (OutputState::Built, false)
    } else if kept > 0 {
        (OutputState::Committed, false)
    } else {
        (OutputState::Absent, false)
    }
}

/// Files under a folder, build outputs included (at most 5,000).
fn walkdir_files(dir: &Path) -> Vec<std::path::PathBuf> {
    super::walk::Walk::new(dir)
        .with_hidden()
        .ignored(super::walk::Ignored::Seen)
        .into_outputs()
        .files()
        .take(5000)
        .map(|e| e.into_path())
        .collect()
}

/// Does the image need a Node stage, and why (not).
fn decide(build: &[String], outputs: &[Output], serves_node_modules: bool) -> (bool, String) {
    let inside: Vec<&Output> = outputs
        .iter()
        .filter(|o| o.state != OutputState::Outside && o.kind != OutputKind::NodeModules)
        .collect();
    let list = |os: &[&Output]| {
        os.iter()
            .map(|o| format!("{} ({})", o.path, o.evidence))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let nm = if serves_node_modules {
        "; the settings serve files from node_modules, which is installed in the image"
    } else {
        ""
    };
    if build.is_empty() {
        return if serves_node_modules {
            (
                true,
                "no build script; the settings serve files from node_modules: a Node stage installs the packages and only the served folders reach the image".into(),
            )
        } else {
            (false, "package.json has no build script and the settings serve nothing from node_modules: no Node stage".into())
        };
    }
    let produced: Vec<&Output> = inside
        .iter()
        .copied()
        .filter(|o| o.kind.produced())
        .collect();
    if !produced.is_empty() && produced.iter().all(|o| o.state == OutputState::Committed) {
        if serves_node_modules {
            return (true, format!("the build's outputs are committed ({}), but the settings serve files from node_modules: a Node stage installs the packages", list(&produced)));
        }
        return (
            false,
            format!(
                "the build's outputs are committed (in the project, not ignored by .gitignore: {}): no Node stage; rebuild and commit them when the frontend changes",
                list(&produced)
            ),
        );
    }
    let pending: Vec<&Output> = inside
        .iter()
        .copied()
        .filter(|o| o.state != OutputState::Committed)
        .collect();
    if !pending.is_empty() {
        return (
            true,
            format!(
                "the build writes what the project does not commit: {}{nm}",
                list(&pending)
            ),
        );
    }
    if inside.is_empty() {
        return (
            true,
            format!("a build script and no setting or build configuration that says where it writes: the image runs it and keeps everything it writes{nm}"),
        );
    }
    (
        true,
        format!(
            "could not tell whether the build's outputs are committed (the settings read {}, which is committed, and nothing says where the build writes): the image runs the build and keeps everything it writes{nm}",
            list(&inside)
        ),
    )
}

// ---- An existing Dockerfile ----

/// The project's own Dockerfiles (not one djship wrote), at most three folders deep.
fn project_dockerfiles(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let walk = super::walk::Walk::new(root)
        .max_depth(4)
        .ignored(super::walk::Ignored::Seen);
    for e in walk.entries().take(20_000) {
        let name = e.file_name().to_string_lossy();
        let lower = name.to_ascii_lowercase();
        if !(lower.starts_with("dockerfile") || lower.ends_with(".dockerfile"))
            || !e.path().is_file()
        {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        if text.starts_with("# Generated by djship") {
            continue;
        }
        let Ok(rel) = e.path().strip_prefix(root) else {
            continue;
        };
        out.push((rel.to_string_lossy().replace('\\', "/"), text));
        if out.len() >= 10 {
            break;
        }
    }
    out.sort();
    out
}

/// Package-manager subcommands that are not scripts.
const PM_COMMANDS: &[&str] = &[
    "install",
    "i",
    "ci",
    "add",
    "remove",
    "config",
    "set",
    "cache",
    "audit",
    "global",
    "prune",
    "rebuild",
    "dlx",
    "exec",
    "x",
    "fetch",
    "link",
    "init",
    "--version",
    "-v",
    "workspaces",
    "workspace",
    "import",
    "dedupe",
    "update",
    "upgrade",
    "outdated",
    "why",
    "list",
    "ls",
    "pack",
    "publish",
    "login",
    "whoami",
    "env",
    "help",
    "version",
    "info",
    "view",
    "bin",
];

fn docker_hints(root: &Path) -> DockerHints {
    let mut h = DockerHints::default();
    for (file, text) in project_dockerfiles(root) {
        let df = dockerfile::parse(&text);
        for st in &df.stages {
            let base = st.base.rsplit('/').next().unwrap_or("");
            if let Some(tag) = base.strip_prefix("node:") {
                let v = tag.split('-').next().unwrap_or("");
                if h.node.is_none() && v.starts_with(|c: char| c.is_ascii_digit()) {
                    h.node = Some((v.to_string(), Evidence::at(&file, st.line)));
                }
            }
        }
        let mut workdir = String::new();
        for ins in &df.instructions {
            if ins.keyword == "FROM" {
                workdir.clear();
            }
            if ins.keyword == "WORKDIR" {
                let w = ins.args.trim();
                workdir = if w.starts_with('/') {
                    w.to_string()
                } else {
                    path_join(&workdir, w)
                };
            }
            if ins.keyword != "RUN" {
                continue;
            }
            let ev = Evidence::at(&file, ins.line);
            let words = match &ins.json {
                Some(j) => j.iter().flat_map(|w| dockerfile::shell_words(w)).collect(),
                None => dockerfile::shell_words(&ins.args),
            };
            let mut cwd = workdir.clone();
            for cmd in words.split(|w| matches!(w.as_str(), "&&" | "||" | ";" | "|")) {
                let Some(first) = cmd.first().map(String::as_str) else {
                    continue;
                };
                if first == "cd" {
                    if let Some(d) = cmd.get(1) {
                        cwd = if d.starts_with('/') {
                            d.clone()
                        } else {
                            path_join(&cwd, d)
                        };
                    }
                    continue;
                }
                if !matches!(first, "npm" | "yarn" | "pnpm") {
                    continue;
                }
                let mut folder = cwd.clone();
                let mut rest: Vec<&String> = Vec::new();
                let mut it = cmd[1..].iter();
                while let Some(w) = it.next() {
                    match w.as_str() {
                        "--prefix" | "--cwd" | "-C" | "--dir" => {
                            if let Some(d) = it.next() {
                                folder = if d.starts_with('/') {
                                    d.clone()
                                } else {
                                    path_join(&cwd, d)
                                };
                            }
                        }
                        x if x.starts_with("--prefix=")
                            || x.starts_with("--cwd=")
                            || x.starts_with("--dir=") =>
                        {
                            let d = x.split_once('=').map(|p| p.1).unwrap_or("");
                            folder = if d.starts_with('/') {
                                d.to_string()
                            } else {
                                path_join(&cwd, d)
                            };
                        }
                        x if x.starts_with('-') => {}
                        _ => rest.push(w),
                    }
                }
                h.dirs.push((folder.clone(), ev.clone()));
                let script = match rest.first().map(|s| s.as_str()) {
                    Some("run" | "run-script") => rest.get(1).map(|s| s.to_string()),
                    Some(s) if first != "npm" && !PM_COMMANDS.contains(&s) => Some(s.to_string()),
                    _ => None,
                };
                if let Some(s) = script {
                    h.scripts.push((s, folder, ev.clone()));
                }
            }
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::settings::FileCache;

    type Files<'a> = &'a [(&'a str, &'a str)];

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for (p, text) in files {
            let path = d.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        d
    }

    const SETTINGS: &str = "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nINSTALLED_APPS = []\n";

    fn detect_in(files: &[(&str, &str)], extra_settings: &str) -> (Option<Frontend>, Vec<Warning>) {
        let mut all: Vec<(&str, String)> = files.iter().map(|(a, b)| (*a, b.to_string())).collect();
        all.push(("site/settings.py", format!("{SETTINGS}{extra_settings}")));
        all.push((
            "manage.py",
            "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n".into(),
        ));
        let refs: Vec<(&str, &str)> = all.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let d = project(&refs);
        let mut cache = FileCache::with_overlay(d.path(), "", Default::default());
        let prod = crate::detect::settings::evaluate(&mut cache, "site/settings.py");
        let mut w = Vec::new();
        let f = detect(d.path(), "", &prod, &mut w);
        (f, w)
    }

    const PKG: &str =
        r#"{"name": "x", "scripts": {"build": "node build.js", "dev": "node watch.js"}}"#;

    #[test]
    fn no_package_json_no_frontend() {
        let (f, w) = detect_in(
            &[("static/app.css", "body{}")],
            "STATICFILES_DIRS = [BASE_DIR / 'static']\n",
        );
        assert!(f.is_none());
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn each_lockfile_gives_its_manager() {
        let cases: &[(Files, NodeManager, Option<&str>)] = &[
            (
                &[("package-lock.json", "{}")],
                NodeManager::Npm,
                Some("package-lock.json"),
            ),
            (
                &[("npm-shrinkwrap.json", "{}")],
                NodeManager::Npm,
                Some("npm-shrinkwrap.json"),
            ),
            (
                &[("yarn.lock", "# yarn lockfile v1\n")],
                NodeManager::Yarn,
                Some("yarn.lock"),
            ),
            (
                &[("yarn.lock", "__metadata:\n  version: 8\n")],
                NodeManager::YarnBerry,
                Some("yarn.lock"),
            ),
            (
                &[
                    ("yarn.lock", "# yarn lockfile v1\n"),
                    (".yarnrc.yml", "nodeLinker: node-modules\n"),
                ],
                NodeManager::YarnBerry,
                Some("yarn.lock"),
            ),
            (
                &[("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")],
                NodeManager::Pnpm,
                Some("pnpm-lock.yaml"),
            ),
            (&[], NodeManager::Npm, None),
        ];
        for (files, want, lock) in cases {
            let mut all = vec![("package.json", PKG)];
            all.extend_from_slice(files);
            let (f, w) = detect_in(&all, "");
            let f = f.unwrap();
            assert_eq!(f.manager, *want, "{files:?}");
            assert_eq!(f.lockfile.as_deref(), *lock, "{files:?}");
            // No lockfile: a warning that versions are resolved at build time.
            assert_eq!(
                w.iter().any(|w| w.message.contains("no lockfile")),
                lock.is_none(),
                "{w:?}"
            );
        }
    }

    #[test]
    fn pnpm_version_from_lockfile_format_or_package_manager() {
        let (f, _) = detect_in(
            &[
                ("package.json", PKG),
                ("pnpm-lock.yaml", "lockfileVersion: '6.0'\n"),
            ],
            "",
        );
        assert_eq!(f.unwrap().manager_version.as_deref(), Some("8"));
        let pkg =
            r#"{"packageManager": "pnpm@9.12.1+sha512.abc", "scripts": {"build": "vite build"}}"#;
        let (f, _) = detect_in(
            &[
                ("package.json", pkg),
                ("pnpm-lock.yaml", "lockfileVersion: '6.0'\n"),
            ],
            "",
        );
        assert_eq!(f.unwrap().manager_version.as_deref(), Some("9.12.1"));
    }

    #[test]
    fn several_lockfiles_warn_and_package_manager_decides() {
        let pkg = r#"{"packageManager": "npm@10.2.0", "scripts": {"build": "x"}}"#;
        let (f, w) = detect_in(
            &[
                ("package.json", pkg),
                ("package-lock.json", "{}"),
                ("yarn.lock", ""),
            ],
            "",
        );
        assert_eq!(f.unwrap().manager, NodeManager::Npm);
        assert!(
            w.iter().any(|w| w.message.contains("several lockfiles")),
            "{w:?}"
        );
        let (f, _) = detect_in(
            &[
                ("package.json", PKG),
                ("package-lock.json", "{}"),
                ("yarn.lock", ""),
            ],
            "",
        );
        assert_eq!(f.unwrap().manager, NodeManager::Yarn);
    }

    #[test]
    fn yarn_path_of_yarnrc_yml() {
        let (f, _) = detect_in(
            &[
                ("package.json", PKG),
                ("yarn.lock", "__metadata:\n"),
                (".yarnrc.yml", "yarnPath: .yarn/releases/yarn-4.1.0.cjs\n"),
                (".yarn/releases/yarn-4.1.0.cjs", "// yarn"),
            ],
            "",
        );
        let f = f.unwrap();
        assert_eq!(
            f.yarn_path.as_deref(),
            Some(".yarn/releases/yarn-4.1.0.cjs")
        );
        assert!(f.install_files.contains(&".yarnrc.yml".to_string()));
    }

    #[test]
    fn each_node_version_source() {
        let lock = ("package-lock.json", "{}");
        let cases: &[(Files, &str, &str)] = &[
            (&[(".nvmrc", "v18.17.0\n")], "18.17.0", ".nvmrc"),
            (&[(".nvmrc", "lts/iron\n")], "20", ".nvmrc"),
            (&[(".nvmrc", "lts/*\n")], NODE_LTS, "current Node LTS"),
            (&[(".node-version", "20.11\n")], "20.11", ".node-version"),
            (
                &[(".tool-versions", "python 3.12.1\nnodejs 22.3.0\n")],
                "22.3.0",
                ".tool-versions",
            ),
            (
                &[(".nvmrc", "16\n"), (".node-version", "20\n")],
                "16",
                ".nvmrc",
            ),
            (
                &[("Dockerfile", "FROM node:20-alpine AS assets\nRUN npm ci\n")],
                "20",
                "Dockerfile",
            ),
            (&[], NODE_LTS, "current Node LTS"),
        ];
        for (files, want, source) in cases {
            let mut all = vec![("package.json", PKG), lock];
            all.extend_from_slice(files);
            let (f, _) = detect_in(&all, "");
            let n = f.unwrap().node;
            assert_eq!(n.version, *want, "{files:?}");
            assert!(n.source.contains(source), "{files:?}: {}", n.source);
        }
    }

    #[test]
    fn engines_ranges_pick_the_newest_lts_they_allow() {
        for (range, want) in [
            (">=18", "24"),
            ("^18 || ^20", "20"),
            ("18.x", "18"),
            ("~16.14", "16.14"),
            (">=14 <21", "20"),
            ("20.11.1", "20.11.1"),
            (">= 16.0.0", "24"),
            ("16 - 18", "18"),
            ("^21", "21"),
        ] {
            assert_eq!(pick_in_range(range).as_deref(), Some(want), "{range}");
        }
        assert_eq!(pick_in_range("banana"), None);
        // Huge numbers are not a crash.
        assert_eq!(
            pick_in_range("^18446744073709551615 || ~18446744073709551615.18446744073709551615"),
            None
        );
        assert_eq!(
            pick_in_range(">18446744073709551615.1.18446744073709551615"),
            None
        );
        let pkg = r#"{"engines": {"node": "^18.12 || ^20.9"}, "scripts": {"build": "x"}}"#;
        let (f, _) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
        let n = f.unwrap().node;
        assert_eq!(n.version, "20");
        assert!(n.source.contains("engines.node"), "{}", n.source);
        // A Dockerfile's node:16 outside engines' range loses to engines.
        let (f, _) = detect_in(
            &[
                ("package.json", pkg),
                ("package-lock.json", "{}"),
                ("Dockerfile", "FROM node:16\n"),
            ],
            "",
        );
        assert_eq!(f.unwrap().node.version, "20");
        // An unreadable range: a warning and the LTS default.
        let pkg = r#"{"engines": {"node": "whatever"}, "scripts": {"build": "x"}}"#;
        let (f, w) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
        assert_eq!(f.unwrap().node.version, NODE_LTS);
        assert!(
            w.iter().any(|w| w.message.contains("engines.node")),
            "{w:?}"
        );
    }

    #[test]
    fn build_script_choice_is_said() {
        let (f, _) = detect_in(&[("package.json", PKG), ("package-lock.json", "{}")], "");
        let f = f.unwrap();
        assert_eq!(f.build_scripts, ["build"]);
        let pkg = r#"{"scripts": {"build:dev": "x", "build:prod": "y", "start": "z"}}"#;
        let (f, _) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
        let f = f.unwrap();
        assert_eq!(f.build_scripts, ["build:prod"]);
        assert!(
            f.build_reason.contains("no `build` script"),
            "{}",
            f.build_reason
        );
        let pkg = r#"{"scripts": {"build:css": "x", "build:js": "y", "build:watch": "z"}}"#;
        let (f, _) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
        assert_eq!(f.unwrap().build_scripts, ["build:css", "build:js"]);
        // A "build" that builds the container is not the frontend's build.
        let pkg = r#"{"scripts": {"build": "docker compose build"}}"#;
        let (f, _) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
        let f = f.unwrap();
        assert!(f.build_scripts.is_empty() && !f.build_in_image);
        assert!(f.reason.contains("no build script"), "{}", f.reason);
    }

    #[test]
    fn the_project_dockerfile_names_folder_script_and_node() {
        let (f, _) = detect_in(
            &[
                ("assets/package.json", r#"{"scripts": {"build": "a", "build:prod": "b"}}"#),
                ("assets/package-lock.json", "{}"),
                (
                    "docker/Dockerfile",
                    "FROM node:18.19-bookworm AS front\nWORKDIR /srv/app\nCOPY . .\nRUN npm ci --prefix assets && npm run build:prod --prefix assets\n",
                ),
            ],
            "",
        );
        let f = f.unwrap();
        assert_eq!(f.dir, "assets");
        assert_eq!(f.build_scripts, ["build:prod"]);
        assert_eq!(f.node.version, "18.19");
        assert_eq!(f.from_dockerfile.len(), 3, "{:?}", f.from_dockerfile);
        // The same with `cd` and WORKDIR.
        let (f, _) = detect_in(
            &[
                (
                    "client/package.json",
                    r#"{"scripts": {"build": "a", "dist": "b"}}"#,
                ),
                (
                    "Dockerfile",
                    "FROM python:3.12\nWORKDIR /app\nRUN cd client && yarn install && yarn dist\n",
                ),
            ],
            "",
        );
        let f = f.unwrap();
        assert_eq!(f.dir, "client");
        assert_eq!(f.build_scripts, ["dist"]);
    }

    #[test]
    fn outputs_built_committed_or_absent() {
        let settings = "STATICFILES_DIRS = [BASE_DIR / 'frontend' / 'dist']\n";
        let base: &[(&str, &str)] = &[
            ("frontend/package.json", PKG),
            ("frontend/package-lock.json", "{}"),
        ];
        // Not there: the image builds it.
        let (f, _) = detect_in(base, settings);
        let f = f.unwrap();
        assert_eq!(f.dir, "frontend");
        assert_eq!(f.outputs[0].path, "frontend/dist");
        assert_eq!(f.outputs[0].state, OutputState::Absent);
        assert!(f.build_in_image, "{}", f.reason);
        // Built locally and ignored by .gitignore: still built in the image.
        let mut files = base.to_vec();
        files.extend([
            ("frontend/dist/app.js", "x"),
            (".gitignore", "node_modules/\ndist/\n"),
        ]);
        let (f, _) = detect_in(&files, settings);
        let f = f.unwrap();
        assert_eq!(f.outputs[0].state, OutputState::Built);
        assert!(f.outputs[0].ignored);
        assert!(f.build_in_image);
        // Committed, and the build configuration writes there: no Node stage.
        let mut files = base.to_vec();
        files.extend([
            ("frontend/dist/app.js", "x"),
            ("frontend/webpack.config.js", "module.exports = {\n  output: {\n    path: path.resolve(__dirname, 'dist'),\n  },\n};\n"),
        ]);
        let (f, _) = detect_in(&files, settings);
        let f = f.unwrap();
        assert!(f
            .outputs
            .iter()
            .any(|o| o.kind == OutputKind::BuildConfig && o.path == "frontend/dist"));
        assert!(!f.build_in_image, "{}", f.reason);
        assert!(f.reason.contains("committed"), "{}", f.reason);
        // Committed folder, nothing says where the build writes: built anyway, and said.
        let mut files = base.to_vec();
        files.push(("frontend/dist/app.js", "x"));
        let (f, _) = detect_in(&files, settings);
        let f = f.unwrap();
        assert!(f.build_in_image);
        assert!(f.reason.contains("could not tell"), "{}", f.reason);
    }

    #[test]
    fn tool_caches_gitignore_does_not_hide_a_committed_output() {
        // pytest, mypy and ruff write a `.gitignore` of `*` into their caches: it ignores
        // the cache, not the project, so the committed bundle stays committed.
        let settings = "STATICFILES_DIRS = [BASE_DIR / 'frontend' / 'dist']\n";
        let config = "module.exports = {\n  output: {\n    path: path.resolve(__dirname, 'dist'),\n  },\n};\n";
        let files: &[(&str, &str)] = &[
            ("frontend/package.json", PKG),
            ("frontend/package-lock.json", "{}"),
            ("frontend/webpack.config.js", config),
            ("frontend/dist/app.js", "x"),
            (
                ".pytest_cache/.gitignore",
                "# Created by pytest automatically.\n*\n",
            ),
            (".venv/.gitignore", "*\n"),
        ];
        let (f, _) = detect_in(files, settings);
        let f = f.unwrap();
        assert_eq!(f.outputs[0].state, OutputState::Committed);
        assert!(!f.build_in_image, "{}", f.reason);
        // Near miss: a `.gitignore` the bundler wrote into its output folder is read (the
        // walk enters build outputs), so that output is built, not committed.
        let mut files = files.to_vec();
        files.push(("frontend/dist/.gitignore", "*\n"));
        let (f, _) = detect_in(&files, settings);
        let f = f.unwrap();
        assert_eq!(f.outputs[0].state, OutputState::Built);
        assert!(f.build_in_image, "{}", f.reason);
    }

    #[test]
    fn node_modules_served_through_staticfiles_dirs() {
        let pkg = r#"{"dependencies": {"bootstrap": "5.3.3"}}"#;
        let (f, w) = detect_in(
            &[("package.json", pkg), ("package-lock.json", "{}")],
            "import os\nSTATICFILES_DIRS = [('vendor', os.path.join(BASE_DIR, 'node_modules', 'bootstrap', 'dist'))]\n",
        );
        let f = f.unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert!(f.build_scripts.is_empty());
        assert!(f.build_in_image, "{}", f.reason);
        assert_eq!(f.outputs[0].kind, OutputKind::NodeModules);
        assert_eq!(f.outputs[0].path, "node_modules/bootstrap/dist");
        // No build script, nothing from node_modules: no Node stage.
        let (f, _) = detect_in(&[("package.json", pkg), ("package-lock.json", "{}")], "");
        assert!(!f.unwrap().build_in_image);
    }

    /// django-npm's finder: node_modules of NPM_ROOT_PATH (relative to manage.py's folder,
    /// the working directory), one folder per NPM_FILE_PATTERNS package; without patterns,
    /// all of node_modules. Without the finder, the same settings serve nothing.
    #[test]
    fn django_npm_finder_serves_node_modules() {
        let pkg = r#"{"dependencies": {"a17t": "0.5.1"}}"#;
        let d = project(&[
            ("package.json", pkg),
            ("package-lock.json", "{}"),
            ("app/manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"),
            (
                "app/site/settings.py",
                "STATICFILES_FINDERS = ['npm.finders.NpmFinder', 'django.contrib.staticfiles.finders.FileSystemFinder']\nNPM_ROOT_PATH = '../'\nNPM_FILE_PATTERNS = {'a17t': ['dist/a17t.css'], '@fortawesome': ['fontawesome-free/js/all.min.js']}\n",
            ),
        ]);
        let run = |settings: &str| {
            std::fs::write(d.path().join("app/site/settings.py"), settings).unwrap();
            let mut cache = FileCache::with_overlay(d.path(), "app", Default::default());
            let prod = crate::detect::settings::evaluate(&mut cache, "app/site/settings.py");
            detect(d.path(), "app", &prod, &mut Vec::new()).unwrap()
        };
        let text = std::fs::read_to_string(d.path().join("app/site/settings.py")).unwrap();
        let f = run(&text);
        let paths: Vec<(&str, OutputKind)> = f
            .outputs
            .iter()
            .map(|o| (o.path.as_str(), o.kind))
            .collect();
        assert_eq!(
            paths,
            [
                ("node_modules/a17t", OutputKind::NodeModules),
                ("node_modules/@fortawesome", OutputKind::NodeModules)
            ]
        );
        assert!(f.build_in_image, "{}", f.reason);
        // No NPM_ROOT_PATH: manage.py's folder; no patterns: all of node_modules.
        let f = run("STATICFILES_FINDERS = ['npm.finders.NpmFinder']\n");
        assert_eq!(f.outputs[0].path, "app/node_modules");
        // The patterns alone, without the finder, serve nothing.
        let f = run("NPM_FILE_PATTERNS = {'a17t': ['dist/a17t.css']}\n");
        assert!(f.outputs.is_empty() && !f.build_in_image);
    }

    #[test]
    fn manifest_settings_and_script_flags_are_outputs() {
        let pkg = r#"{"scripts": {"build": "npm run css && vite build", "css": "tailwindcss -i src/in.css -o ../static/css/out.css --minify"}}"#;
        let (f, _) = detect_in(
            &[("frontend/package.json", pkg), ("frontend/package-lock.json", "{}"), ("frontend/vite.config.ts", "export default {\n  build: {\n    outDir: '../static/dist',\n    manifest: true,\n  },\n}\n")],
            "WEBPACK_LOADER = {'DEFAULT': {'STATS_FILE': BASE_DIR / 'webpack-stats.json'}}\nDJANGO_VITE = {'default': {'manifest_path': BASE_DIR / 'static' / 'dist' / 'manifest.json'}}\n",
        );
        let f = f.unwrap();
        let got: Vec<(&str, OutputKind, bool)> = f
            .outputs
            .iter()
            .map(|o| (o.path.as_str(), o.kind, o.file))
            .collect();
        assert!(
            got.contains(&("webpack-stats.json", OutputKind::WebpackStats, true)),
            "{got:?}"
        );
        assert!(
            got.contains(&("static/dist/manifest.json", OutputKind::ViteManifest, true)),
            "{got:?}"
        );
        assert!(
            got.contains(&("static/css/out.css", OutputKind::BuildScript, true)),
            "{got:?}"
        );
        assert!(
            got.contains(&("static/dist", OutputKind::BuildConfig, false)),
            "{got:?}"
        );
    }

    /// A package.json in any folder below the root: the one whose build writes what the
    /// settings read wins over another with a build script (docs/ here).
    #[test]
    fn the_package_whose_build_writes_a_settings_path_wins() {
        let (f, _) = detect_in(
            &[
                ("docs/package.json", r#"{"scripts": {"build": "vitepress build"}}"#),
                ("docs/package-lock.json", "{}"),
                ("ui/package.json", r#"{"scripts": {"build": "vite build"}}"#),
                ("ui/yarn.lock", ""),
                ("ui/vite.config.ts", "export default { build: { outDir: '../app/static/ui/' } }\n"),
            ],
            "DJANGO_VITE = {'default': {'manifest_path': BASE_DIR / 'app' / 'static' / 'ui' / 'manifest.json'}}\n",
        );
        let f = f.unwrap();
        assert_eq!(f.dir, "ui");
        assert_eq!(f.also_found, ["docs/package.json"]);
        assert!(f
            .outputs
            .iter()
            .any(|o| o.path == "app/static/ui" && o.kind == OutputKind::BuildConfig));
        // Near miss: folders one level down whose builds write nothing the settings read
        // are not the frontend (a docs site): no Node stage, and said.
        let (f, w) = detect_in(
            &[
                (
                    "docs/package.json",
                    r#"{"scripts": {"build": "vitepress build"}}"#,
                ),
                ("ui/package.json", r#"{"scripts": {"build": "vite build"}}"#),
            ],
            "STATICFILES_DIRS = [BASE_DIR / 'static']\n",
        );
        assert!(f.is_none());
        assert_eq!(
            w.iter()
                .filter(|w| w.message.contains("nothing says the settings read"))
                .count(),
            2,
            "{w:?}"
        );
        // The same package.json in frontend/ is the frontend.
        let (f, _) = detect_in(
            &[(
                "frontend/package.json",
                r#"{"scripts": {"build": "vite build"}}"#,
            )],
            "",
        );
        assert_eq!(f.unwrap().dir, "frontend");
    }

    /// Angular: a bare `ng build` whose workspace has a production configuration that is not
    /// the default gets `--configuration production`, and its outputPath is the output.
    #[test]
    fn angular_production_configuration_and_output_path() {
        let ws = r#"{"projects": {"ui": {"architect": {"build": {
            "options": {"outputPath": {"base": "dist/ui"}},
            "configurations": {"production": {"outputPath": {"base": "../shop/static/ui/", "browser": ""}}},
            "defaultConfiguration": ""}}}}}"#;
        let files = |script: &'static str| {
            vec![
                ("frontend/package.json", script),
                ("frontend/package-lock.json", "{}"),
                ("frontend/angular.json", ws),
            ]
        };
        let (f, _) = detect_in(&files(r#"{"scripts": {"build": "ng build"}}"#), "");
        let f = f.unwrap();
        assert_eq!(f.build_args.as_deref(), Some("--configuration production"));
        assert!(
            f.build_reason.contains("--configuration production"),
            "{}",
            f.build_reason
        );
        assert_eq!(f.outputs[0].path, "shop/static/ui");
        // A script that chooses its configuration is left as it is.
        let (f, _) = detect_in(
            &files(r#"{"scripts": {"build": "ng build -c staging"}}"#),
            "",
        );
        let f = f.unwrap();
        assert_eq!(f.build_args, None);
        assert_eq!(f.outputs[0].path, "frontend/dist/ui");
    }

    #[test]
    fn a_package_json_without_build_loses_to_one_with() {
        let (f, _) = detect_in(
            &[
                ("package.json", r#"{"scripts": {"lint": "eslint ."}}"#),
                ("frontend/package.json", PKG),
                ("frontend/package-lock.json", "{}"),
            ],
            "",
        );
        let f = f.unwrap();
        assert_eq!(f.dir, "frontend");
        assert_eq!(f.also_found, ["package.json"]);
    }

    #[test]
    fn broken_package_json_is_a_warning() {
        let (f, w) = detect_in(&[("package.json", "{ not json")], "");
        assert!(f.is_none());
        assert!(
            w.iter()
                .any(|w| w.evidence.file == "package.json" && w.message.contains("cannot read")),
            "{w:?}"
        );
    }
}

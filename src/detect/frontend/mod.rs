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
use crate::dockerfile;
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

mod docker;
mod manager;
mod node;
mod outputs;
mod state;
#[cfg(test)]
mod tests;

use docker::*;
use manager::*;
use node::*;
use outputs::*;
use state::*;

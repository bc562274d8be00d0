//! Dependency managers and the packages they declare.
//!
//! Adding a manager: add a [`Manager`] variant, a `read_*` function that fills
//! [`Dependencies`], and its place in [`PRECEDENCE`].

use super::evidence::{Evidence, Warning};
use pep508_rs::{pep440_rs::Operator, Requirement, VersionOrUrl};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Manager {
    Uv,
    Poetry,
    Pdm,
    Pipenv,
    Pep621,
    Requirements,
}

impl Manager {
    pub fn name(self) -> &'static str {
        match self {
            Manager::Uv => "uv",
            Manager::Poetry => "poetry",
            Manager::Pdm => "pdm",
            Manager::Pipenv => "pipenv",
            Manager::Pep621 => "pep621",
            Manager::Requirements => "requirements",
        }
    }
}

/// When several managers' files are present, the first one here that has a lockfile wins:
/// a lockfile pins what was tested, so it beats a looser declaration. Among lockfiles,
/// the one whose tool `pyproject.toml` names (`[tool.uv]`, `[tool.poetry]`, `[tool.pdm]`)
/// wins; otherwise this order.
pub const PRECEDENCE: [Manager; 6] = [
    Manager::Uv,
    Manager::Poetry,
    Manager::Pdm,
    Manager::Pipenv,
    Manager::Requirements,
    Manager::Pep621,
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Package {
    /// Normalised name (PEP 503).
    pub name: String,
    /// Version specifier as written, e.g. `>=5.0,<6`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub specifier: String,
    /// The exact version a lockfile or an `==` pin gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<String>,
    /// Where the pin is, when a lockfile gives it for a package declared elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned_at: Option<Evidence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// VCS or URL source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub editable: bool,
    /// Development-only dependency.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PythonConstraint {
    /// As written: `>=3.10`, `^3.11`, `3.11`.
    pub constraint: String,
    pub evidence: Evidence,
}

impl PythonConstraint {
    fn new(constraint: impl Into<String>, file: &str) -> Self {
        PythonConstraint {
            constraint: constraint.into(),
            evidence: Evidence::file(file),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dependencies {
    /// The manager whose files the image installs from; `None` when no files were found.
    pub manager: Option<Manager>,
    /// The folder of those files relative to the root, with a trailing `/` ("" = the root).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub dir: String,
    /// Why this manager won over the others present.
    pub reason: String,
    /// The files the install needs, relative to the project root (copied before the code).
    pub install_files: Vec<String>,
    /// The lockfile, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockfile: Option<String>,
    /// Requirement files for development only (installed in the dev image).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dev_files: Vec<String>,
    /// Other managers whose files are present but lost.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_present: Vec<Manager>,
    pub packages: Vec<Package>,
    /// Packages pip must build from source (`--no-binary`).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub no_binary: BTreeSet<String>,
    /// The Python constraint the manager's files declare, with its evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub python: Option<PythonConstraint>,
    /// True when the pyproject declares a build system and the project installs as a package.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub installs_project: bool,
}

impl Dependencies {
    pub fn get(&self, name: &str) -> Option<&Package> {
        let n = normalize_name(name);
        self.packages.iter().find(|p| p.name == n && !p.dev)
    }
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
    /// The best known version of a package: the lock pin, an `==` pin, or the lower bound.
    pub fn version_of(&self, name: &str) -> Option<String> {
        let p = self.get(name)?;
        if let Some(v) = &p.pinned {
            return Some(v.clone());
        }
        lower_bound(&p.specifier)
    }
}

/// For tests: the dependencies of requirements.txt lines (line numbers are evidence).
#[cfg(test)]
pub(crate) fn from_requirement_lines(lines: &[&str]) -> Dependencies {
    let mut d = Dependencies::default();
    for (i, l) in lines.iter().enumerate() {
        d.packages.push(
            parse_requirement_line(l, Evidence::at("requirements.txt", i as u32 + 1))
                .unwrap()
                .unwrap(),
        );
    }
    d
}

pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_sep {
                out.push('-');
            }
            last_sep = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_sep = false;
        }
    }
    out
}

/// The lowest version a specifier set allows (from `==`, `>=`, `~=`, `>`), if any.
pub fn lower_bound(spec: &str) -> Option<String> {
    let specs = pep508_rs::pep440_rs::VersionSpecifiers::from_str(spec).ok()?;
    specs
        .iter()
        .filter(|s| {
            matches!(
                s.operator(),
                Operator::Equal
                    | Operator::EqualStar
                    | Operator::ExactEqual
                    | Operator::GreaterThanEqual
                    | Operator::TildeEqual
                    | Operator::GreaterThan
            )
        })
        .map(|s| s.version().clone())
        .max()
        .map(|v| v.to_string())
}

fn read(root: &Path, rel: &str, warnings: &mut Vec<Warning>) -> Option<String> {
    let path = root.join(rel);
    if !path.is_file() {
        return None;
    }
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) => {
            warnings.push(Warning {
                evidence: Evidence::file(rel),
                message: format!("cannot read: {e}"),
                fallback: "ignored this file".into(),
            });
            None
        }
    }
}

/// Read every dependency file at the project root and choose the manager.
pub fn detect(root: &Path, warnings: &mut Vec<Warning>) -> Dependencies {
    detect_in(root, "", warnings)
}

/// Dependency files at the root and beside manage.py (`manage_dir`, "" for the root).
/// When both places have some, the one with a lockfile wins, then the one that declares
/// Django, then the root; the reason says which was left and why.
pub fn detect_for(root: &Path, manage_dir: &str, warnings: &mut Vec<Warning>) -> Dependencies {
    let at_root = detect_in(root, "", warnings);
    if manage_dir.is_empty() {
        return at_root;
    }
    let dir = format!("{}/", manage_dir.trim_end_matches('/'));
    let mut beside_warnings = Vec::new();
    let mut beside = detect_in(root, &dir, &mut beside_warnings);
    let Some(beside_manager) = beside.manager else {
        return at_root;
    };
    let score = |d: &Dependencies| (d.lockfile.is_some(), d.has("django"));
    let place = format!("beside manage.py ({dir})");
    if at_root.manager.is_none() || score(&beside) > score(&at_root) {
        warnings.append(&mut beside_warnings);
        beside.reason = match at_root.manager {
            None => format!("{place}, none at the root: {}", beside.reason),
            Some(m) => format!(
                "{place}: {}; they win over the {} files at the root, which {}",
                beside.reason,
                m.name(),
                if beside.lockfile.is_some() && at_root.lockfile.is_none() {
                    "have no lockfile"
                } else {
                    "do not declare Django"
                }
            ),
        };
        return beside;
    }
    let mut chosen = at_root;
    chosen.reason = format!(
        "{}; {} files also found {place} are not used: {}",
        chosen.reason,
        beside_manager.name(),
        if score(&beside) < score(&chosen) {
            "the root's have a lockfile or declare Django and they do not"
        } else {
            "both places qualify and the root wins (it is the build context)"
        }
    );
    chosen
}

/// Read every dependency file in `dir` (relative to the root, "" or ending in `/`).
fn detect_in(root: &Path, dir: &str, warnings: &mut Vec<Warning>) -> Dependencies {
    let at = |name: &str| format!("{dir}{name}");
    let pyproject_text = read(root, &at("pyproject.toml"), warnings);
    let pyproject = pyproject_text
        .as_deref()
        .and_then(|s| match s.parse::<toml::Table>() {
            Ok(t) => Some(t),
            Err(e) => {
                warnings.push(Warning {
                    evidence: Evidence::file(at("pyproject.toml")),
                    message: format!("invalid TOML: {}", one_line(e.message())),
                    fallback: format!("ignored {}", at("pyproject.toml")),
                });
                None
            }
        });
    let tool = |name: &str| {
        pyproject
            .as_ref()
            .and_then(|t| t.get("tool"))
            .and_then(|t| t.get(name))
            .is_some()
    };
    let build_backend = pyproject
        .as_ref()
        .and_then(|t| t.get("build-system"))
        .and_then(|b| b.get("build-backend"))
        .and_then(|b| b.as_str())
        .unwrap_or("");
    let has_project_deps = pyproject
        .as_ref()
        .and_then(|t| t.get("project"))
        .and_then(|p| p.get("dependencies"))
        .is_some();
    let exists = |name: &str| root.join(at(name)).is_file();

    let requirements = find_requirement_files(root, dir);
    let mut present: Vec<(Manager, Option<&'static str>)> = Vec::new();
    if exists("uv.lock") || tool("uv") {
        present.push((Manager::Uv, exists("uv.lock").then_some("uv.lock")));
    }
    if exists("poetry.lock") || tool("poetry") || build_backend.starts_with("poetry") {
        present.push((
            Manager::Poetry,
            exists("poetry.lock").then_some("poetry.lock"),
        ));
    }
    if exists("pdm.lock") || tool("pdm") || build_backend.starts_with("pdm") {
        present.push((Manager::Pdm, exists("pdm.lock").then_some("pdm.lock")));
    }
    if exists("Pipfile") || exists("Pipfile.lock") {
        present.push((
            Manager::Pipenv,
            exists("Pipfile.lock").then_some("Pipfile.lock"),
        ));
    }
    if !requirements.0.is_empty() {
        present.push((Manager::Requirements, None));
    }
    if has_project_deps {
        present.push((Manager::Pep621, None));
    }

    let named_by_pyproject = |m: Manager| match m {
        Manager::Uv => tool("uv"),
        Manager::Poetry => tool("poetry") || build_backend.starts_with("poetry"),
        Manager::Pdm => tool("pdm") || build_backend.starts_with("pdm"),
        _ => false,
    };
    // Without any lockfile, requirements files that pin (`==`) most of their packages are
    // the project's lock (`pipenv requirements`, `pip freeze`): they win over a Pipfile or a
    // pyproject without its lock.
    let pinned_requirements = requirements_mostly_pinned(root, &requirements.0);
    let rank = |m: Manager| {
        if pinned_requirements && m == Manager::Requirements {
            return 0;
        }
        PRECEDENCE.iter().position(|x| *x == m).unwrap_or(99) + 1
    };
    let winner = present
        .iter()
        .filter(|(_, lock)| lock.is_some())
        .min_by_key(|(m, _)| (!named_by_pyproject(*m), rank(*m)))
        .or_else(|| present.iter().min_by_key(|(m, _)| rank(*m)))
        .copied();

    let mut deps = Dependencies {
        dir: dir.to_string(),
        ..Dependencies::default()
    };
    let Some((manager, lock)) = winner else {
        deps.reason =
            "no requirements*.txt, Pipfile, pyproject.toml dependencies or lockfile found".into();
        return deps;
    };
    deps.manager = Some(manager);
    deps.lockfile = lock.map(at);
    deps.also_present = present
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| *m != manager)
        .collect();
    let lock = deps.lockfile.clone();
    let lock = lock.as_deref();
    deps.reason = match (lock, present.len()) {
        (Some(l), 1) => format!("{l} is the only lockfile"),
        (Some(l), _) if named_by_pyproject(manager) => format!(
            "{l} is the lockfile of the tool pyproject.toml configures; it wins over {}",
            names(&deps.also_present)
        ),
        (Some(l), _) => format!(
            "{l} pins exact versions; lockfiles win over unlocked declarations, and uv > poetry > pdm > pipenv among lockfiles (also present: {})",
            names(&deps.also_present)
        ),
        (None, 1) => format!("only {} files are present", manager.name()),
        (None, _) if pinned_requirements && manager == Manager::Requirements => format!(
            "no lockfile; the requirements files pin exact versions, so they win over the unlocked {}",
            names(&deps.also_present)
        ),
        (None, _) => format!(
            "no lockfile; requirements files win over pyproject dependencies (also present: {})",
            names(&deps.also_present)
        ),
    };

    let python_from_pyproject = pyproject.as_ref().and_then(|t| {
        t.get("project")
            .and_then(|p| p.get("requires-python"))
            .and_then(|v| v.as_str())
            .map(|s| PythonConstraint {
                constraint: s.to_string(),
                evidence: evidence_of_line(
                    &at("pyproject.toml"),
                    pyproject_text.as_deref().unwrap_or(""),
                    |l| l.starts_with("requires-python"),
                ),
            })
    });

    match manager {
        Manager::Requirements => {
            let (prod, dev) = requirements;
            for f in &prod {
                read_requirements(root, f, false, &mut deps, warnings, 0);
            }
            for f in &dev {
                read_requirements(root, f, true, &mut deps, warnings, 0);
            }
            deps.install_files = dedup(deps.install_files.clone());
            deps.dev_files = dev;
            deps.python = python_from_pyproject;
        }
        Manager::Pipenv => read_pipenv(root, dir, &mut deps, warnings),
        Manager::Poetry | Manager::Uv | Manager::Pdm | Manager::Pep621 => {
            if let Some(t) = &pyproject {
                read_pyproject(t, &at("pyproject.toml"), manager, &mut deps, warnings);
            }
            deps.install_files.push(at("pyproject.toml"));
            if let Some(l) = deps.lockfile.clone() {
                deps.install_files.push(l.clone());
                read_lock_pins(root, &l, &mut deps, warnings);
            }
            let poetry_package_mode = pyproject
                .as_ref()
                .and_then(|t| t.get("tool")?.get("poetry")?.get("package-mode"))
                .and_then(|v| v.as_bool());
            let no_package = manager == Manager::Poetry && poetry_package_mode == Some(false);
            deps.installs_project = !build_backend.is_empty() && !no_package;
            if deps.python.is_none() {
                deps.python = python_from_pyproject;
            }
        }
    }
    deps
}

/// Evidence at the first line (trimmed) of `text` that `pred` accepts, else the whole file.
fn evidence_of_line(file: &str, text: &str, pred: impl Fn(&str) -> bool) -> Evidence {
    match text.lines().position(|l| pred(l.trim())) {
        Some(i) => Evidence::at(file, i as u32 + 1),
        None => Evidence::file(file),
    }
}

/// Parser messages can span lines; a warning is one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn names(ms: &[Manager]) -> String {
    ms.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ")
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    v.into_iter().filter(|x| seen.insert(x.clone())).collect()
}

/// Whether the requirements files pin (`==`) at least two thirds of their packages.
fn requirements_mostly_pinned(root: &Path, files: &[String]) -> bool {
    let (mut pinned, mut all) = (0, 0);
    for f in files {
        let Ok(text) = std::fs::read_to_string(root.join(f)) else {
            continue;
        };
        for line in text.lines() {
            let l = line.split('#').next().unwrap_or("").trim();
            if l.is_empty() || l.starts_with('-') {
                continue;
            }
            all += 1;
            if l.contains("==") {
                pinned += 1;
            }
        }
    }
    all > 0 && pinned * 3 >= all * 2
}

/// Production and development requirement files, by the usual names, in `base` ("" or a
/// folder ending in `/`) and its `requirements/` folder; paths relative to the root.
fn find_requirement_files(root: &Path, base: &str) -> (Vec<String>, Vec<String>) {
    let mut prod = Vec::new();
    let mut dev = Vec::new();
    let mut candidates: Vec<String> = Vec::new();
    for dir in ["", "requirements/"] {
        let Ok(entries) = std::fs::read_dir(root.join(base).join(dir)) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".txt") && (!dir.is_empty() || n.starts_with("requirements")))
            .collect();
        names.sort();
        candidates.extend(names.into_iter().map(|n| format!("{dir}{n}")));
    }
    let stem = |f: &str| {
        f.trim_end_matches(".txt")
            .trim_start_matches("requirements/")
            .trim_start_matches("requirements")
            .trim_start_matches(['-', '_', '.'])
            .to_ascii_lowercase()
    };
    const PROD: [&str; 6] = ["", "production", "prod", "base", "common", "main"];
    const DEV: [&str; 6] = ["dev", "devel", "development", "local", "test", "tests"];
    // Production: the most specific production file (production > prod > plain > base).
    for want in ["production", "prod", "", "base", "common", "main"] {
        if let Some(f) = candidates.iter().find(|f| stem(f) == want) {
            prod.push(f.clone());
            break;
        }
    }
    for f in &candidates {
        let s = stem(f);
        if DEV.contains(&s.as_str()) {
            dev.push(f.clone());
        } else if prod.is_empty() && !PROD.contains(&s.as_str()) && s != "docs" {
            // An unusual name and nothing better: use it.
            prod.push(f.clone());
        }
    }
    let prefixed = |v: Vec<String>| v.into_iter().map(|f| format!("{base}{f}")).collect();
    (prefixed(prod), prefixed(dev))
}

fn read_requirements(
    root: &Path,
    rel: &str,
    dev: bool,
    deps: &mut Dependencies,
    warnings: &mut Vec<Warning>,
    depth: u32,
) {
    if depth > 10 || deps.install_files.iter().any(|f| f == rel) && !dev {
        return;
    }
    let Some(text) = read(root, rel, warnings) else {
        if depth > 0 {
            warnings.push(Warning {
                evidence: Evidence::file(rel),
                message: "included requirements file does not exist".into(),
                fallback: "skipped the include".into(),
            });
        }
        return;
    };
    if !dev {
        deps.install_files.push(rel.to_string());
    }
    let dir = Path::new(rel)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let resolve = |inc: &str| super::python::path_join(&dir, inc);

    let mut logical = String::new();
    let mut start_line = 0;
    for (i, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start_line = i as u32 + 1;
        }
        if let Some(cont) = raw.strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(raw);
        let line = std::mem::take(&mut logical);
        let line = strip_comment(&line);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let ev = Evidence::at(rel, start_line);
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        let rest = || line[first.len()..].trim().to_string();
        let opt_value = |flag: &str| -> Option<String> {
            if first == flag {
                Some(rest())
            } else {
                first.strip_prefix(&format!("{flag}=")).map(str::to_string)
            }
        };
        if let Some(inc) = opt_value("-r").or_else(|| opt_value("--requirement")) {
            read_requirements(root, &resolve(&inc), dev, deps, warnings, depth + 1);
            continue;
        }
        if let Some(inc) = opt_value("-c").or_else(|| opt_value("--constraint")) {
            let c = resolve(&inc);
            if !dev && root.join(&c).is_file() {
                deps.install_files.push(c);
            }
            continue;
        }
        if let Some(v) = opt_value("--no-binary") {
            for p in v.split(',') {
                deps.no_binary.insert(normalize_name(p));
            }
            continue;
        }
        let (editable, spec) = match opt_value("-e").or_else(|| opt_value("--editable")) {
            Some(s) => (true, s),
            None if first.starts_with('-') => continue, // index options, --pre, ...
            None => (false, line.to_string()),
        };
        // Per-requirement options (--hash=...) follow the requirement.
        let spec: String = spec
            .split_whitespace()
            .take_while(|w| !w.starts_with("--"))
            .collect::<Vec<_>>()
            .join(" ");
        match parse_requirement_line(&spec, ev.clone()) {
            Ok(Some(mut p)) => {
                p.editable = editable;
                p.dev = dev;
                deps.packages.push(p);
            }
            Ok(None) => {
                if editable && (spec.starts_with('.') || spec.starts_with('/')) {
                    deps.installs_project = true;
                }
            }
            Err(msg) => warnings.push(Warning {
                evidence: ev,
                message: msg,
                fallback: "skipped this requirement".into(),
            }),
        }
    }
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Parse one requirement: PEP 508, or a VCS/URL line with `#egg=name`. `Ok(None)` for a
/// local path without a name.
pub fn parse_requirement_line(spec: &str, evidence: Evidence) -> Result<Option<Package>, String> {
    let is_url = spec.contains("://") && !spec.contains(" @ ") && !spec.contains('@')
        || spec.starts_with("git+")
        || spec.starts_with("hg+")
        || spec.starts_with("svn+")
        || spec.starts_with("bzr+");
    if is_url || spec.starts_with('.') || spec.starts_with('/') {
        let egg = spec
            .split(['#', '&'])
            .find_map(|part| part.strip_prefix("egg="))
            .map(|n| n.split('[').next().unwrap_or(n));
        return Ok(egg.map(|name| Package {
            name: normalize_name(name),
            specifier: String::new(),
            pinned: None,
            pinned_at: None,
            extras: Vec::new(),
            marker: None,
            url: Some(spec.to_string()),
            editable: false,
            dev: false,
            evidence,
        }));
    }
    // pep508_rs 0.9.2 panics on names that end in `.`, `-` or `_` ("5.2.*"): reject them
    // first, and keep a panic in the parser from ending the run.
    let name: String = spec
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if name.is_empty() || name.ends_with(['.', '-', '_']) || name.starts_with(['.', '-', '_']) {
        return Err(format!(
            "not a valid PEP 508 requirement: {name:?} is not a package name"
        ));
    }
    let parsed = std::panic::catch_unwind(|| Requirement::<pep508_rs::VerbatimUrl>::from_str(spec))
        .map_err(|_| "not a valid PEP 508 requirement (the parser failed on it)".to_string())?;
    let req = parsed.map_err(|e| format!("not a valid PEP 508 requirement: {}", e.message))?;
    let (specifier, url) = match &req.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(v)) => (v.to_string(), None),
        Some(VersionOrUrl::Url(u)) => (String::new(), Some(u.to_string())),
        None => (String::new(), None),
    };
    let pinned = pinned_version(&specifier);
    Ok(Some(Package {
        name: req.name.to_string(),
        pinned,
        pinned_at: None,
        specifier,
        extras: req.extras.iter().map(|e| e.to_string()).collect(),
        marker: req.marker.try_to_string(),
        url,
        editable: false,
        dev: false,
        evidence,
    }))
}

fn pinned_version(spec: &str) -> Option<String> {
    let specs = pep508_rs::pep440_rs::VersionSpecifiers::from_str(spec).ok()?;
    let only = specs.iter().next().filter(|_| specs.len() == 1)?;
    matches!(only.operator(), Operator::Equal | Operator::ExactEqual)
        .then(|| only.version().to_string())
}

fn read_pipenv(root: &Path, dir: &str, deps: &mut Dependencies, warnings: &mut Vec<Warning>) {
    let (pipfile, lockfile) = (format!("{dir}Pipfile"), format!("{dir}Pipfile.lock"));
    if let Some(text) = read(root, &pipfile, warnings) {
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
    if let Some(text) = read(root, &lockfile, warnings) {
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

fn read_pyproject(
    t: &toml::Table,
    file: &str,
    manager: Manager,
    deps: &mut Dependencies,
    warnings: &mut Vec<Warning>,
) {
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
    let strs = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
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
    if manager == Manager::Poetry {
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

/// Exact versions from a TOML lockfile with `[[package]] name/version` (uv, poetry, pdm).
fn read_lock_pins(root: &Path, lock: &str, deps: &mut Dependencies, warnings: &mut Vec<Warning>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_lines_of_every_kind() {
        let ev = || Evidence::file("r.txt");
        let p = parse_requirement_line("Django[argon2]>=5.0,<6 ; python_version >= '3.10'", ev())
            .unwrap()
            .unwrap();
        assert_eq!(p.name, "django");
        assert_eq!(p.extras, ["argon2"]);
        assert!(p.marker.unwrap().contains("python"));
        assert_eq!(lower_bound(&p.specifier).as_deref(), Some("5.0"));
        let vcs = parse_requirement_line(
            "git+https://github.com/x/django-foo.git@v1#egg=django_foo",
            ev(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(vcs.name, "django-foo");
        assert!(vcs.url.is_some());
        assert!(parse_requirement_line(".", ev()).unwrap().is_none());
        assert!(parse_requirement_line("django>=>5", ev()).is_err());
    }

    #[test]
    fn poetry_constraints() {
        assert_eq!(poetry_to_pep440("^5.1"), ">=5.1,<6");
        assert_eq!(poetry_to_pep440("^0.3.1"), ">=0.3.1,<0.4");
        assert_eq!(poetry_to_pep440("~4.2.3"), ">=4.2.3,<4.3");
        assert_eq!(poetry_to_pep440("4.2.1"), "==4.2.1");
        assert_eq!(poetry_to_pep440(">=3.10,<3.13"), ">=3.10,<3.13");
    }

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn files_beside_manage_py_when_the_root_has_none() {
        let dir = project(&[
            ("src/manage.py", ""),
            ("src/requirements/base.txt", "Django==4.2.11\n"),
            (
                "src/requirements/production.txt",
                "-r base.txt\npsycopg2==2.9.9\n",
            ),
            ("README.md", ""),
        ]);
        let mut w = Vec::new();
        let d = detect_for(dir.path(), "src", &mut w);
        assert_eq!(d.manager, Some(Manager::Requirements));
        assert_eq!(d.dir, "src/");
        assert_eq!(
            d.install_files,
            [
                "src/requirements/production.txt",
                "src/requirements/base.txt"
            ]
        );
        assert_eq!(
            d.get("django").unwrap().evidence,
            Evidence::at("src/requirements/base.txt", 1)
        );
        assert!(d.reason.contains("beside manage.py (src/)"), "{}", d.reason);
        assert!(w.is_empty(), "{w:?}");
        // Near miss: manage.py at the root reads only the root.
        assert_eq!(detect_for(dir.path(), "", &mut w).manager, None);
    }

    #[test]
    fn root_or_beside_manage_py_when_both_have_files() {
        // The root's file is tooling (no Django): the one beside manage.py wins.
        let dir = project(&[
            ("requirements.txt", "pre-commit==3.7.0\n"),
            ("app/requirements.txt", "Django==5.2\n"),
        ]);
        let d = detect_for(dir.path(), "app", &mut Vec::new());
        assert_eq!(d.install_files, ["app/requirements.txt"]);
        assert!(d.reason.contains("do not declare Django"), "{}", d.reason);
        // A lockfile beside manage.py beats requirements at the root.
        let dir = project(&[
            ("requirements.txt", "Django==5.2\n"),
            ("app/pyproject.toml", "[tool.poetry]\nname = \"x\"\n[tool.poetry.dependencies]\npython = \"^3.11\"\ndjango = \"^5.2\"\n"),
            ("app/poetry.lock", "[[package]]\nname = \"django\"\nversion = \"5.2.1\"\n"),
        ]);
        let d = detect_for(dir.path(), "app", &mut Vec::new());
        assert_eq!(d.manager, Some(Manager::Poetry));
        assert_eq!(d.lockfile.as_deref(), Some("app/poetry.lock"));
        assert_eq!(d.install_files, ["app/pyproject.toml", "app/poetry.lock"]);
        assert_eq!(
            d.python.as_ref().unwrap().evidence.file,
            "app/pyproject.toml"
        );
        // Both declare Django, no lockfile: the root (the build context) wins, and says so.
        let dir = project(&[
            ("requirements.txt", "Django==5.2\n"),
            ("app/requirements.txt", "Django==5.1\n"),
        ]);
        let d = detect_for(dir.path(), "app", &mut Vec::new());
        assert_eq!(d.install_files, ["requirements.txt"]);
        assert!(
            d.reason.contains("also found beside manage.py (app/)"),
            "{}",
            d.reason
        );
    }

    #[test]
    fn lock_pins_carry_their_line() {
        let dir = project(&[
            ("pyproject.toml", "[tool.poetry.dependencies]\npython = \"^3.8\"\npyyaml = \"^5.4\"\n"),
            (
                "poetry.lock",
                "[[package]]\nname = \"pyyaml\"\nversion = \"5.4.1\"\n\n[package.extras]\nx = []\n\n[[package]]\nname = \"django-allauth\"\nversion = \"0.45.0\"\n",
            ),
        ]);
        let d = detect(dir.path(), &mut Vec::new());
        let yaml = d.get("pyyaml").unwrap();
        assert_eq!(yaml.pinned.as_deref(), Some("5.4.1"));
        assert_eq!(yaml.evidence, Evidence::file("pyproject.toml"));
        assert_eq!(yaml.pinned_at, Some(Evidence::at("poetry.lock", 2)));
        assert_eq!(
            d.get("django-allauth").unwrap().evidence,
            Evidence::at("poetry.lock", 9)
        );
    }

    #[test]
    fn names_normalise() {
        assert_eq!(normalize_name("Django_Environ"), "django-environ");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
    }
}

//! Dependency managers and the packages they declare.
//!
//! Each manager is one unit in its own file ([`Manager`]): how its files are detected,
//! how they are read, the builder's install commands the plan uses, what the lint rules
//! know about its commands, and its documentation (docs/dependency-managers.md is
//! generated from [`reference()`]). This module holds the shared types, the list of
//! managers ([`ALL`], which is also their precedence) and the choice between them.
//! Requirements files are parsed in [`requirements_file`], PEP 621 pyproject tables
//! and TOML lockfiles in [`pyproject`].

pub mod pyproject;
pub mod requirements_file;

pub use poetry::poetry_to_pep440;
#[cfg(test)]
pub(crate) use requirements_file::from_requirement_lines;
pub use requirements_file::parse_requirement_line;

use super::evidence::{Evidence, Warning};
use pep508_rs::pep440_rs::Operator;
use serde::{Serialize, Serializer};
use std::collections::BTreeSet;
use std::path::Path;

/// Declares each manager's module and lists them in [`ALL`], in the order given.
macro_rules! managers {
    ($(#[$doc:meta])* $($m:ident),* $(,)?) => {
        $(mod $m;)*
        $(#[$doc])*
        pub const ALL: &[&Manager] = &[$(&$m::MANAGER),*];
    };
}

managers![
    /// Every dependency manager, in precedence order: when several managers' files are
    /// present, the first one here that has a lockfile wins (a lockfile pins what was
    /// tested, so it beats a looser declaration); among lockfiles, the one whose tool
    /// `pyproject.toml` configures ([`Manager::configured`]) wins; without a lockfile, a
    /// manager whose files pin like one ([`Manager::pins_like_a_lock`]) comes first, then
    /// this order.
    ///
    /// Adding a manager is one file and one line: write `src/detect/deps/NAME.rs` with a
    /// `pub const MANAGER: Manager` (`pdm.rs` is a short example), and add `NAME` to this
    /// list at its place in the precedence. Detection, the choice, the image's install
    /// step, the lint rules' knowledge of its commands and docs/dependency-managers.md
    /// (regenerate with `DJSHIP_UPDATE_DOCS=1 cargo nextest run --test detect`) all follow
    /// from the unit.
    uv,
    poetry,
    pdm,
    pipenv,
    requirements,
    pep621,
];

/// One dependency manager: everything djship knows about it.
pub struct Manager {
    /// Its name in `inspect --json` (`facts.dependencies.manager`) and in messages.
    pub name: &'static str,
    /// What it is and how djship uses it (Markdown, for docs/dependency-managers.md).
    pub doc: &'static str,
    /// Its lockfile's name, when it has one.
    pub lockfile: Option<&'static str>,
    /// Whether its files are present in a folder (its lockfile counts too, without this).
    pub present: fn(&Dir) -> bool,
    /// Whether `pyproject.toml` names it as the project's tool (`[tool.poetry]`, its build
    /// backend): its lockfile then wins over other lockfiles.
    pub configured: fn(&Dir) -> bool,
    /// Whether its files, without a lockfile, pin exact versions the way a lockfile does
    /// (frozen requirements): it then wins over the other unlocked declarations.
    pub pins_like_a_lock: fn(&Dir) -> bool,
    /// Read its files into the dependencies (the manager and lockfile are set already).
    pub read: fn(&Dir, &mut Dependencies, &mut Vec<Warning>),
    /// Its lock already holds what old sdists need to build (uv's
    /// `build-constraint-dependencies`): the plan adds no build constraints of its own.
    pub carries_build_constraints: bool,
    /// The shell commands of the builder's install step (after the virtualenv exists), and
    /// the notes the plan prints about them.
    pub install: fn(&InstallInput, &mut Vec<String>) -> Vec<String>,
    /// What the lint rules know about its commands in a Dockerfile.
    pub lint: Lint,
}

/// What the lint rules recognise of a manager's commands.
pub struct Lint {
    /// The tool's command, also its package name on PyPI (`poetry`); `None` when its files
    /// are installed with pip.
    pub command: Option<&'static str>,
    /// Its subcommands that install the project's dependencies (`install`, `sync`).
    pub install_subcommands: &'static [&'static str],
    /// Flags that make the install leave out the project itself (`--no-root`).
    pub dependencies_only_flags: &'static [&'static str],
    /// The file its install reads when it is given none (`poetry.lock`, `Pipfile`).
    pub manifest: &'static str,
    /// Its install adds the project itself, unless a flag above says not to.
    pub installs_project: bool,
    /// Its install command takes package names to add (`pipenv install requests`).
    pub takes_package_names: bool,
    /// Its install puts the packages in the project's `.venv`, not the system Python.
    pub venv_in_project: bool,
    /// The tool is needed only to install: `pip install` of it in the final image leaves a
    /// build tool there (build-tools-in-final-image).
    pub build_only_tool: bool,
}

impl Lint {
    /// The lint knowledge of a manager with no command of its own (pip installs its files).
    pub const PIP: Lint = Lint {
        command: None,
        install_subcommands: &[],
        dependencies_only_flags: &[],
        manifest: "",
        installs_project: false,
        takes_package_names: false,
        venv_in_project: false,
        build_only_tool: false,
    };

    /// The `COMMAND SUBCOMMAND` prefixes of its installs (`pdm install`, `pdm sync`).
    pub fn install_commands(&self) -> impl Iterator<Item = String> + '_ {
        self.command.into_iter().flat_map(move |c| {
            self.install_subcommands
                .iter()
                .map(move |s| format!("{c} {s}"))
        })
    }
}

/// The manager whose command is `command` (`poetry`), if any.
pub fn by_command(command: &str) -> Option<&'static Manager> {
    ALL.iter()
        .copied()
        .find(|m| m.lint.command == Some(command))
}

/// What a manager's install step is built from.
pub struct InstallInput<'a> {
    pub deps: &'a Dependencies,
    /// The folder of the dependency files without its trailing `/` ("" for the root):
    /// the tools are pointed at it.
    pub dir: &'a str,
    /// `uv pip install` into the image's virtualenv.
    pub uv_pip: &'a str,
    /// The packages the plan adds (server, driver), each as ` 'requirement'`; "" for none.
    pub extra_args: &'a str,
}

impl InstallInput<'_> {
    /// ` --project DIR` when the files are not at the root.
    pub fn project_flag(&self) -> String {
        if self.dir.is_empty() {
            String::new()
        } else {
            format!(" --project {}", self.dir)
        }
    }
}

impl Manager {
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl std::fmt::Debug for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for Manager {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Manager {}

impl Serialize for Manager {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
    }
}

/// Never: for the [`Manager`] conditions that do not apply to a manager.
pub fn never(_: &Dir) -> bool {
    false
}

/// One folder's dependency files, as the managers see them.
pub struct Dir<'a> {
    pub root: &'a Path,
    /// The folder relative to the root: "" or ending in `/`.
    pub dir: &'a str,
    /// Its `pyproject.toml`, when it is valid TOML, and its text.
    pub pyproject: Option<&'a toml::Table>,
    pub pyproject_text: Option<&'a str>,
    /// Production and development requirements files, by the usual names.
    pub requirements: &'a (Vec<String>, Vec<String>),
}

impl Dir<'_> {
    /// The path of a file of this folder, relative to the root.
    pub fn at(&self, name: &str) -> String {
        format!("{}{name}", self.dir)
    }
    pub fn exists(&self, name: &str) -> bool {
        self.root.join(self.at(name)).is_file()
    }
    /// Whether `pyproject.toml` has a `[tool.NAME]` table.
    pub fn tool(&self, name: &str) -> bool {
        self.pyproject
            .and_then(|t| t.get("tool"))
            .and_then(|t| t.get(name))
            .is_some()
    }
    /// `[build-system] build-backend`, "" when there is none.
    pub fn build_backend(&self) -> &str {
        self.pyproject
            .and_then(|t| t.get("build-system"))
            .and_then(|b| b.get("build-backend"))
            .and_then(|b| b.as_str())
            .unwrap_or("")
    }
    /// `[project] requires-python`, with the line that says it.
    pub fn python_from_pyproject(&self) -> Option<PythonConstraint> {
        let file = self.at("pyproject.toml");
        self.pyproject?
            .get("project")
            .and_then(|p| p.get("requires-python"))
            .and_then(|v| v.as_str())
            .map(|s| PythonConstraint {
                constraint: s.to_string(),
                evidence: evidence_of_line(&file, self.pyproject_text.unwrap_or(""), |l| {
                    l.starts_with("requires-python")
                }),
            })
    }
}

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
    pub fn new(constraint: impl Into<String>, file: &str) -> Self {
        PythonConstraint {
            constraint: constraint.into(),
            evidence: Evidence::file(file),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dependencies {
    /// The manager whose files the image installs from; `None` when no files were found.
    pub manager: Option<&'static Manager>,
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
    pub also_present: Vec<&'static Manager>,
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
    let specs = crate::contain::specifiers(spec)?;
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

pub fn read(root: &Path, rel: &str, warnings: &mut Vec<Warning>) -> Option<String> {
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
                m.name,
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
        beside_manager.name,
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
    let pyproject_file = format!("{dir}pyproject.toml");
    let pyproject_text = read(root, &pyproject_file, warnings);
    let pyproject = pyproject_text
        .as_deref()
        .and_then(|s| match s.parse::<toml::Table>() {
            Ok(t) => Some(t),
            Err(e) => {
                warnings.push(Warning {
                    evidence: Evidence::file(&pyproject_file),
                    message: format!("invalid TOML: {}", one_line(e.message())),
                    fallback: format!("ignored {pyproject_file}"),
                });
                None
            }
        });
    let requirements = requirements_file::find_files(root, dir);
    let d = Dir {
        root,
        dir,
        pyproject: pyproject.as_ref(),
        pyproject_text: pyproject_text.as_deref(),
        requirements: &requirements,
    };

    // Each manager present, with its lockfile when it exists, in precedence order.
    let present: Vec<(&'static Manager, Option<&'static str>)> = ALL
        .iter()
        .filter_map(|m| {
            let lock = m.lockfile.filter(|l| d.exists(l));
            (lock.is_some() || (m.present)(&d)).then_some((*m, lock))
        })
        .collect();
    let pins: Vec<bool> = present
        .iter()
        .map(|(m, lock)| lock.is_none() && (m.pins_like_a_lock)(&d))
        .collect();
    let pins_like_a_lock = |m: &Manager| present.iter().zip(&pins).any(|((x, _), p)| *p && *x == m);
    let rank = |m: &Manager| {
        if pins_like_a_lock(m) {
            return 0;
        }
        ALL.iter().position(|x| *x == m).unwrap_or(99) + 1
    };
    let winner = present
        .iter()
        .filter(|(_, lock)| lock.is_some())
        .min_by_key(|(m, _)| (!(m.configured)(&d), rank(m)))
        .or_else(|| present.iter().min_by_key(|(m, _)| rank(m)))
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
    deps.lockfile = lock.map(|l| d.at(l));
    deps.also_present = present
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| *m != manager)
        .collect();
    let lock = deps.lockfile.clone();
    let lock = lock.as_deref();
    deps.reason = match (lock, present.len()) {
        (Some(l), 1) => format!("{l} is the only lockfile"),
        (Some(l), _) if (manager.configured)(&d) => format!(
            "{l} is the lockfile of the tool pyproject.toml configures; it wins over {}",
            names(&deps.also_present)
        ),
        (Some(l), _) => format!(
            "{l} pins exact versions; lockfiles win over unlocked declarations, and {} among lockfiles (also present: {})",
            ALL.iter()
                .filter(|m| m.lockfile.is_some())
                .map(|m| m.name)
                .collect::<Vec<_>>()
                .join(" > "),
            names(&deps.also_present)
        ),
        (None, 1) => format!("only {} files are present", manager.name),
        (None, _) if pins_like_a_lock(manager) => format!(
            "no lockfile; the {} files pin exact versions, so they win over the unlocked {}",
            manager.name,
            names(&deps.also_present)
        ),
        (None, _) => format!(
            "no lockfile; requirements files win over pyproject dependencies (also present: {})",
            names(&deps.also_present)
        ),
    };
    (manager.read)(&d, &mut deps, warnings);
    deps
}

/// Evidence at the first line (trimmed) of `text` that `pred` accepts, else the whole file.
pub fn evidence_of_line(file: &str, text: &str, pred: impl Fn(&str) -> bool) -> Evidence {
    match text.lines().position(|l| pred(l.trim())) {
        Some(i) => Evidence::at(file, i as u32 + 1),
        None => Evidence::file(file),
    }
}

/// Parser messages can span lines; a warning is one line.
pub use crate::evidence::one_line;

fn names(ms: &[&Manager]) -> String {
    ms.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
}

/// The exact version of a specifier that is a single `==` pin.
pub fn pinned_version(spec: &str) -> Option<String> {
    let specs = crate::contain::specifiers(spec)?;
    let only = specs.iter().next().filter(|_| specs.len() == 1)?;
    matches!(only.operator(), Operator::Equal | Operator::ExactEqual)
        .then(|| only.version().to_string())
}

/// The dependency managers' reference page (docs/dependency-managers.md is generated from
/// this).
pub fn reference() -> String {
    let mut s = String::from(
        "# Dependency managers\n\n<!-- Generated from src/detect/deps/ by `djship::detect::deps::reference`; regenerate with `DJSHIP_UPDATE_DOCS=1 cargo nextest run --test detect`. -->\n\n",
    );
    s.push_str("djship reads the dependency files at the project root and beside manage.py, and installs from one manager's files. When several managers' files are present, a lockfile wins over unlocked declarations; among lockfiles, the one of the tool `pyproject.toml` configures wins, then this order:\n\n");
    for (i, m) in ALL.iter().enumerate() {
        s.push_str(&format!(
            "{}. [{}](#{}){}\n",
            i + 1,
            m.name,
            m.name,
            m.lockfile
                .map(|l| format!(" (lockfile `{l}`)"))
                .unwrap_or_default()
        ));
    }
    s.push_str("\nWithout any lockfile, requirements files that pin most of their packages (`==`) win over the other declarations.\n");
    s.push_str("\nEach manager is one file in `src/detect/deps/` (its detection, how its files are read, the image's install commands, what the lint rules know of its commands, and the text below). Adding one is that file and its name in the `managers!` list in `src/detect/deps/mod.rs`, at its place in the order above; then regenerate this page.\n");
    for m in ALL {
        s.push_str(&format!("\n## {}\n\n{}\n", m.name, m.doc.trim_end()));
        let deps = Dependencies {
            manager: Some(m),
            lockfile: m.lockfile.map(str::to_string),
            ..Dependencies::default()
        };
        let input = InstallInput {
            deps: &deps,
            dir: "",
            uv_pip: "uv pip install --python /opt/venv/bin/python",
            extra_args: "",
        };
        let commands = (m.install)(&input, &mut Vec::new());
        s.push_str("\nThe image's builder stage installs with (files at the root, with a lockfile when the manager has one):\n\n```sh\n");
        for c in commands {
            s.push_str(&c);
            s.push('\n');
        }
        s.push_str("```\n");
        let lint: Vec<String> = m
            .lint
            .install_commands()
            .map(|c| format!("`{c}`"))
            .collect();
        if !lint.is_empty() {
            s.push_str(&format!(
                "\nThe lint rules read {} in a Dockerfile as installing the project's dependencies.\n",
                lint.join(", ")
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_manager_unit_is_complete_and_distinct() {
        let mut names = BTreeSet::new();
        let mut commands = BTreeSet::new();
        for m in ALL {
            assert!(names.insert(m.name), "two managers named {}", m.name);
            assert!(!m.doc.is_empty(), "{} has no doc", m.name);
            if let Some(c) = m.lint.command {
                assert!(commands.insert(c), "two managers run {c}");
                assert!(!m.lint.install_subcommands.is_empty(), "{}", m.name);
                assert!(!m.lint.manifest.is_empty(), "{}", m.name);
                assert_eq!(by_command(c), Some(*m));
            }
        }
        // The generated reference names every manager and its lockfile.
        let doc = reference();
        for m in ALL {
            assert!(doc.contains(&format!("\n## {}\n", m.name)), "{}", m.name);
            if let Some(l) = m.lockfile {
                assert!(doc.contains(l), "{l}");
            }
        }
    }

    #[test]
    fn precedence_is_the_order_of_the_list() {
        // Two lockfiles, no tool configured: the earlier manager in ALL wins.
        let dir = project(&[
            ("Pipfile", "[packages]\ndjango = \"*\"\n"),
            ("Pipfile.lock", "{\"default\": {}}"),
            (
                "pdm.lock",
                "[[package]]\nname = \"django\"\nversion = \"5.2\"\n",
            ),
        ]);
        let d = detect(dir.path(), &mut Vec::new());
        assert_eq!(d.manager, Some(&pdm::MANAGER));
        assert_eq!(d.also_present, [&pipenv::MANAGER]);
        assert!(
            d.reason
                .contains("uv > poetry > pdm > pipenv among lockfiles"),
            "{}",
            d.reason
        );
        // Frozen requirements beat an unlocked Pipfile; loose ones do not.
        let dir = project(&[
            ("Pipfile", "[packages]\ndjango = \"*\"\n"),
            ("requirements.txt", "Django==5.2\nrequests==2.32.3\n"),
        ]);
        let d = detect(dir.path(), &mut Vec::new());
        assert_eq!(d.manager, Some(&requirements::MANAGER));
        assert!(
            d.reason
                .contains("the requirements files pin exact versions"),
            "{}",
            d.reason
        );
        let dir = project(&[
            ("Pipfile", "[packages]\ndjango = \"*\"\n"),
            ("requirements.txt", "Django>=5.2\nrequests\n"),
        ]);
        assert_eq!(
            detect(dir.path(), &mut Vec::new()).manager,
            Some(&pipenv::MANAGER)
        );
    }

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
        assert_eq!(d.manager, Some(&requirements::MANAGER));
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
        assert_eq!(d.manager, Some(&poetry::MANAGER));
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

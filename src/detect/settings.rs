//! The settings module(s): which module production and development use, and what the
//! settings say once their module-level code is interpreted abstractly.

use super::evidence::{Evidence, Warning};
use super::layout::parent_dir;
use super::python::{settings_module_default, Binding, EnvRead, Interp, Loader, PyFile, Value};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Reads and caches Python files of the project for the interpreter.
pub struct FileCache {
    pub root: PathBuf,
    /// Folder that holds manage.py, relative to root; Python imports start there.
    pub import_root: String,
    files: HashMap<String, Option<Rc<PyFile>>>,
    /// Contents that replace files on disk (a settings patch not written yet).
    overlay: HashMap<String, String>,
    pub warnings: Vec<Warning>,
}

impl FileCache {
    pub fn new(root: &Path, import_root: &str) -> Self {
        Self::with_overlay(root, import_root, HashMap::new())
    }

    pub fn with_overlay(root: &Path, import_root: &str, overlay: HashMap<String, String>) -> Self {
        FileCache {
            root: root.to_path_buf(),
            import_root: import_root.to_string(),
            files: HashMap::new(),
            overlay,
            warnings: Vec::new(),
        }
    }

    /// Parse a file by its path relative to the root (cached).
    pub fn file(&mut self, rel: &str) -> Option<Rc<PyFile>> {
        if let Some(f) = self.files.get(rel) {
            return f.clone();
        }
        let path = self.root.join(rel);
        let parsed = if let Some(text) = self.overlay.get(rel) {
            Some(Rc::new(PyFile::parse(rel, text.clone())))
        } else if path.is_file() {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    let f = PyFile::parse(rel, text);
                    if let Some(w) = &f.syntax_error {
                        self.warnings.push(w.clone());
                    }
                    Some(Rc::new(f))
                }
                Err(e) => {
                    self.warnings.push(Warning {
                        evidence: Evidence::file(rel),
                        message: format!("cannot read: {e}"),
                        fallback: "treated the module as empty".into(),
                    });
                    None
                }
            }
        } else {
            None
        };
        self.files.insert(rel.to_string(), parsed.clone());
        parsed
    }

    /// The file of a dotted module, importable from the manage.py folder.
    pub fn module_file(&self, module: &str) -> Option<String> {
        module_path(&self.root, &self.import_root, module)
    }
}

/// `a.b.c` → `a/b/c.py` or `a/b/c/__init__.py` under `base`, relative to `root`.
fn module_path(root: &Path, base: &str, module: &str) -> Option<String> {
    if module.is_empty() {
        return None;
    }
    let stem = super::python::path_join(base, &module.replace('.', "/"));
    [format!("{stem}.py"), format!("{stem}/__init__.py")]
        .into_iter()
        .find(|c| root.join(c).is_file())
}

impl Loader for FileCache {
    fn load(&mut self, module: &str, level: u32, from_file: &str) -> Option<Rc<PyFile>> {
        let rel = if level == 0 {
            self.module_file(module)?
        } else {
            let mut base = parent_dir(from_file);
            for _ in 1..level {
                base = parent_dir(&base);
            }
            if module.is_empty() {
                return None;
            }
            module_path(&self.root, &base, module)?
        };
        self.file(&rel)
    }

    fn load_file(&mut self, rel: &str) -> Option<Rc<PyFile>> {
        if rel.starts_with('/') || rel.starts_with("..") {
            return None;
        }
        self.file(rel)
    }

    fn exists(&self, rel: &str) -> Option<bool> {
        if rel.starts_with('/') || rel.starts_with("..") {
            return None;
        }
        Some(self.root.join(rel).exists())
    }

    fn is_project_module(&self, module: &str, level: u32, _from_file: &str) -> bool {
        level > 0 || {
            let top = module.split('.').next().unwrap_or("");
            self.module_file(top).is_some()
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleChoice {
    pub module: String,
    pub file: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SettingsModules {
    /// What manage.py sets DJANGO_SETTINGS_MODULE to by default.
    pub default: ModuleChoice,
    pub production: ModuleChoice,
    pub development: ModuleChoice,
    /// True when settings is a package with split modules (base/dev/production).
    pub split: bool,
}

/// Interpreted settings of one module.
pub struct Evaluated {
    /// The settings as Django gets them in the environment [`Evaluated::assume`]
    /// describes: every choice resolved.
    pub ns: BTreeMap<String, Binding>,
    /// The settings with their choices: a value per path through `if`/`else`.
    pub raw: BTreeMap<String, Binding>,
    pub env_reads: Vec<EnvRead>,
    pub files: Vec<String>,
    /// Variables whose value djship decides (`None`: unset); the rest keep their defaults.
    pub assume: HashMap<String, Option<String>>,
}

impl Evaluated {
    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.ns.get(name)
    }
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.ns.get(name).map(|b| &b.value)
    }
    /// The setting with its alternatives, as written.
    pub fn raw_value(&self, name: &str) -> Option<&Value> {
        self.raw.get(name).map(|b| &b.value)
    }
    /// The environment variables that set `name` on some path through the settings.
    pub fn configurable_by(&self, name: &str) -> Vec<&EnvRead> {
        self.raw_value(name)
            .map(|v| v.env_reads())
            .unwrap_or_default()
    }
    /// Resolve every choice for an environment where `assume` holds.
    pub fn resolve(&mut self, assume: HashMap<String, Option<String>>) {
        self.ns = self
            .raw
            .iter()
            .filter_map(|(k, b)| {
                let value = b.value.resolve(&assume);
                if matches!(value, Value::Undefined) {
                    return None;
                }
                let evidence = b
                    .value
                    .resolved_evidence(&assume)
                    .unwrap_or_else(|| b.evidence.clone());
                Some((k.clone(), Binding { value, evidence }))
            })
            .collect();
        self.assume = assume;
    }
}

pub fn evaluate(cache: &mut FileCache, file: &str) -> Evaluated {
    let parsed = cache.file(file);
    let mut interp = Interp::new(cache);
    if let Some(f) = parsed {
        interp.exec_file(&f);
    }
    let mut e = Evaluated {
        ns: BTreeMap::new(),
        raw: interp.ns,
        env_reads: interp.env_reads,
        files: interp.files,
        assume: HashMap::new(),
    };
    e.resolve(HashMap::new());
    e
}

const PROD_NAMES: &[&str] = &["production", "prod", "live", "deploy", "deployment"];
const DEV_NAMES: &[&str] = &["local", "dev", "devel", "development", "develop"];

/// Decide which settings modules production and development use.
pub fn choose_modules(
    cache: &mut FileCache,
    manage_py: &str,
    warnings: &mut Vec<Warning>,
) -> Option<SettingsModules> {
    let manage = cache.file(manage_py)?;
    let hints = settings_hints(cache);
    let from_manage = match settings_module_default(&manage) {
        Some((module, ev)) => match cache.module_file(&module) {
            Some(file) => Some(ModuleChoice {
                reason: "manage.py sets DJANGO_SETTINGS_MODULE to this by default".into(),
                module,
                file,
                evidence: Some(ev),
            }),
            None => {
                warnings.push(Warning {
                    evidence: ev,
                    message: format!(
                        "settings module {module:?} has no file under the manage.py folder"
                    ),
                    fallback: "looked for the settings the project's own files name, then for a module that defines INSTALLED_APPS".into(),
                });
                None
            }
        },
        None => {
            warnings.push(Warning {
                evidence: Evidence::file(manage_py),
                message: "manage.py does not set a default DJANGO_SETTINGS_MODULE".into(),
                fallback: "looked for the settings the project's own files name, then for a module that defines INSTALLED_APPS".into(),
            });
            None
        }
    };
    let from_manage = match from_manage {
        Some(c) if defines_settings(cache, &c.file) => Some(c),
        Some(c) => {
            warnings.push(Warning {
                evidence: c.evidence.clone().unwrap_or_else(|| Evidence::file(&c.file)),
                message: format!(
                    "manage.py's default settings module {} ({}) defines no settings (no INSTALLED_APPS)",
                    c.module, c.file
                ),
                fallback: "used the settings the project's own files name, or the module that defines INSTALLED_APPS".into(),
            });
            None
        }
        None => None,
    };
    let hinted = |cache: &mut FileCache, roles: &[HintRole]| -> Option<ModuleChoice> {
        for role in roles {
            for h in hints.iter().filter(|h| h.role == *role) {
                let Some(file) = cache.module_file(&h.module) else {
                    continue;
                };
                if defines_settings(cache, &file) {
                    return Some(ModuleChoice {
                        reason: format!("{} sets DJANGO_SETTINGS_MODULE to this", h.evidence.file),
                        module: h.module.clone(),
                        file,
                        evidence: Some(h.evidence.clone()),
                    });
                }
            }
        }
        None
    };
    let default = match from_manage {
        Some(c) => c,
        None => match hinted(
            cache,
            &[
                HintRole::Production,
                HintRole::Either,
                HintRole::Development,
            ],
        ) {
            Some(c) => c,
            None => match guess_settings(cache).filter(|c| defines_settings(cache, &c.file)) {
                Some(c) => c,
                None => {
                    let (module, file) =
                        modules_defining_installed_apps(cache).into_iter().next()?;
                    ModuleChoice {
                        reason: "the module that defines INSTALLED_APPS (nothing names a settings module that has settings)".into(),
                        module,
                        file,
                        evidence: None,
                    }
                }
            },
        },
    };
    let hinted_production = hinted(cache, &[HintRole::Production]);
    let hinted_development = hinted(cache, &[HintRole::Development]);
    let top = default.module.split('.').next().unwrap_or("").to_string();

    // Siblings of a split settings package.
    let (package_dir, package_module) = if default.file.ends_with("/__init__.py") {
        (parent_dir(&default.file), default.module.clone())
    } else {
        (
            parent_dir(&default.file),
            default
                .module
                .rsplit_once('.')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default(),
        )
    };
    let split = package_dir.ends_with("settings")
        || cache.root.join(&package_dir).join("base.py").is_file();
    let sibling = |cache: &FileCache, names: &[&str]| -> Option<ModuleChoice> {
        if !split {
            return None;
        }
        names.iter().find_map(|n| {
            let file = format!("{package_dir}/{n}.py");
            cache.root.join(&file).is_file().then(|| ModuleChoice {
                module: format!("{package_module}.{n}"),
                file,
                reason: format!("the settings package has a module named {n:?}"),
                evidence: None,
            })
        })
    };

    // wsgi.py / asgi.py defaults name what the server runs, which is production.
    let mut served: Option<ModuleChoice> = None;
    for f in ["wsgi.py", "asgi.py"] {
        let rel = super::python::path_join(&cache.import_root, &format!("{top}/{f}"));
        if let Some(file) = cache.file(&rel) {
            if let Some((module, ev)) = settings_module_default(&file) {
                if let Some(mf) = cache.module_file(&module) {
                    served = Some(ModuleChoice {
                        reason: format!("{top}/{f} sets DJANGO_SETTINGS_MODULE to this by default"),
                        module,
                        file: mf,
                        evidence: Some(ev),
                    });
                    break;
                }
            }
        }
    }

    let production = hinted_production
        .or_else(|| sibling(cache, PROD_NAMES))
        .or_else(|| served.clone().filter(|s| s.module != default.module))
        .unwrap_or_else(|| ModuleChoice {
            reason: format!(
                "{}; the only settings module, production reads its deployment values from the environment",
                default.reason
            ),
            ..default.clone()
        });
    let development = hinted_development
        .or_else(|| sibling(cache, DEV_NAMES))
        .unwrap_or_else(|| {
            if production.module != default.module {
                default.clone()
            } else {
                ModuleChoice {
                reason:
                    "no separate development module; development runs the same module with DEBUG on"
                        .into(),
                ..default.clone()
            }
            }
        });
    Some(SettingsModules {
        default,
        production,
        development,
        split,
    })
}

/// Where a file sets DJANGO_SETTINGS_MODULE, and for what.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    pub module: String,
    pub evidence: Evidence,
    pub role: HintRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintRole {
    /// A Dockerfile, a production compose file, a Procfile or a deployment template.
    Production,
    /// A development compose file or Dockerfile.
    Development,
    /// An env file or a default compose file: says what the project runs, not where.
    Either,
}

fn has_word(path: &str, words: &[&str]) -> bool {
    path.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| words.contains(&w))
}

/// The role of a file that may name the settings module, or `None` for files that name
/// settings for other purposes (test runners, CI).
fn hint_role(rel: &str) -> Option<HintRole> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    if has_word(
        rel,
        &[
            "test", "tests", "ci", "github", "gitlab", "pytest", "tox", "docs",
        ],
    ) || matches!(
        lower.as_str(),
        "pytest.ini" | "tox.ini" | "setup.cfg" | "pyproject.toml" | "conftest.py"
    ) {
        return None;
    }
    let dev = has_word(
        rel,
        &[
            "dev",
            "local",
            "development",
            "develop",
            "override",
            "debug",
        ],
    );
    let prod = has_word(
        rel,
        &[
            "prod",
            "production",
            "prd",
            "release",
            "deploy",
            "deployment",
            "live",
            "k8s",
            "kubernetes",
            "helm",
            "stack",
        ],
    );
    let dockerfile = lower.contains("dockerfile") || lower.contains("containerfile");
    let compose = (lower.starts_with("compose") || lower.starts_with("docker-compose"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"));
    let deploy = matches!(
        lower.as_str(),
        "procfile"
            | "app.json"
            | "render.yaml"
            | "fly.toml"
            | "heroku.yml"
            | "app.yaml"
            | "railway.json"
            | "railway.toml"
            | "nixpacks.toml"
    ) || lower.ends_with(".service")
        || (prod
            && (lower.ends_with(".yml")
                || lower.ends_with(".yaml")
                || lower.ends_with(".sh")
                || lower.ends_with(".j2")
                || lower.ends_with(".conf")
                || lower.ends_with(".ini")));
    let env_file = lower.starts_with(".env") || lower.ends_with(".env") || lower == "env.example";
    if dev {
        return (dockerfile || compose || env_file || lower.ends_with(".sh"))
            .then_some(HintRole::Development);
    }
    if dockerfile || deploy || (compose && prod) {
        return Some(HintRole::Production);
    }
    if compose
        || env_file
        || lower == "entrypoint.sh"
        || lower == "start.sh"
        || lower == "gunicorn.conf.py"
        || lower == "uwsgi.ini"
    {
        return Some(HintRole::Either);
    }
    None
}

/// Module names a text sets DJANGO_SETTINGS_MODULE to, or passes with `--settings`.
fn modules_named(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let line_no = i as u32 + 1;
        // YAML lists of variables: `- key: DJANGO_SETTINGS_MODULE` (or `name:`) with the
        // value on one of the next lines (`value: app.settings.base`).
        let t = line.trim_start().trim_start_matches("- ").trim();
        if (t.starts_with("key:") || t.starts_with("name:"))
            && t.ends_with("DJANGO_SETTINGS_MODULE")
        {
            for (j, next) in lines.iter().enumerate().skip(i + 1).take(4) {
                let next = next.trim();
                if next.starts_with("- ") {
                    break;
                }
                if let Some(v) = next.strip_prefix("value:") {
                    let module = v.trim().trim_matches(|c| c == '"' || c == '\'');
                    if module.contains('.')
                        && module
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                    {
                        out.push((module.to_string(), j as u32 + 1));
                    }
                }
            }
        }
        for key in ["DJANGO_SETTINGS_MODULE", "--settings"] {
            let mut rest: &str = line;
            while let Some(at) = rest.find(key) {
                rest = &rest[at + key.len()..];
                let value = rest
                    .trim_start_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace())
                    .trim_start_matches(['=', ':', ','])
                    .trim_start_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
                let module: String = value
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                    .collect();
                let module = module.trim_end_matches('.').to_string();
                if (module.contains('.') || (!module.is_empty() && key == "DJANGO_SETTINGS_MODULE"))
                    && !module.starts_with(|c: char| c.is_ascii_digit())
                {
                    out.push((module, line_no));
                }
            }
        }
    }
    out
}

/// Every DJANGO_SETTINGS_MODULE set by the project's Dockerfiles, compose files, Procfile,
/// env files and deployment templates whose module exists, in path order.
pub fn settings_hints(cache: &FileCache) -> Vec<Hint> {
    let mut out = Vec::new();
    let walk = super::walk::Walk::new(&cache.root)
        .max_depth(5)
        .with_hidden()
        .ignored(super::walk::Ignored::Seen);
    for e in walk.entries().take(20_000) {
        if !e.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = e.path().strip_prefix(&cache.root) else {
            continue;
        };
        let rel = super::layout::to_rel(rel);
        let Some(role) = hint_role(&rel) else {
            continue;
        };
        if e.metadata().map(|m| m.len() > 256 * 1024).unwrap_or(true) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        for (module, line) in modules_named(&text) {
            if cache.module_file(&module).is_some()
                && !out
                    .iter()
                    .any(|h: &Hint| h.module == module && h.role == role)
            {
                out.push(Hint {
                    module,
                    evidence: Evidence::at(&rel, line),
                    role,
                });
            }
        }
    }
    out
}

/// Whether a settings module defines settings at all (an empty package `__init__.py` does
/// not): it, or a module it star-imports, assigns INSTALLED_APPS or another upper-case name.
fn defines_settings(cache: &mut FileCache, file: &str) -> bool {
    let e = evaluate(cache, file);
    e.raw.contains_key("INSTALLED_APPS")
        || e.raw
            .keys()
            .filter(|k| k.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .count()
            >= 3
}

/// Modules under the import root that assign INSTALLED_APPS, settings packages first.
fn modules_defining_installed_apps(cache: &FileCache) -> Vec<(String, String)> {
    let base = cache.root.join(&cache.import_root);
    let mut out = Vec::new();
    let walk = super::walk::Walk::new(&base)
        .max_depth(4)
        .also_skip(&["migrations", "tests"]);
    for e in walk.entries().take(20_000) {
        if e.path().extension().is_none_or(|x| x != "py") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        if !text.lines().any(|l| l.starts_with("INSTALLED_APPS")) {
            continue;
        }
        let Ok(rel) = e.path().strip_prefix(&base) else {
            continue;
        };
        let rel_mod = super::layout::to_rel(rel);
        let module = rel_mod
            .trim_end_matches(".py")
            .trim_end_matches("/__init__")
            .replace('/', ".");
        let file = super::python::path_join(&cache.import_root, &rel_mod);
        out.push((module, file));
    }
    out.sort_by_key(|(m, _)| (!m.contains("settings"), m.matches('.').count(), m.clone()));
    out
}

fn guess_settings(cache: &mut FileCache) -> Option<ModuleChoice> {
    let root = cache.root.join(&cache.import_root);
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .ok()?
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    dirs.sort_by_key(|e| e.file_name());
    for d in dirs {
        let name = d.file_name().to_string_lossy().into_owned();
        for (suffix, module) in [
            ("settings.py", format!("{name}.settings")),
            ("settings/__init__.py", format!("{name}.settings")),
        ] {
            let rel = super::python::path_join(&cache.import_root, &format!("{name}/{suffix}"));
            if cache.root.join(&rel).is_file() {
                return Some(ModuleChoice {
                    module,
                    file: rel,
                    reason: "found by its name (no DJANGO_SETTINGS_MODULE default)".into(),
                    evidence: None,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (p, c) in files {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, c).unwrap();
        }
    }

    #[test]
    fn settings_module_names_in_files_and_their_roles() {
        assert_eq!(
            modules_named("ENV DJANGO_SETTINGS_MODULE=settings.config\n"),
            [("settings.config".to_string(), 1)]
        );
        assert_eq!(
            modules_named("web: gunicorn app.wsgi --settings app.settings.prod\n"),
            [("app.settings.prod".to_string(), 1)]
        );
        assert_eq!(
            modules_named("environment:\n  DJANGO_SETTINGS_MODULE: \"a.b\"\n"),
            [("a.b".to_string(), 2)]
        );
        assert_eq!(
            modules_named(
                "- key: DJANGO_SETTINGS_MODULE\n  scope: RUN\n  value: \"x.settings.base\"\n"
            ),
            [("x.settings.base".to_string(), 3)]
        );
        assert!(modules_named("export DJANGO_SETTINGS_MODULE=$SETTINGS\n").is_empty());
        assert_eq!(hint_role("Dockerfile"), Some(HintRole::Production));
        assert_eq!(
            hint_role("compose/local/django/Dockerfile"),
            Some(HintRole::Development)
        );
        assert_eq!(hint_role("docker-compose.yml"), Some(HintRole::Either));
        assert_eq!(
            hint_role("docker-compose.prod.yml"),
            Some(HintRole::Production)
        );
        assert_eq!(hint_role("Procfile"), Some(HintRole::Production));
        assert_eq!(
            hint_role(".do/deploy.template.yaml"),
            Some(HintRole::Production)
        );
        assert_eq!(hint_role("pytest.ini"), None);
        assert_eq!(hint_role(".github/workflows/ci.yml"), None);
        assert_eq!(hint_role("docs/deployment.md"), None);
    }

    #[test]
    fn a_local_settings_file_run_with_exec_is_followed_when_it_exists() {
        let dir = tempfile::tempdir().unwrap();
        let settings = "import os\nDIR = os.path.dirname(os.path.abspath(__file__))\nDEBUG = False\nf = os.path.join(DIR, 'local_settings.py')\nif os.path.exists(f):\n    exec(open(f, 'rb').read())\n";
        write(
            dir.path(),
            &[
                ("mysite/settings.py", settings),
                ("mysite/local_settings.py", "DEBUG = True\n"),
            ],
        );
        let mut cache = FileCache::new(dir.path(), "");
        let e = evaluate(&mut cache, "mysite/settings.py");
        assert_eq!(e.value("DEBUG"), Some(&Value::Bool(true)));
        assert_eq!(
            e.get("DEBUG").unwrap().evidence.file,
            "mysite/local_settings.py"
        );
        // Without the file, the test is false and the settings keep their own value.
        std::fs::remove_file(dir.path().join("mysite/local_settings.py")).unwrap();
        let mut cache = FileCache::new(dir.path(), "");
        let e = evaluate(&mut cache, "mysite/settings.py");
        assert_eq!(e.value("DEBUG"), Some(&Value::Bool(false)));
    }

    #[test]
    fn split_settings_package_with_star_imports() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\n"),
                ("config/__init__.py", ""),
                ("config/settings/__init__.py", ""),
                ("config/settings/base.py", "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\nDEBUG = False\n"),
                ("config/settings/local.py", "from .base import *\nDEBUG = True\n"),
                ("config/settings/production.py", "from .base import *  # noqa\nimport os\nSECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n"),
            ],
        );
        let mut cache = FileCache::new(dir.path(), "");
        let mut w = Vec::new();
        let m = choose_modules(&mut cache, "manage.py", &mut w).unwrap();
        assert!(m.split);
        assert_eq!(m.production.module, "config.settings.production");
        assert_eq!(m.development.module, "config.settings.local");
        let prod = evaluate(&mut cache, &m.production.file);
        assert_eq!(
            prod.value("STATIC_ROOT"),
            Some(&Value::Path("staticfiles".into()))
        );
        assert_eq!(prod.value("DEBUG"), Some(&Value::Bool(false)));
        assert_eq!(
            prod.files,
            ["config/settings/production.py", "config/settings/base.py"]
        );
        assert_eq!(prod.env_reads[0].name, "DJANGO_SECRET_KEY");
    }
}

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
    root: PathBuf,
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
const DEV_NAMES: &[&str] = &["local", "dev", "development", "develop"];

/// Decide which settings modules production and development use.
pub fn choose_modules(
    cache: &mut FileCache,
    manage_py: &str,
    warnings: &mut Vec<Warning>,
) -> Option<SettingsModules> {
    let manage = cache.file(manage_py)?;
    let default = match settings_module_default(&manage) {
        Some((module, ev)) => {
            let file = cache.module_file(&module);
            match file {
                Some(file) => ModuleChoice {
                    reason: "manage.py sets DJANGO_SETTINGS_MODULE to this by default".into(),
                    module,
                    file,
                    evidence: Some(ev),
                },
                None => {
                    warnings.push(Warning {
                        evidence: ev,
                        message: format!(
                            "settings module {module:?} has no file under the manage.py folder"
                        ),
                        fallback: "looked for a settings.py next to manage.py's packages".into(),
                    });
                    guess_settings(cache)?
                }
            }
        }
        None => {
            warnings.push(Warning {
                evidence: Evidence::file(manage_py),
                message: "manage.py does not set a default DJANGO_SETTINGS_MODULE".into(),
                fallback: "looked for a settings.py next to manage.py's packages".into(),
            });
            guess_settings(cache)?
        }
    };
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

    let production = sibling(cache, PROD_NAMES)
        .or_else(|| served.clone().filter(|s| s.module != default.module))
        .unwrap_or_else(|| ModuleChoice {
            reason: "the only settings module; production reads its deployment values from the environment".into(),
            ..default.clone()
        });
    let development = sibling(cache, DEV_NAMES).unwrap_or_else(|| {
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

//! Read-only facts about a Django project, each with its evidence.
//!
//! Nothing here executes project code or writes anything.

pub mod deps;
pub use crate::evidence;
pub mod frontend;
pub mod layout;
pub mod native;
pub mod problems;
pub mod python;
pub mod pyversion;
pub mod settings;
pub mod walk;
pub mod wheels;

use crate::config::Config;
use crate::error::{Error, Result};
use deps::Dependencies;
use evidence::{Evidence, Warning};
use native::NativeLibs;
use problems::Problem;
use python::{EnvRead, Value};
use pyversion::PythonVersion;
use serde::Serialize;
use settings::{Evaluated, FileCache, SettingsModules};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A value and where it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Located<T> {
    pub value: T,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AsgiFacts {
    /// True when the app must be served by an ASGI server.
    pub required: bool,
    /// Why (empty when not required).
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DbKind {
    Postgresql,
    Mysql,
    Sqlite,
    Oracle,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Database {
    pub alias: String,
    pub kind: DbKind,
    /// The ENGINE string when it is written down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// The environment variable holding a database URL, when the settings read one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_env: Option<String>,
    /// Driver packages found for this engine.
    pub drivers: Vec<String>,
    pub gis: bool,
    pub evidence: Evidence,
    /// When the settings choose the database by an environment variable: which, and the
    /// value djship gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_by: Option<DbSelector>,
}

/// How the settings pick their database from the environment, and djship's choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DbSelector {
    /// The variable the settings test.
    pub var: String,
    /// The value djship sets (`None`: the variable stays unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The test as written.
    pub test: String,
    pub evidence: Evidence,
    /// The other settings of the variable and the database each gives.
    pub alternatives: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cache {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    pub redis: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_env: Option<String>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Celery {
    /// The module given to `celery -A`.
    pub app: String,
    pub beat: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker_env: Option<String>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StaticFiles {
    /// STATIC_ROOT as Python sees it (description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<Located<String>>,
    /// STATIC_ROOT inside the image (the project root is /app).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_in_image: Option<String>,
    pub url: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<Located<String>>,
    pub whitenoise: bool,
    /// django-compressor with COMPRESS_OFFLINE on: `manage.py compress` must run at build.
    pub compress_offline: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MediaFiles {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_in_image: Option<String>,
    pub url: Option<Located<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvVar {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    pub required: bool,
    pub secret: bool,
    pub via: String,
    /// The setting it feeds, when it is assigned directly to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_of: Option<String>,
    pub evidence: Evidence,
}

/// A variable that turns a setting on (`if os.getenv("X"): SETTING = ...`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvSwitch {
    pub setting: String,
    pub var: String,
    pub value: String,
    pub evidence: Evidence,
}

/// Everything djship knows about a project.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    /// manage.py, relative to the project root.
    pub manage_py: String,
    /// The folder of manage.py ("" for the root): the working directory in the image.
    pub manage_dir: String,
    pub settings: SettingsModules,
    /// Files interpreted for the production settings, in order.
    pub settings_files: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wsgi_application: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asgi_application: Option<Located<String>>,
    pub asgi: AsgiFacts,
    pub dependencies: Dependencies,
    pub python: PythonVersion,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub django: Option<Located<String>>,
    pub databases: Vec<Database>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<Cache>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub celery: Option<Celery>,
    pub native: NativeLibs,
    #[serde(rename = "static")]
    pub static_files: StaticFiles,
    pub media: MediaFiles,
    /// The frontend (package.json), when the project has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frontend: Option<frontend::Frontend>,
    pub installed_apps: Vec<String>,
    pub env_vars: Vec<EnvVar>,
    /// Folders inside the image the app writes at run time (a file-based cache): the image
    /// makes them the app user's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub writable_dirs: Vec<Located<String>>,
    /// The settings import pkg_resources, which comes with setuptools: a virtualenv made by
    /// uv has none unless the project declares it.
    pub imports_pkg_resources: bool,
    /// Settings for running behind a proxy that the settings turn on only when a variable is
    /// set: djship's .env sets it, since nginx sends the headers they trust.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proxy_switches: Vec<EnvSwitch>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Warning>,
    /// The name of the project's top package (the settings package's first part).
    pub package: String,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub manage: Option<PathBuf>,
    /// Ask this uv binary which pins have wheels for which Python (network), instead of
    /// djship's wheel table.
    pub uv: Option<PathBuf>,
    /// File contents (by path relative to the root) read instead of the files on disk.
    pub overlay: std::collections::HashMap<String, String>,
}

/// How long `--resolve-with-uv` waits for uv, all Pythons together.
pub const UV_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Heuristic: does an environment variable hold a secret?
pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "PRIVATE",
        "CREDENTIAL",
        "API_KEY",
        "ACCESS_KEY",
        "DSN",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n.ends_with("_KEY")
        || n == "DATABASE_URL"
        || n.ends_with("_DATABASE_URL")
}

pub fn detect(root: &Path, config: &Config, opts: &Options) -> Result<Facts> {
    if !root.is_dir() {
        return Err(Error::Invalid {
            path: root.to_path_buf(),
            message: "not a folder".into(),
            hint: "pass the folder of a Django project (the one that holds manage.py)".into(),
        });
    }
    let mut warnings = Vec::new();
    let manage_py = layout::find_manage_py(root, opts.manage.as_deref())?;
    let manage_dir = layout::parent_dir(&manage_py);
    let mut cache = FileCache::with_overlay(root, &manage_dir, opts.overlay.clone());
    let modules = settings::choose_modules(&mut cache, &manage_py, &mut warnings).ok_or_else(|| Error::Invalid {
        path: root.join(&manage_py),
        message: "found manage.py but no settings module: no DJANGO_SETTINGS_MODULE default and no <package>/settings.py next to it".into(),
        hint: "set os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"<package>.settings\") in manage.py, or pass another --manage".into(),
    })?;
    let mut prod = settings::evaluate(&mut cache, &modules.production.file);
    let mut dev = if modules.development.file != modules.production.file {
        Some(settings::evaluate(&mut cache, &modules.development.file))
    } else {
        None
    };
    let package = modules
        .default
        .module
        .split('.')
        .next()
        .unwrap_or("")
        .to_string();

    let deps = deps::detect_for(root, &manage_dir, &mut warnings);
    let (assume, selector) = choose_database(&prod, &deps);
    undecided_database_tests(&prod, &mut warnings);
    if !assume.is_empty() {
        prod.resolve(assume.clone());
        if let Some(d) = dev.as_mut() {
            d.resolve(assume.clone());
        }
    }
    let django = django_fact(&deps);
    let python = python_fact(
        root,
        &manage_dir,
        &deps,
        django.as_ref(),
        opts,
        &mut warnings,
    );
    warnings.extend(pyversion::check_against_django(
        &python,
        django.as_ref().map(|d| d.value.as_str()),
    ));

    let installed_apps = prod
        .value("INSTALLED_APPS")
        .map(|v| v.strings())
        .unwrap_or_default();
    let wsgi_application = entry_point(
        &cache,
        located_str(&prod, "WSGI_APPLICATION"),
        &package,
        "wsgi",
        &mut warnings,
    );
    let asgi_application = entry_point(
        &cache,
        located_str(&prod, "ASGI_APPLICATION"),
        &package,
        "asgi",
        &mut warnings,
    );
    let asgi = asgi_fact(asgi_application.as_ref(), &deps, &installed_apps);

    let databases = databases(&prod, &deps, selector);
    let cache_fact = cache_fact(&prod, &deps);
    let celery = celery_fact(&mut cache, &package, &prod, &deps, &installed_apps);

    let mut features = Vec::new();
    if has_app(&installed_apps, "django.contrib.gis") || databases.iter().any(|d| d.gis) {
        features.push("django.contrib.gis");
    }
    let source_built: std::collections::BTreeSet<String> = python
        .source_builds
        .iter()
        .map(|s| s.package.clone())
        .collect();
    let native = native::resolve(&deps, &features, &config.native, &source_built);

    let static_files = static_files_fact(&prod, &installed_apps);
    let media = MediaFiles {
        root: located_describe(&prod, "MEDIA_ROOT"),
        root_in_image: prod.value("MEDIA_ROOT").and_then(in_image),
        url: located_str(&prod, "MEDIA_URL"),
    };

    let env_vars = env_vars(&prod, dev.as_ref());
    let writable_dirs = writable_dirs(&prod);
    let imports_pkg_resources = imports_pkg_resources(root, &prod);
    let proxy_switches = proxy_switches(&prod);
    let uploads = uploads_used(root, &manage_dir, &installed_apps);
    let mut problems = problems::find(&prod, &databases, &static_files, &media, &modules, uploads);
    // Django checks the Origin header of posts from 4.0 on: before, CSRF_TRUSTED_ORIGINS is
    // not needed for same-origin posts behind a proxy.
    if django.as_ref().is_some_and(|d| {
        d.value
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .is_some_and(|m| m < 4)
    }) {
        problems.retain(|p| p.code != crate::checks::CSRF.code);
    }

    let frontend = frontend::detect(root, &manage_dir, &prod, &mut warnings);

    warnings.append(&mut cache.warnings);
    Ok(Facts {
        manage_py,
        manage_dir,
        settings_files: prod.files.clone(),
        settings: modules,
        wsgi_application,
        asgi_application,
        asgi,
        dependencies: deps,
        python,
        django,
        databases,
        cache: cache_fact,
        celery,
        native,
        static_files,
        media,
        frontend,
        installed_apps,
        env_vars,
        writable_dirs,
        imports_pkg_resources,
        proxy_switches,
        problems,
        warnings,
        package,
    })
}

/// A database that depends on a test djship cannot evaluate: say which was assumed.
fn undecided_database_tests(prod: &Evaluated, warnings: &mut Vec<Warning>) {
    if let Some(raw) = prod.raw_value("DATABASES") {
        let mut unknown: Vec<&python::Cond> = Vec::new();
        raw.walk(&mut |v| {
            if let Value::Choice(arms) = v {
                for a in arms {
                    if a.cond.test == python::Test::Unknown
                        && !unknown.iter().any(|c| c.evidence == a.cond.evidence)
                    {
                        unknown.push(&a.cond);
                    }
                }
            }
        });
        for c in unknown {
            warnings.push(Warning {
                evidence: c.evidence.clone(),
                message: format!(
                    "DATABASES depends on `{}`, which djship cannot evaluate without running the code",
                    c.text
                ),
                fallback: "took the branches in the order Python would run them, as if the test held".into(),
            });
        }
    }
}

/// Django's version: a pinned Django is that release; a range installs its newest patch
/// release, so only the feature release (X.Y) is known.
fn django_fact(deps: &Dependencies) -> Option<Located<String>> {
    let django_pinned = deps.get("django").is_some_and(|p| p.pinned.is_some());
    deps.version_of("django").map(|v| Located {
        value: if django_pinned {
            v
        } else {
            v.split('.').take(2).collect::<Vec<_>>().join(".")
        },
        evidence: deps
            .get("django")
            .map(|p| p.evidence.clone())
            .unwrap_or_else(|| Evidence::file("?")),
    })
}

/// The Python version, from the project's files and what its pinned packages have wheels for.
fn python_fact(
    root: &Path,
    manage_dir: &str,
    deps: &Dependencies,
    django: Option<&Located<String>>,
    opts: &Options,
    warnings: &mut Vec<Warning>,
) -> PythonVersion {
    let beside = format!("{manage_dir}/");
    let dirs: Vec<&str> = if manage_dir.is_empty() {
        vec![""]
    } else {
        vec![beside.as_str(), ""]
    };
    let mut uv_failed = None;
    let mut wheel_facts = |minors: &[u8]| match &opts.uv {
        Some(uv) => wheels::Knowledge::from_uv(uv, deps, minors, UV_TIMEOUT).unwrap_or_else(|e| {
            uv_failed = Some(e);
            wheels::Knowledge::from_table(deps, minors)
        }),
        None => wheels::Knowledge::from_table(deps, minors),
    };
    let python = pyversion::detect(
        root,
        &dirs,
        deps,
        django.map(|d| d.value.as_str()),
        &mut wheel_facts,
        warnings,
    );
    if let Some(e) = uv_failed {
        warnings.push(Warning {
            evidence: Evidence::file(deps.install_files.first().cloned().unwrap_or_default()),
            message: format!("uv could not say which pins have wheels: {e}"),
            fallback: "used djship's wheel table (PyPI's file lists, built in)".into(),
        });
    }
    python
}

/// Whether the project needs an ASGI server, and why.
fn asgi_fact(
    asgi_application: Option<&Located<String>>,
    deps: &Dependencies,
    installed_apps: &[String],
) -> AsgiFacts {
    let mut asgi = AsgiFacts::default();
    if let Some(a) = asgi_application {
        asgi.reasons
            .push(format!("ASGI_APPLICATION is set ({})", a.evidence));
    }
    for (pkg, why) in [
        ("channels", "channels"),
        ("daphne", "daphne"),
        ("uvicorn", "uvicorn"),
    ] {
        if let Some(p) = deps.get(pkg) {
            asgi.reasons
                .push(format!("{why} is a dependency ({})", p.evidence));
        } else if has_app(installed_apps, pkg) {
            asgi.reasons.push(format!("{why} is in INSTALLED_APPS"));
        }
    }
    asgi.required = !asgi.reasons.is_empty();
    asgi
}

/// Where static files are collected, how they are stored and served.
fn static_files_fact(prod: &Evaluated, installed_apps: &[String]) -> StaticFiles {
    StaticFiles {
        root: located_describe(prod, "STATIC_ROOT"),
        root_in_image: prod.value("STATIC_ROOT").and_then(in_image),
        url: located_str(prod, "STATIC_URL"),
        storage: prod
            .get("STORAGES")
            .and_then(|b| {
                b.value
                    .get("staticfiles")
                    .and_then(|s| s.get("BACKEND"))
                    .and_then(|v| v.as_str())
                    .map(|s| Located {
                        value: s.to_string(),
                        evidence: b.evidence.clone(),
                    })
            })
            .or_else(|| located_str(prod, "STATICFILES_STORAGE")),
        whitenoise: prod
            .value("MIDDLEWARE")
            .map(|m| m.strings().iter().any(|s| s.starts_with("whitenoise.")))
            .unwrap_or(false),
        compress_offline: has_app(installed_apps, "compressor")
            && match prod.value("COMPRESS_OFFLINE") {
                Some(Value::Env(r)) => r
                    .default_value
                    .as_deref()
                    .is_some_and(|d| d.truthy(r.cast == python::Cast::Bool)),
                Some(v) => v.truthy(false),
                None => false,
            },
    }
}

/// Folders in the image the app writes to at run time (file-based caches under /app).
fn writable_dirs(prod: &Evaluated) -> Vec<Located<String>> {
    prod.get("CACHES")
        .and_then(|b| match &b.value {
            Value::Dict(items) => Some((items, &b.evidence)),
            _ => None,
        })
        .map(|(items, ev)| {
            items
                .iter()
                .filter(|(_, c)| {
                    c.get("BACKEND")
                        .and_then(Value::as_str)
                        .is_some_and(|b| b.ends_with("FileBasedCache"))
                })
                .filter_map(|(_, c)| c.get("LOCATION").and_then(in_image))
                .filter(|p| p.starts_with("/app"))
                .map(|p| Located {
                    value: p,
                    evidence: ev.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a settings file imports pkg_resources (gone from setuptools 81 on).
fn imports_pkg_resources(root: &Path, prod: &Evaluated) -> bool {
    prod.files.iter().any(|f| {
        std::fs::read_to_string(root.join(f)).is_ok_and(|t| {
            t.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with("import pkg_resources") || l.starts_with("from pkg_resources")
            })
        })
    })
}

/// Settings that trust the proxy's headers only when a variable selects them.
fn proxy_switches(prod: &Evaluated) -> Vec<EnvSwitch> {
    ["SECURE_PROXY_SSL_HEADER", "USE_X_FORWARDED_HOST"]
        .iter()
        .filter(|s| prod.value(s).is_none())
        .filter_map(|s| {
            let Some(Value::Choice(arms)) = prod.raw_value(s) else {
                return None;
            };
            arms.iter().find_map(|a| {
                let var = a.cond.var.clone()?;
                let value = a.cond.selecting_value()??;
                (!matches!(a.value, Value::Undefined)).then(|| EnvSwitch {
                    setting: s.to_string(),
                    var,
                    value,
                    evidence: a.cond.evidence.clone(),
                })
            })
        })
        .collect()
}

/// Whether `app` (or one of its submodules) is in INSTALLED_APPS.
fn has_app(installed_apps: &[String], app: &str) -> bool {
    installed_apps
        .iter()
        .any(|x| x == app || x.starts_with(&format!("{app}.")))
}

/// The WSGI or ASGI application: the setting when its module exists; otherwise the module
/// that assigns `application = get_wsgi_application()` (or ASGI), found by reading the
/// project's files as Django's own lookup of the setting would find it.
fn entry_point(
    cache: &FileCache,
    setting: Option<Located<String>>,
    package: &str,
    kind: &str,
    warnings: &mut Vec<Warning>,
) -> Option<Located<String>> {
    let exists = |dotted: &str| {
        dotted
            .rsplit_once('.')
            .is_some_and(|(m, _)| cache.module_file(m).is_some())
    };
    if let Some(s) = &setting {
        if exists(&s.value) {
            return setting;
        }
    } else if kind == "asgi" || exists(&format!("{package}.{kind}.application")) {
        return None;
    }
    let call = format!("get_{kind}_application(");
    let base = cache.root.join(&cache.import_root);
    let found = walk::Walk::new(&base)
        .max_depth(4)
        .also_skip(&["tests"])
        .entries()
        .take(20_000)
        .find_map(|e| {
            if e.path().extension().is_none_or(|x| x != "py") {
                return None;
            }
            let text = std::fs::read_to_string(e.path()).ok()?;
            let line = text
                .lines()
                .position(|l| l.starts_with("application") && l.contains(&call))?;
            let rel = layout::to_rel(e.path().strip_prefix(&base).ok()?);
            let module = rel.trim_end_matches(".py").replace('/', ".");
            Some(Located {
                value: format!("{module}.application"),
                evidence: Evidence::at(
                    python::path_join(&cache.import_root, &rel),
                    line as u32 + 1,
                ),
            })
        });
    if let Some(f) = &found {
        warnings.push(Warning {
            evidence: setting
                .as_ref()
                .map(|s| s.evidence.clone())
                .unwrap_or_else(|| f.evidence.clone()),
            message: match &setting {
                Some(s) => format!(
                    "{}_APPLICATION names {}, whose module does not exist",
                    kind.to_uppercase(),
                    s.value
                ),
                None => format!(
                    "no {}_APPLICATION and no {package}/{kind}.py",
                    kind.to_uppercase()
                ),
            },
            fallback: format!("serve {} ({})", f.value, f.evidence),
        });
    }
    found.or(setting)
}

/// Apps that store uploaded files themselves.
const UPLOAD_APPS: &[&str] = &[
    "wagtail.images",
    "wagtail.documents",
    "filer",
    "photologue",
    "django_summernote",
];

/// Whether the project stores uploaded files: a FileField or ImageField in its own code
/// (read as text, never imported), or an installed app that stores uploads.
fn uploads_used(root: &Path, manage_dir: &str, installed_apps: &[String]) -> bool {
    if installed_apps.iter().any(|a| {
        UPLOAD_APPS
            .iter()
            .any(|u| a == u || a.starts_with(&format!("{u}.")))
    }) {
        return true;
    }
    let base = root.join(manage_dir);
    walk::Walk::new(&base)
        .max_depth(6)
        .also_skip(&["migrations", "tests"])
        .entries()
        .filter(|e| e.path().extension().is_some_and(|x| x == "py"))
        .take(5000)
        .any(|e| {
            std::fs::read_to_string(e.path())
                .is_ok_and(|t| t.contains("FileField(") || t.contains("ImageField("))
        })
}

fn located_str(e: &Evaluated, name: &str) -> Option<Located<String>> {
    let b = e.get(name)?;
    b.value.as_str().map(|s| Located {
        value: s.to_string(),
        evidence: b.evidence.clone(),
    })
}

fn located_describe(e: &Evaluated, name: &str) -> Option<Located<String>> {
    let b = e.get(name)?;
    Some(Located {
        value: match &b.value {
            Value::Str(s) => s.clone(),
            v => v.describe(),
        },
        evidence: b.evidence.clone(),
    })
}

/// Where a path setting points inside the image, whose /app is the project root.
fn in_image(v: &Value) -> Option<String> {
    match v {
        Value::Path(p) | Value::Str(p) if p.starts_with('/') => Some(p.clone()),
        Value::Path(p) if !p.starts_with("..") => Some(if p.is_empty() {
            "/app".into()
        } else {
            format!("/app/{p}")
        }),
        Value::Env(e) => e
            .default
            .as_deref()
            .filter(|d| d.starts_with('/'))
            .map(str::to_string),
        _ => None,
    }
}

fn engine_kind(engine: &str) -> (DbKind, bool) {
    let gis =
        engine.contains(".gis.") || engine.contains("postgis") || engine.contains("spatialite");
    let kind = if engine.contains("postg") {
        DbKind::Postgresql
    } else if engine.contains("mysql") {
        DbKind::Mysql
    } else if engine.contains("sqlite") || engine.contains("spatialite") {
        DbKind::Sqlite
    } else if engine.contains("oracle") {
        DbKind::Oracle
    } else {
        DbKind::Unknown
    };
    (kind, gis)
}

fn url_kind(url: &str) -> (DbKind, bool) {
    let scheme = url.split("://").next().unwrap_or("");
    engine_kind(match scheme {
        "postgres" | "postgresql" | "pgsql" | "psql" => "postgresql",
        "postgis" => "postgis",
        "mysql" | "mysql2" | "mysqlgis" => "mysql",
        "sqlite" => "sqlite",
        "spatialite" => "spatialite",
        "oracle" => "oracle",
        other => other,
    })
}

const DRIVERS: &[(DbKind, &str)] = &[
    (DbKind::Postgresql, "psycopg"),
    (DbKind::Postgresql, "psycopg-binary"),
    (DbKind::Postgresql, "psycopg2"),
    (DbKind::Postgresql, "psycopg2-binary"),
    (DbKind::Mysql, "mysqlclient"),
    (DbKind::Mysql, "pymysql"),
    (DbKind::Oracle, "oracledb"),
];

/// When the settings pick the database by an environment variable (`if os.getenv("DB")
/// == "postgres": ...`), the setting of it that gives the best database djship can run:
/// PostgreSQL or MySQL with its driver installed before SQLite or a driver-less engine.
/// Returns the variables to assume and how the choice was made.
fn choose_database(
    prod: &Evaluated,
    deps: &Dependencies,
) -> (HashMap<String, Option<String>>, Option<DbSelector>) {
    let none = (HashMap::new(), None);
    let Some(raw) = prod.raw_value("DATABASES") else {
        return none;
    };
    let mut conds: Vec<python::Cond> = Vec::new();
    raw.walk(&mut |v| {
        if let Value::Choice(arms) = v {
            for a in arms {
                if a.cond.var.is_some() && !conds.iter().any(|c| c.text == a.cond.text) {
                    conds.push(a.cond.clone());
                }
            }
        }
    });
    // An ENGINE read from a variable (`"ENGINE": os.getenv("DB_ENGINE", "...mysql")`): the
    // variable chooses the engine; each engine djship runs is a candidate setting of it.
    let mut engine_vars: Vec<python::EnvRead> = Vec::new();
    raw.walk(&mut |v| {
        if let Value::Dict(items) = v {
            for (k, x) in items {
                if k == "ENGINE" {
                    for e in x.env_reads() {
                        if e.default
                            .as_deref()
                            .is_some_and(|d| d.starts_with("django.db.backends."))
                            && !engine_vars.iter().any(|x| x.name == e.name)
                        {
                            engine_vars.push(e.clone());
                        }
                    }
                }
            }
        }
    });
    for e in &engine_vars {
        for engine in ["django.db.backends.postgresql", "django.db.backends.mysql"] {
            conds.push(python::Cond {
                text: format!("ENGINE from ${}", e.name),
                evidence: e.evidence.clone(),
                var: Some(e.name.clone()),
                default: None,
                test: python::Test::OneOf(vec![engine.to_string()]),
                negated: false,
            });
        }
    }
    if conds.is_empty() {
        return none;
    }
    let score = |db: &Database, v: &Value| -> i32 {
        let driver = !db.drivers.is_empty();
        // Where the engine ties, a database whose host comes from the environment wins
        // over one fixed to localhost (a patched or deployment branch over a local one).
        let configurable =
            i32::from(db.url_env.is_some() || matches!(v.get("HOST"), Some(Value::Env(_))));
        let engine = match (db.kind, driver) {
            (DbKind::Postgresql, true) => 6,
            (DbKind::Mysql, true) => 5,
            (DbKind::Postgresql, false) => 3,
            (DbKind::Oracle, _) => 2,
            (DbKind::Mysql, false) => 1,
            (DbKind::Sqlite, _) => 0,
            // A database URL from the environment, engine unknown: still what a
            // deployment sets, unlike an SQLite file.
            (DbKind::Unknown, _) if db.url_env.is_some() => 1,
            (DbKind::Unknown, _) => -1,
        };
        2 * engine + configurable
    };
    let evaluate = |assume: &HashMap<String, Option<String>>| -> Option<(Database, Value)> {
        let resolved = raw.resolve(assume);
        let v = resolved.get("default")?.clone();
        let db = database("default", &v, deps, &prod.raw["DATABASES"].evidence, assume);
        Some((db, v))
    };
    type Candidate<'a> = (Option<&'a python::Cond>, HashMap<String, Option<String>>);
    let mut candidates: Vec<Candidate> = vec![(None, HashMap::new())];
    for c in &conds {
        if let (Some(var), Some(value)) = (&c.var, c.selecting_value()) {
            candidates.push((Some(c), HashMap::from([(var.clone(), value)])));
        }
    }
    type Scored<'a> = (
        Option<&'a python::Cond>,
        HashMap<String, Option<String>>,
        Option<(Database, Value)>,
    );
    let scored: Vec<Scored> = candidates
        .into_iter()
        .map(|(c, a)| {
            let db = evaluate(&a);
            (c, a, db)
        })
        .collect();
    let best = scored
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, _, db))| {
            (
                db.as_ref().map(|(d, v)| score(d, v)).unwrap_or(-4),
                -(*i as i32),
            )
        })
        .map(|(i, _)| i)
        .unwrap_or(0);
    let describe = |a: &HashMap<String, Option<String>>, db: &Option<(Database, Value)>| {
        let setting = if a.is_empty() {
            "unset (defaults)".to_string()
        } else {
            a.iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{k}={v}"),
                    None => format!("{k} unset"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let kind = db
            .as_ref()
            .map(|(d, _)| format!("{:?}", d.kind).to_lowercase())
            .unwrap_or_else(|| "no default database".into());
        format!("{setting} gives {kind}")
    };
    // The settings of variables that change the engine (not those that only tune it).
    let kind_of = |db: &Option<(Database, Value)>| db.as_ref().map(|(d, _)| d.kind);
    let best_kind = kind_of(&scored[best].2);
    let default_kind = kind_of(&scored[0].2);
    let mut alternatives: Vec<String> = Vec::new();
    for (i, (c, a, db)) in scored.iter().enumerate() {
        if i == best || (c.is_some() && (kind_of(db) == best_kind || kind_of(db) == default_kind)) {
            continue;
        }
        let d = describe(a, db);
        if !alternatives.contains(&d) {
            alternatives.push(d);
        }
    }
    let (cond, assume, _) = &scored[best];
    let selector = match cond {
        Some(c) => DbSelector {
            var: c.var.clone().unwrap_or_default(),
            value: assume.values().next().cloned().flatten(),
            test: c.text.clone(),
            evidence: c.evidence.clone(),
            alternatives,
        },
        None => {
            // The defaults already give the best database; say what the variable does.
            let c = &conds[0];
            DbSelector {
                var: c.var.clone().unwrap_or_default(),
                value: None,
                test: c.text.clone(),
                evidence: c.evidence.clone(),
                alternatives,
            }
        }
    };
    (assume.clone(), Some(selector))
}

fn databases(prod: &Evaluated, deps: &Dependencies, selector: Option<DbSelector>) -> Vec<Database> {
    let Some(b) = prod.get("DATABASES") else {
        return Vec::new();
    };
    let Value::Dict(aliases) = &b.value else {
        return Vec::new();
    };
    aliases
        .iter()
        .map(|(alias, v)| {
            let mut db = database(alias, v, deps, &b.evidence, &prod.assume);
            if alias == "default" {
                db.selected_by = selector.clone();
            }
            db
        })
        .collect()
}

/// One alias of DATABASES: its engine, from the ENGINE, a URL, or the driver installed.
fn database(
    alias: &str,
    v: &Value,
    deps: &Dependencies,
    evidence: &Evidence,
    assume: &HashMap<String, Option<String>>,
) -> Database {
    let driver_kind = DRIVERS.iter().find(|(_, p)| deps.has(p)).map(|(k, _)| *k);
    let (mut kind, mut gis, mut engine, mut url_env) = (DbKind::Unknown, false, None, None);
    match v {
        Value::Env(e) => {
            url_env = Some(e.name.clone());
            if let Some(d) = &e.default {
                (kind, gis) = url_kind(d);
            }
        }
        Value::Dict(_) => match v.get("ENGINE") {
            Some(Value::Str(s)) => {
                (kind, gis) = engine_kind(s);
                engine = Some(s.clone());
            }
            Some(Value::Env(e)) => {
                // The engine djship gives the variable, else the settings' default.
                if let Some(d) = assume.get(&e.name).cloned().flatten().or(e.default.clone()) {
                    (kind, gis) = engine_kind(&d);
                    engine = Some(d);
                }
            }
            _ => {
                if let Some(Value::Str(u)) = v.get("URL") {
                    (kind, gis) = url_kind(u);
                }
            }
        },
        _ => {}
    }
    // A URL from the environment decides the engine at run time: the driver tells.
    if url_env.is_some() || kind == DbKind::Unknown {
        if let Some(k) = driver_kind {
            if kind == DbKind::Unknown || kind == DbKind::Sqlite {
                kind = k;
            }
        }
    }
    Database {
        alias: alias.to_string(),
        drivers: DRIVERS
            .iter()
            .filter(|(k, p)| *k == kind && deps.has(p))
            .map(|(_, p)| p.to_string())
            .collect(),
        kind,
        engine,
        url_env,
        gis,
        evidence: evidence.clone(),
        selected_by: None,
    }
}

fn cache_fact(prod: &Evaluated, deps: &Dependencies) -> Option<Cache> {
    let b = prod.get("CACHES");
    let default = b.and_then(|b| b.value.get("default"));
    let (backend, url_env) = match default {
        Some(Value::Env(e)) => (None, Some(e.name.clone())),
        Some(d) => (
            d.get("BACKEND")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            match d.get("LOCATION") {
                Some(Value::Env(e)) => Some(e.name.clone()),
                _ => None,
            },
        ),
        None => (None, None),
    };
    let redis = backend
        .as_deref()
        .is_some_and(|b| b.to_ascii_lowercase().contains("redis"))
        || (url_env.is_some()
            && (deps.has("django-redis") || deps.has("redis") || deps.has("hiredis")));
    let b = b?;
    Some(Cache {
        backend,
        redis,
        url_env,
        evidence: b.evidence.clone(),
    })
}

fn celery_fact(
    cache: &mut FileCache,
    package: &str,
    prod: &Evaluated,
    deps: &Dependencies,
    installed_apps: &[String],
) -> Option<Celery> {
    deps.get("celery")?;
    let rel = python::path_join(&cache.import_root, &format!("{package}/celery.py"));
    let file = cache.file(&rel);
    let evidence = match &file {
        Some(f) => {
            let has_app = f.source.contains("Celery(");
            if !has_app {
                return None;
            }
            Evidence::file(&rel)
        }
        None => deps.get("celery").map(|p| p.evidence.clone())?,
    };
    let beat = deps.has("django-celery-beat")
        || installed_apps.iter().any(|a| a == "django_celery_beat")
        || prod.get("CELERY_BEAT_SCHEDULE").is_some()
        || prod.get("CELERYBEAT_SCHEDULE").is_some()
        || file
            .as_ref()
            .is_some_and(|f| f.source.contains("beat_schedule"));
    let broker_env = ["CELERY_BROKER_URL", "BROKER_URL"]
        .iter()
        .find_map(|k| match prod.value(k) {
            Some(Value::Env(e)) => Some(e.name.clone()),
            _ => None,
        });
    Some(Celery {
        app: package.to_string(),
        beat,
        broker_env,
        evidence,
    })
}

fn env_vars(prod: &Evaluated, dev: Option<&Evaluated>) -> Vec<EnvVar> {
    let mut out: Vec<EnvVar> = Vec::new();
    let reads = prod
        .env_reads
        .iter()
        .chain(dev.map(|d| d.env_reads.iter()).into_iter().flatten());
    // The setting a variable feeds: bound to it directly, or on one path of its choices
    // (`if v := os.getenv("ALLOWED_HOSTS"): ALLOWED_HOSTS = v.split(",")`).
    let upper = |k: &str| k.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    let mut direct: HashMap<String, String> = HashMap::new();
    let mut on_a_path: HashMap<String, String> = HashMap::new();
    for e in [Some(prod), dev].into_iter().flatten() {
        for (k, b) in &e.ns {
            if let Value::Env(x) = &b.value {
                if upper(k) {
                    direct.entry(x.name.clone()).or_insert_with(|| k.clone());
                }
            }
        }
        for (k, b) in &e.raw {
            if upper(k) && matches!(b.value, Value::Choice(_)) {
                for (_, v) in b.value.alternatives() {
                    if let Value::Env(x) = v {
                        on_a_path.entry(x.name.clone()).or_insert_with(|| k.clone());
                    }
                }
            }
        }
    }
    let setting_of = |r: &EnvRead| -> Option<String> {
        direct
            .get(&r.name)
            .or_else(|| on_a_path.get(&r.name))
            .cloned()
    };
    for r in reads {
        if out.iter().any(|v| v.name == r.name) {
            continue;
        }
        let setting = setting_of(r);
        out.push(EnvVar {
            name: r.name.clone(),
            default: r.default.clone(),
            required: r.required,
            secret: is_secret_name(&r.name) || setting.as_deref() == Some("SECRET_KEY"),
            via: r.via.clone(),
            url_of: r.url_of.clone(),
            setting,
            evidence: r.evidence.clone(),
        });
    }
    out
}

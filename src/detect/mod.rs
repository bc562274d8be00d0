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

mod database;
mod entry;
mod env;
mod facts;
mod files;
mod services;
mod versions;

pub use env::is_secret_name;
pub use facts::*;

use crate::config::Config;
use crate::error::{Error, Result};
use database::{choose_database, databases, undecided_database_tests};
use entry::{asgi_fact, entry_point};
use env::{env_vars, proxy_switches};
use files::{in_image, static_files_fact, uploads_used, writable_dirs};
use python::Value;
use services::{cache_fact, celery_fact};
use settings::{Evaluated, FileCache};
use std::path::{Path, PathBuf};
use versions::{django_fact, python_fact};

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

/// Whether `app` (or one of its submodules) is in INSTALLED_APPS.
fn has_app(installed_apps: &[String], app: &str) -> bool {
    installed_apps
        .iter()
        .any(|x| x == app || x.starts_with(&format!("{app}.")))
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

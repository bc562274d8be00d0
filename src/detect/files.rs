//! Files on disk at run time: static files, folders the app writes, uploads, and where a
//! path setting points inside the image.

use super::python::{self, Value};
use super::settings::Evaluated;
use super::{has_app, located_describe, located_str, walk, Located, StaticFiles};
use std::path::Path;

/// Where static files are collected, how they are stored and served.
pub(super) fn static_files_fact(prod: &Evaluated, installed_apps: &[String]) -> StaticFiles {
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
pub(super) fn writable_dirs(prod: &Evaluated) -> Vec<Located<String>> {
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
pub(super) fn uploads_used(root: &Path, manage_dir: &str, installed_apps: &[String]) -> bool {
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

/// Where a path setting points inside the image, whose /app is the project root.
pub(super) fn in_image(v: &Value) -> Option<String> {
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

//! The services beside the app: the cache and Celery.

use super::deps::Dependencies;
use super::evidence::Evidence;
use super::python::{self, Value};
use super::settings::{Evaluated, FileCache};
use super::{Cache, Celery};

pub(super) fn cache_fact(prod: &Evaluated, deps: &Dependencies) -> Option<Cache> {
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

pub(super) fn celery_fact(
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

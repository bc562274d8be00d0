//! How the app is served: its WSGI or ASGI application, and whether it needs an ASGI
//! server.

use super::deps::Dependencies;
use super::evidence::{Evidence, Warning};
use super::settings::FileCache;
use super::{has_app, layout, python, walk, AsgiFacts, Located};

/// Whether the project needs an ASGI server, and why.
pub(super) fn asgi_fact(
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

/// The WSGI or ASGI application: the setting when its module exists; otherwise the module
/// that assigns `application = get_wsgi_application()` (or ASGI), found by reading the
/// project's files as Django's own lookup of the setting would find it.
pub(super) fn entry_point(
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

//! The pipeline, one way: options → facts (detect) → findings (checks) → the application
//! plan → artifacts (targets) → changes on disk (write). Commands call these functions and
//! print what they return; they never edit a stage's output.

use crate::detect::{self, Facts};
use crate::error::{Error, Result};
use crate::options::Options;
use crate::plan::{self, Plan};
use crate::targets::ci::Provider;
use crate::targets::{self, Artifact, Target};
use crate::write::{self, Change};

/// What djship knows about a project and what it would do.
pub struct Analysis {
    pub facts: Facts,
    pub plan: Plan,
}

/// Detect the facts and plan the application. With `--patch-settings`, the settings are
/// patched in memory and read again, so the facts and the plan are those of the project as
/// it will be.
pub fn analyse(o: &Options) -> Result<Analysis> {
    let detect_opts = |overlay| detect::Options {
        manage: o.manage.clone(),
        uv: o.uv.clone(),
        overlay,
    };
    let mut facts = detect::detect(&o.root, &o.config, &detect_opts(Default::default()))?;
    let mut patched = None;
    // Settings patched for monitoring by an earlier run keep it: without django-prometheus
    // in the image they would not import.
    let settings_path = o.root.join(&facts.settings.production.file);
    let original = std::fs::read_to_string(&settings_path).ok();
    let monitoring = o.monitoring
        || original
            .as_deref()
            .is_some_and(|t| t.contains(plan::patch::MONITORING_MARKER));
    let asked = plan::patch::Asked {
        settings: o.patch_settings,
        // The multiprocess wiring is gunicorn's, which serves WSGI projects.
        monitoring: o.monitoring && !facts.asgi.required,
    };
    if asked.settings || asked.monitoring {
        let original =
            std::fs::read_to_string(&settings_path).map_err(|e| Error::io(&settings_path, e))?;
        if let Some(patch) = plan::patch::build(&facts, &original, asked) {
            if let Some(text) = plan::patch::apply(&original, &patch) {
                let overlay = [(patch.file.clone(), text.clone())].into_iter().collect();
                facts = detect::detect(&o.root, &o.config, &detect_opts(overlay))?;
                patched = Some((patch, text));
            }
        }
    }
    facts.warnings.extend(o.warnings.iter().cloned());
    let plan = plan::build(&facts, o, monitoring, patched);
    Ok(Analysis { facts, plan })
}

/// The files `djship init` writes, with the secrets resolved: an existing .env's values and
/// a self-signed pair that still fits are kept; what is missing is generated.
pub fn artifacts(a: &Analysis, o: &Options) -> Result<Vec<Artifact>> {
    let existing = std::fs::read_to_string(o.root.join(".env")).ok();
    let values = plan::secrets::resolve(&a.plan.env, existing.as_deref())?;
    let tls = plan::tls::resolve(&a.plan.deploy, &o.root, &a.plan.name)?;
    targets::artifacts(
        &a.plan,
        &values,
        tls,
        target(o)?,
        &ci_providers(o)?,
        o.template_dir.as_deref(),
    )
}

/// The target the options name, or the default one.
pub fn target(o: &Options) -> Result<&'static dyn Target> {
    match &o.target {
        None => Ok(targets::default_target()),
        Some(name) => targets::by_name(name).ok_or_else(|| Error::Invalid {
            path: o.root.clone(),
            message: format!("no target named {name:?}"),
            hint: format!("choose one of: {}", targets::names().join(", ")),
        }),
    }
}

/// The CI providers the options name (`--ci`, else the config's `ci`), in order.
pub fn ci_providers(o: &Options) -> Result<Vec<&'static dyn Provider>> {
    o.ci.iter()
        .map(|name| {
            targets::ci::by_name(name).ok_or_else(|| Error::Invalid {
                path: o
                    .root
                    .join(o.config.file.as_deref().unwrap_or("pyproject.toml")),
                message: format!("no CI provider named {name:?} (the config's `ci`)"),
                hint: format!("choose from: {}", targets::ci::names().join(", ")),
            })
        })
        .collect()
}

/// The changes the artifacts make to the project folder.
pub fn changes(a: &Analysis, o: &Options) -> Result<Vec<Change>> {
    write::plan_changes(&o.root, artifacts(a, o)?)
}

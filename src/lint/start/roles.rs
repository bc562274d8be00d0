//! What a compose service is for: development (source mounts, dev words) or a one-shot job.

use super::*;

// ---------------------------------------------------------------------------------------
// Services: roles and one-shot jobs

/// Does a bind mount put the project's source in the container? The project folder (or
/// a folder above it) mounted anywhere; any host folder mounted over the code folder (the
/// image's WORKDIR, `/app`, `/code`, ...); a folder of Python code mounted inside it.
pub fn is_source_mount(
    ctx: &Context,
    file: &str,
    source: &str,
    target: &str,
    workdir: Option<&str>,
) -> bool {
    let Some(host) = join(parent(file), source) else {
        // Absolute host paths are a deployment's choice; `../..` contains the project.
        return !source.starts_with('/') && !source.starts_with('~');
    };
    if host.is_empty() {
        return true;
    }
    let code = |t: &str| CODE_DIRS.contains(&t) || workdir.is_some_and(|w| w != "/" && w == t);
    if code(target) {
        return true;
    }
    let inside_code = CODE_DIRS
        .iter()
        .copied()
        .chain(workdir.filter(|w| *w != "/"))
        .any(|d| below(target, d).is_some());
    let prefix = format!("{host}/");
    inside_code
        && ctx
            .files
            .iter()
            .any(|f| f.starts_with(&prefix) && f.ends_with(".py"))
}

/// What makes a compose file (whose name says nothing) a development file: the first
/// service that runs `manage.py runserver`, bind-mounts the source, builds a development
/// target or Dockerfile, uses development settings, or has a `develop:` (watch) section.
pub fn dev_evidence(ctx: &Context, file: &str, c: &ComposeFile) -> Option<String> {
    for (name, _, svc) in c.services() {
        let image = image_of(ctx, file, svc);
        let start = of_service(ctx, file, svc);
        if let Some(from) = start.dev_server() {
            return Some(if from.contains('/') {
                format!("service `{name}` runs `manage.py runserver` (in {from})")
            } else {
                format!("service `{name}` runs `manage.py runserver`")
            });
        }
        let workdir = svc
            .get("working_dir")
            .and_then(Node::as_str)
            .map(String::from)
            .or_else(|| image.as_ref().map(Image::workdir));
        for m in compose::mounts(svc).iter().filter(|m| m.bind) {
            let src = m.source.as_deref().unwrap_or_default();
            if is_source_mount(ctx, file, src, &m.target, workdir.as_deref()) {
                return Some(format!(
                    "service `{name}` bind-mounts the source (`{src}:{}`)",
                    m.target
                ));
            }
        }
        let build = svc.get("build");
        if let Some(t) = build.and_then(|b| b.get("target")).and_then(Node::as_str) {
            if is_dev_word(t) {
                return Some(format!("service `{name}` builds the `{t}` target"));
            }
        }
        // The Dockerfile's name (`Dockerfile-dev`, `compose/local/...`), read or not.
        let dockerfile = image.as_ref().map(|i| i.path.to_string()).or_else(|| {
            let b = build?;
            let context = b.get("context").and_then(Node::as_str).unwrap_or(".");
            let d = b.get("dockerfile").and_then(Node::as_str)?;
            join(parent(file), context).and_then(|c| join(&c, d))
        });
        if let Some(path) = dockerfile.filter(|p| compose::role(p) == Role::Development) {
            return Some(format!(
                "service `{name}` is built from {path}, a development Dockerfile"
            ));
        }
        for (k, v, _) in svc
            .get("environment")
            .map(|e| e.env_pairs())
            .unwrap_or_default()
        {
            if k == "DJANGO_SETTINGS_MODULE" {
                if let Some(v) = v.filter(|v| is_dev_settings(v)) {
                    return Some(format!("service `{name}` uses the settings {v}"));
                }
            }
        }
        if svc.get("develop").is_some() {
            return Some(format!("service `{name}` has a `develop:` (watch) section"));
        }
    }
    None
}

pub(super) const DEV_WORDS: &[&str] = &[
    "dev",
    "development",
    "develop",
    "local",
    "debug",
    "test",
    "tests",
    "testing",
];

/// A build target or settings part that means development (`dev`, `local-dev`).
pub(super) fn is_dev_word(s: &str) -> bool {
    s.to_ascii_lowercase()
        .split(['-', '_', '.'])
        .any(|p| DEV_WORDS.contains(&p))
}

/// Development settings: the module's last part is, or starts or ends with, a development
/// word (`config.settings.local`, `app.settings_dev`).
pub(super) fn is_dev_settings(module: &str) -> bool {
    let last = module
        .rsplit('.')
        .next()
        .unwrap_or(module)
        .to_ascii_lowercase();
    let parts: Vec<&str> = last.split('_').collect();
    DEV_WORDS.contains(&last.as_str())
        || parts.first().is_some_and(|p| DEV_WORDS.contains(p))
        || parts.last().is_some_and(|p| DEV_WORDS.contains(p))
}

/// Why a service is meant to exit (so it needs no healthcheck and a restart policy would
/// make it loop): `restart: "no"` (or a Swarm restart condition of none), another service
/// waits for it with `condition: service_completed_successfully`, its command ends with a
/// Django command that exits (`migrate`, `collectstatic`, ...), or it sits behind
/// `profiles:` not named for production (a tool run by hand).
pub fn one_shot(
    ctx: &Context,
    file: &str,
    c: &ComposeFile,
    name: &str,
    svc: &Node,
) -> Option<String> {
    if svc.get("restart").and_then(Node::as_str) == Some("no") {
        return Some("`restart: \"no\"`".into());
    }
    if svc
        .get("deploy")
        .and_then(|d| d.get("restart_policy"))
        .and_then(|r| r.get("condition"))
        .and_then(Node::as_str)
        == Some("none")
    {
        return Some("a restart condition of `none`".into());
    }
    for (other, _, o) in c.services() {
        let completes = o
            .get("depends_on")
            .and_then(|d| d.get(name))
            .and_then(|d| d.get("condition"))
            .and_then(Node::as_str)
            == Some("service_completed_successfully");
        if completes {
            return Some(format!(
                "service `{other}` waits for it with `condition: service_completed_successfully`"
            ));
        }
    }
    if let Some(cmd) = one_shot_command(&of_service(ctx, file, svc).command) {
        return Some(format!("its command ends with `{cmd}`, which exits"));
    }
    let profiles: Vec<&str> = svc
        .get("profiles")
        .map(|p| p.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    if !profiles.is_empty()
        && !profiles
            .iter()
            .any(|p| compose::role(&format!("compose.{p}.yaml")) == Role::Production)
    {
        return Some(format!(
            "it sits behind `profiles: [{}]` (a tool run by hand)",
            profiles.join(", ")
        ));
    }
    None
}

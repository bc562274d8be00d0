//! The rules, one a file. Add a rule: write its file (a `RULE` constant with code, name,
//! severity, docs and a pure `check`) and list it in `ALL`.
//!
//! Codes: `DJL0nn` djship's own rules, `DJSnnn` the Django settings checks (the same ones
//! `djship inspect` reports), `DLnnnn` hadolint's code where the rule is hadolint's.

use super::compose::{ComposeFile, Node, Role};
use super::{Context, Rule};
use crate::dockerfile::Instruction;

mod add_instead_of_copy;
mod allowed_hosts_wildcard;
mod app_files_not_writable;
mod app_port_published;
mod apt_lists_left;
mod apt_recommends;
mod apt_update_alone;
mod base_image_latest;
mod base_image_untagged;
mod build_tools_in_final_image;
mod celery_app_missing;
mod collectstatic_without_static_root;
mod copy_before_install;
mod db_data_without_volume;
mod db_port_published;
mod debug_on;
mod depends_on_without_health;
mod dockerignore_incomplete;
mod env_file_in_image;
mod env_file_not_gitignored;
mod full_base_image;
mod json_args;
mod legacy_key_value;
mod maintainer;
mod migrate_at_build;
mod migrate_in_every_replica;
mod multiple_cmd;
mod multiple_entrypoint;
mod no_dockerignore;
mod no_healthcheck;
mod no_restart_policy;
mod obsolete_compose_version;
mod packages_left_behind;
mod parse_error;
mod pip_cache;
mod port_mismatch;
mod relative_workdir;
mod runs_as_root;
mod runserver_in_production;
mod runtime_package_missing;
mod secret_in_env;
mod settings;
mod source_bind_mounted;
mod static_never_collected;
mod unneeded_port_exposed;

pub const ALL: &[&Rule] = &[
    &parse_error::RULE,
    &runserver_in_production::RULE,
    &runs_as_root::RULE,
    &copy_before_install::RULE,
    &env_file_in_image::RULE,
    &migrate_at_build::RULE,
    &secret_in_env::RULE,
    &debug_on::RULE,
    &packages_left_behind::RULE,
    &no_dockerignore::RULE,
    &dockerignore_incomplete::RULE,
    &full_base_image::RULE,
    &apt_update_alone::RULE,
    &unneeded_port_exposed::RULE,
    &allowed_hosts_wildcard::RULE,
    &migrate_in_every_replica::RULE,
    &collectstatic_without_static_root::RULE,
    &static_never_collected::RULE,
    &app_files_not_writable::RULE,
    &obsolete_compose_version::RULE,
    &port_mismatch::RULE,
    &celery_app_missing::RULE,
    &db_port_published::RULE,
    &db_data_without_volume::RULE,
    &depends_on_without_health::RULE,
    &no_healthcheck::RULE,
    &no_restart_policy::RULE,
    &source_bind_mounted::RULE,
    &env_file_not_gitignored::RULE,
    &build_tools_in_final_image::RULE,
    &legacy_key_value::RULE,
    &app_port_published::RULE,
    &runtime_package_missing::RULE,
    &relative_workdir::RULE,
    &base_image_untagged::RULE,
    &base_image_latest::RULE,
    &apt_lists_left::RULE,
    &apt_recommends::RULE,
    &add_instead_of_copy::RULE,
    &json_args::RULE,
    &pip_cache::RULE,
    &maintainer::RULE,
    &multiple_cmd::RULE,
    &multiple_entrypoint::RULE,
    &settings::SECRET_KEY,
    &settings::DEBUG,
    &settings::ALLOWED_HOSTS,
    &settings::SQLITE,
    &settings::DB_HOST,
    &settings::STATIC_ROOT,
    &settings::CSRF,
    &settings::PROXY_SSL,
    &settings::MEDIA_ROOT,
    &settings::ALLOWED_HOSTS_WILDCARD,
    &settings::DEBUG_FROM_TEXT,
    &settings::INSECURE_DEFAULT,
];

/// Look a rule up by code, name or BuildKit name.
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(id)
            || r.name.eq_ignore_ascii_case(id)
            || r.buildkit.is_some_and(|b| b.eq_ignore_ascii_case(id))
    })
}

/// What a RUN executes: its arguments and its heredoc bodies.
pub fn run_text(i: &Instruction) -> String {
    let mut s = i.args.clone();
    for h in &i.heredocs {
        s.push('\n');
        s.push_str(&h.body);
    }
    s
}

/// Does a RUN install the project's Python dependencies? pip (also through uv), or a
/// dependency manager's install command (its unit in src/detect/deps/ says which).
pub fn installs(run: &str) -> bool {
    ([
        "pip install",
        "pip3 install",
        "uv pip install",
        "uv pip sync",
    ]
    .iter()
    .any(|p| run.contains(p))
        || crate::detect::deps::ALL
            .iter()
            .flat_map(|m| m.lint.install_commands())
            .any(|p| run.contains(&p)))
        && !run.contains("pip install --upgrade pip")
}

/// The shell commands of a RUN split at `&&`, `||`, `;` and newlines, each as words.
pub fn commands(text: &str) -> Vec<Vec<String>> {
    text.split(['\n', ';'])
        .flat_map(|s| s.split("&&"))
        .flat_map(|s| s.split("||"))
        .map(|s| {
            // A shell comment ends the command.
            let mut w = crate::dockerfile::shell_words(s);
            if let Some(c) = w.iter().position(|x| x.starts_with('#')) {
                w.truncate(c);
            }
            w
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Dockerfiles that are not for development only (`Dockerfile.dev`, `compose/local/...`
/// are skipped by the rules about what runs in production).
pub fn deployed_dockerfiles(
    ctx: &Context,
) -> impl Iterator<Item = &(String, crate::dockerfile::Dockerfile)> {
    ctx.dockerfiles
        .iter()
        .filter(|(p, _)| super::compose::role(p) != Role::Development)
}

/// Compose files for production (by name: `*prod*`, `*deploy*`, `*stack*`).
pub fn production(ctx: &Context) -> impl Iterator<Item = (&str, &ComposeFile)> {
    ctx.compose
        .iter()
        .filter(|(_, c)| c.role == Role::Production)
        .map(|(p, c)| (p.as_str(), c))
}

/// Why a compose file is held to production rules, for the findings that only apply
/// outside development: said for a file whose name says nothing (a production name
/// speaks for itself).
pub fn role_help(file: &str, c: &ComposeFile) -> Option<String> {
    (c.role == Role::Default).then(|| {
        format!(
            "{file} is read as a production file: neither its name nor its content (a `manage.py runserver` command, a source bind mount, a development build target or settings) says development; if it is for development, name it so (`compose.dev.yaml`, `docker-compose.override.yml`)"
        )
    })
}

/// Compose files that are not for development only (production and the default file).
pub fn not_dev(ctx: &Context) -> impl Iterator<Item = (&str, &ComposeFile)> {
    ctx.compose
        .iter()
        .filter(|(_, c)| c.role != Role::Development)
        .map(|(p, c)| (p.as_str(), c))
}

/// Is the final image a server djship does not build the app into (nginx, a database,
/// a proxy)? Rules about the Django app's image skip those.
pub fn is_infrastructure_image(df: &crate::dockerfile::Dockerfile) -> bool {
    let Some(stage) = df.stages.last() else {
        return false;
    };
    let base = stage.base.rsplit('/').next().unwrap_or(&stage.base);
    let name = base.split([':', '@']).next().unwrap_or(base);
    super::compose::database_image(&stage.base).is_some()
        || matches!(
            name,
            "nginx"
                | "nginx-unprivileged"
                | "httpd"
                | "caddy"
                | "traefik"
                | "haproxy"
                | "envoy"
                | "varnish"
        )
}

/// An environment variable set for what runs in production: by `ENV` in a deployed
/// Dockerfile's final stage, or in a production compose service's `environment:`.
pub struct EnvSetting<'a> {
    pub file: &'a str,
    /// `None` for a Dockerfile, the service's name for compose.
    pub service: Option<&'a str>,
    pub key: String,
    pub value: String,
    /// Where the variable is set.
    pub range: std::ops::Range<usize>,
}

pub fn production_env(ctx: &Context) -> Vec<EnvSetting<'_>> {
    let mut out = Vec::new();
    for (file, df) in deployed_dockerfiles(ctx) {
        for i in df.stage(df.final_stage()).filter(|i| i.keyword == "ENV") {
            for (key, value) in crate::dockerfile::assignments(&i.args) {
                if let Some(value) = value {
                    let range = ctx.src(file).find(i.line, i.end_line, &key);
                    out.push(EnvSetting {
                        file,
                        service: None,
                        key,
                        value,
                        range,
                    });
                }
            }
        }
    }
    for (file, c) in production(ctx) {
        for (name, _, svc) in c.services() {
            let pairs = svc
                .get("environment")
                .map(|e| e.env_pairs())
                .unwrap_or_default();
            for (key, value, range) in pairs {
                if let Some(value) = value {
                    out.push(EnvSetting {
                        file,
                        service: Some(name),
                        key,
                        value,
                        range,
                    });
                }
            }
        }
    }
    out
}

/// Is a compose `ports:` entry published on every interface (not bound to loopback)?
pub fn published_on_all_interfaces(entry: &Node) -> bool {
    let s = entry
        .as_str()
        .map(String::from)
        .or_else(|| {
            entry
                .get("host_ip")
                .and_then(Node::as_str)
                .map(|h| format!("{h}:"))
        })
        .unwrap_or_default();
    !(s.starts_with("127.0.0.1:") || s.starts_with("localhost:") || s.starts_with("[::1]:"))
}

/// `image:` of the services that are not built here (the image they run as published),
/// with a literal name: (file, service, node, image).
pub fn service_images(ctx: &Context) -> Vec<(&str, &str, &Node, &str)> {
    let mut out = Vec::new();
    for (file, c) in &ctx.compose {
        for (name, _, svc) in c.services() {
            let Some(node) = svc.get("image") else {
                continue;
            };
            let Some(img) = node.as_str() else { continue };
            if !is_built(svc) && !img.contains('$') && !img.contains('@') {
                out.push((file.as_str(), name, node, img));
            }
        }
    }
    out
}

/// A service's image, when it names one.
pub fn image(svc: &Node) -> Option<&str> {
    svc.get("image").and_then(Node::as_str)
}

/// Is this a database or cache service (by its image)?
pub fn is_database(svc: &Node) -> bool {
    image(svc).is_some_and(|i| super::compose::database_image(i).is_some())
}

/// Is a service built from the project (has `build:`)?
pub fn is_built(svc: &Node) -> bool {
    svc.get("build").is_some()
}

/// Replicas a service runs with: `deploy.replicas`, `scale`, or many for `mode: global`.
pub fn replicas(svc: &Node) -> Option<(u32, &Node)> {
    let deploy = svc.get("deploy");
    if let Some(n) = deploy.and_then(|d| d.get("replicas")) {
        return n.as_str().and_then(|s| s.parse().ok()).map(|r| (r, n));
    }
    if let Some(n) = deploy.and_then(|d| d.get("mode")) {
        if n.as_str() == Some("global") {
            return Some((u32::MAX, n));
        }
    }
    svc.get("scale")
        .and_then(|n| n.as_str().and_then(|s| s.parse().ok()).map(|r| (r, n)))
}

/// The Dockerfile a built service uses (`build: .`, `build: {context, dockerfile}`),
/// among the context's Dockerfiles.
pub fn dockerfile_of<'a>(
    ctx: &'a Context,
    svc: &Node,
) -> Option<&'a (String, crate::dockerfile::Dockerfile)> {
    let build = svc.get("build")?;
    let (context, file) = match build.as_str() {
        Some(c) => (c.to_string(), "Dockerfile".to_string()),
        None => (
            build
                .get("context")
                .and_then(Node::as_str)
                .unwrap_or(".")
                .to_string(),
            build
                .get("dockerfile")
                .and_then(Node::as_str)
                .unwrap_or("Dockerfile")
                .to_string(),
        ),
    };
    let context = context.trim_start_matches("./").trim_end_matches('/');
    let path = if context.is_empty() || context == "." {
        file
    } else {
        format!("{context}/{file}")
    };
    let path = path.trim_start_matches("./").to_string();
    ctx.dockerfiles.iter().find(|(p, _)| *p == path)
}

/// The command words of the final stage's ENTRYPOINT and CMD, ARG/ENV expanded.
pub fn final_command(df: &crate::dockerfile::Dockerfile) -> (Vec<String>, Option<&Instruction>) {
    let last = df.final_stage();
    let mut words = Vec::new();
    let mut at = None;
    for kw in ["ENTRYPOINT", "CMD"] {
        if let Some((n, i)) = df
            .instructions
            .iter()
            .enumerate()
            .rfind(|(_, i)| i.stage == last && i.keyword == kw)
        {
            words.extend(i.words().iter().map(|w| df.expand(n, w)));
            at = Some(i);
        }
    }
    (words, at)
}

#[cfg(test)]
mod tests {
    use super::{installs, ALL};

    /// The settings checks and their lint rules are one list: each check in the registry is
    /// exactly one rule with its code, name and severity, and no settings rule lacks a check.
    #[test]
    fn every_settings_check_is_one_lint_rule() {
        for c in crate::checks::ALL {
            let rules: Vec<_> = ALL.iter().filter(|r| r.code == c.code).collect();
            assert_eq!(rules.len(), 1, "{}: {} lint rules", c.code, rules.len());
            let r = rules[0];
            assert_eq!(
                (r.name, r.severity, r.doc),
                (c.name, c.severity, c.doc),
                "{}",
                c.code
            );
        }
        for r in ALL.iter().filter(|r| r.code.starts_with("DJS")) {
            assert!(
                crate::checks::ALL.iter().any(|c| c.code == r.code),
                "{} is a settings rule without a check in crate::checks::ALL",
                r.code
            );
        }
    }

    #[test]
    fn installs_knows_every_managers_install_commands() {
        for run in [
            "pip install -r requirements.txt",
            "uv pip sync requirements.txt",
            "uv sync --locked",
            "poetry install --no-root",
            "poetry sync --only main",
            "pdm sync --prod",
            "pipenv install --deploy --system",
        ] {
            assert!(installs(run), "{run}");
        }
        // Near misses: a manager's other commands, and upgrading pip itself.
        for run in [
            "poetry lock",
            "uv lock",
            "pdm export -o requirements.txt",
            "pipenv requirements > r.txt",
            "pip install --upgrade pip",
        ] {
            assert!(!installs(run), "{run}");
        }
    }
}

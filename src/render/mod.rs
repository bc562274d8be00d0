//! Templates to file contents. Pure: reads the plan, returns text.
//!
//! Templates are embedded; a project overrides any of them by putting a file of the same
//! name (e.g. `Dockerfile.j2`) in the folder named by `templates` in its djship config.

use crate::error::{Error, Result};
use crate::plan::{Plan, UV_VERSION};
use minijinja::{Environment, Value as JValue};
use serde::Serialize;
use std::path::Path;

/// (template name, output path, Unix mode)
pub const TEMPLATES: &[(&str, &str, u32)] = &[
    ("Dockerfile.j2", "Dockerfile", 0o644),
    ("dockerignore.j2", ".dockerignore", 0o644),
    ("compose.yaml.j2", "compose.yaml", 0o644),
    ("compose.prod.yaml.j2", "compose.prod.yaml", 0o644),
    ("entrypoint.sh.j2", "docker/entrypoint.sh", 0o755),
    ("wait_for_db.py.j2", "docker/wait_for_db.py", 0o644),
    ("healthcheck.py.j2", "docker/healthcheck.py", 0o644),
    ("nginx.conf.j2", "docker/nginx/default.conf", 0o644),
    ("env.example.j2", ".env.example", 0o644),
    ("env.j2", ".env", 0o600),
];

const EMBEDDED: &[(&str, &str)] = &[
    ("Dockerfile.j2", include_str!("templates/Dockerfile.j2")),
    ("dockerignore.j2", include_str!("templates/dockerignore.j2")),
    ("compose.yaml.j2", include_str!("templates/compose.yaml.j2")),
    (
        "compose.prod.yaml.j2",
        include_str!("templates/compose.prod.yaml.j2"),
    ),
    (
        "entrypoint.sh.j2",
        include_str!("templates/entrypoint.sh.j2"),
    ),
    (
        "wait_for_db.py.j2",
        include_str!("templates/wait_for_db.py.j2"),
    ),
    (
        "healthcheck.py.j2",
        include_str!("templates/healthcheck.py.j2"),
    ),
    ("nginx.conf.j2", include_str!("templates/nginx.conf.j2")),
    ("env.example.j2", include_str!("templates/env.example.j2")),
    ("env.j2", include_str!("templates/env.j2")),
];

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub path: String,
    pub content: String,
    pub mode: u32,
}

/// A variable of the final .env, with its value resolved.
#[derive(Debug, Clone, Serialize)]
pub struct EnvValue {
    pub name: String,
    pub value: Option<String>,
}

fn environment(template_dir: Option<&Path>) -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    // JSON (valid in YAML and Dockerfile exec form), with `, ` between list items.
    env.add_filter("json", |v: JValue| -> String {
        let one = |v: &JValue| serde_json::to_string(v).unwrap_or_else(|_| "null".into());
        match v.try_iter() {
            Ok(items) if v.kind() == minijinja::value::ValueKind::Seq => {
                format!(
                    "[{}]",
                    items.map(|i| one(&i)).collect::<Vec<_>>().join(", ")
                )
            }
            _ => one(&v),
        }
    });
    env.add_filter("sh", |s: String| crate::plan::shell_quote(&s));
    for (name, text) in EMBEDDED {
        let custom = template_dir.map(|d| d.join(name)).filter(|p| p.is_file());
        let source = match custom {
            Some(p) => std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?,
            None => text.to_string(),
        };
        env.add_template_owned(name.to_string(), source)
            .map_err(|e| Error::Invalid {
                path: template_dir
                    .map(|d| d.join(name))
                    .unwrap_or_else(|| name.into()),
                message: format!("template does not parse: {e}"),
                hint: "fix the template or remove it to use djship's own".into(),
            })?;
    }
    Ok(env)
}

/// Render every file of the plan. `env_values` are the resolved .env entries.
pub fn render(
    plan: &Plan,
    env_values: &[EnvValue],
    template_dir: Option<&Path>,
) -> Result<Vec<Rendered>> {
    let env = environment(template_dir)?;
    let rel = |p: &str| p.strip_prefix("/app/").unwrap_or(p).to_string();
    let ctx = minijinja::context! {
        plan => plan,
        version => env!("CARGO_PKG_VERSION"),
        uv_version => UV_VERSION,
        env => env_values,
        health_path => "/",
        hashed_static => plan.paths.hashed_static,
        media_dir => format!("/{}", rel(&plan.paths.media_root)),
        static_dir => format!("/{}", rel(&plan.paths.static_root)),
        frontend_mounts => frontend_mounts(plan),
        frontend_env => frontend_env(plan),
        because_build => because(plan, true),
        because_run => because(plan, false),
    };
    TEMPLATES
        .iter()
        .map(|(name, path, mode)| {
            let t = env
                .get_template(name)
                .map_err(|e| template_error(name, template_dir, e))?;
            let content = t
                .render(&ctx)
                .map_err(|e| template_error(name, template_dir, e))?;
            Ok(Rendered {
                path: path.to_string(),
                content: tidy(&content),
                mode: *mode,
            })
        })
        .collect()
}

fn template_error(name: &str, dir: Option<&Path>, e: minijinja::Error) -> Error {
    Error::Invalid {
        path: dir.map(|d| d.join(name)).unwrap_or_else(|| name.into()),
        message: format!("template failed to render: {e}"),
        hint: "fix the template or remove it to use djship's own".into(),
    }
}

/// The `--mount` flags of the frontend stage's steps: its caches, and the CA bundle.
fn frontend_mounts(plan: &Plan) -> Vec<String> {
    let Some(f) = &plan.frontend else {
        return Vec::new();
    };
    let mut m: Vec<String> = f
        .cache
        .iter()
        .map(|c| format!("--mount=type=cache,target={c}"))
        .collect();
    if let Some(ca) = &plan.ca_cert {
        m.push(format!(
            "--mount=type=bind,source={ca},target=/run/djship-ca.pem"
        ));
    }
    m
}

/// `NAME=value` of the frontend stage's ENV; with `--ca-cert`, Node trusts the bundle too.
fn frontend_env(plan: &Plan) -> Vec<String> {
    let Some(f) = &plan.frontend else {
        return Vec::new();
    };
    let mut e: Vec<String> = f.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if plan.ca_cert.is_some() {
        e.push("NODE_EXTRA_CA_CERTS=/run/djship-ca.pem".into());
    }
    e
}

/// Which packages asked for the build or run libraries, for comments.
fn because(plan: &Plan, build: bool) -> Vec<String> {
    plan.native_because
        .iter()
        .filter(|r| {
            if build {
                !r.build.is_empty()
            } else {
                !r.run.is_empty()
            }
        })
        .map(|r| r.package.clone())
        .collect()
}

/// No trailing spaces, at most one blank line in a row, one final newline.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    let trimmed = out.trim_end_matches('\n');
    format!("{trimmed}\n")
}

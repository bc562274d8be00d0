//! Templates to file contents. Pure: reads the plan, returns text.
//!
//! Templates are embedded by the target that owns them; a project overrides any of them by
//! putting a file of the same name (e.g. `Dockerfile.j2`) in the folder named by `templates`
//! in its djship config.

use crate::error::{Error, Result};
use crate::plan::secrets::EnvValue;
use crate::plan::tls::TlsFiles;
use crate::plan::{Plan, UV_VERSION};
use minijinja::{Environment, Value as JValue};
use std::path::{Path, PathBuf};

/// Every embedded template: (name, text). Names are unique across targets.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "Dockerfile.j2",
        include_str!("common/templates/Dockerfile.j2"),
    ),
    (
        "dockerignore.j2",
        include_str!("common/templates/dockerignore.j2"),
    ),
    (
        "entrypoint.sh.j2",
        include_str!("common/templates/entrypoint.sh.j2"),
    ),
    (
        "wait_for_db.py.j2",
        include_str!("common/templates/wait_for_db.py.j2"),
    ),
    (
        "healthcheck.py.j2",
        include_str!("common/templates/healthcheck.py.j2"),
    ),
    (
        "env.example.j2",
        include_str!("common/templates/env.example.j2"),
    ),
    ("env.j2", include_str!("common/templates/env.j2")),
    (
        "nginx-logging.j2",
        include_str!("common/templates/nginx-logging.j2"),
    ),
    (
        "gunicorn.conf.py.j2",
        include_str!("common/templates/gunicorn.conf.py.j2"),
    ),
    (
        "djship_logging.py.j2",
        include_str!("common/templates/djship_logging.py.j2"),
    ),
    (
        "swarm-stack.yaml.j2",
        include_str!("swarm/templates/swarm-stack.yaml.j2"),
    ),
    (
        "swarm-settings.py.j2",
        include_str!("swarm/templates/swarm-settings.py.j2"),
    ),
    (
        "compose.yaml.j2",
        include_str!("compose/templates/compose.yaml.j2"),
    ),
    (
        "compose.prod.yaml.j2",
        include_str!("compose/templates/compose.prod.yaml.j2"),
    ),
    (
        "nginx.conf.j2",
        include_str!("compose/templates/nginx.conf.j2"),
    ),
    (
        "ci-github.yml.j2",
        include_str!("ci/templates/ci-github.yml.j2"),
    ),
    (
        "ci-gitlab.yml.j2",
        include_str!("ci/templates/ci-gitlab.yml.j2"),
    ),
    (
        "ci-jenkins.groovy.j2",
        include_str!("ci/templates/ci-jenkins.groovy.j2"),
    ),
    (
        "prometheus.yml.j2",
        include_str!("compose/templates/prometheus.yml.j2"),
    ),
    (
        "prometheus-alerts.yml.j2",
        include_str!("compose/templates/prometheus-alerts.yml.j2"),
    ),
    ("loki.yml.j2", include_str!("compose/templates/loki.yml.j2")),
    (
        "vector.yaml.j2",
        include_str!("compose/templates/vector.yaml.j2"),
    ),
    (
        "alertmanager.yml.j2",
        include_str!("compose/templates/alertmanager.yml.j2"),
    ),
    (
        "grafana-datasource.yml.j2",
        include_str!("compose/templates/grafana-datasource.yml.j2"),
    ),
    (
        "grafana-dashboards.yml.j2",
        include_str!("compose/templates/grafana-dashboards.yml.j2"),
    ),
    (
        "grafana-django-dashboard.json.j2",
        include_str!("compose/templates/grafana-django-dashboard.json.j2"),
    ),
    (
        "k8s-config.yaml.j2",
        include_str!("k8s/templates/k8s-config.yaml.j2"),
    ),
    (
        "k8s-database.yaml.j2",
        include_str!("k8s/templates/k8s-database.yaml.j2"),
    ),
    (
        "k8s-gitignore.j2",
        include_str!("k8s/templates/k8s-gitignore.j2"),
    ),
    (
        "k8s-hpa.yaml.j2",
        include_str!("k8s/templates/k8s-hpa.yaml.j2"),
    ),
    (
        "k8s-ingress.yaml.j2",
        include_str!("k8s/templates/k8s-ingress.yaml.j2"),
    ),
    (
        "k8s-kustomization-base.yaml.j2",
        include_str!("k8s/templates/k8s-kustomization-base.yaml.j2"),
    ),
    (
        "k8s-kustomization-data.yaml.j2",
        include_str!("k8s/templates/k8s-kustomization-data.yaml.j2"),
    ),
    (
        "k8s-kustomization-production.yaml.j2",
        include_str!("k8s/templates/k8s-kustomization-production.yaml.j2"),
    ),
    ("k8s-macros.j2", include_str!("k8s/templates/k8s-macros.j2")),
    (
        "k8s-media.yaml.j2",
        include_str!("k8s/templates/k8s-media.yaml.j2"),
    ),
    (
        "k8s-migrate.yaml.j2",
        include_str!("k8s/templates/k8s-migrate.yaml.j2"),
    ),
    (
        "k8s-namespace.yaml.j2",
        include_str!("k8s/templates/k8s-namespace.yaml.j2"),
    ),
    (
        "k8s-networkpolicy.yaml.j2",
        include_str!("k8s/templates/k8s-networkpolicy.yaml.j2"),
    ),
    (
        "k8s-nginx.yaml.j2",
        include_str!("k8s/templates/k8s-nginx.yaml.j2"),
    ),
    (
        "k8s-pdb.yaml.j2",
        include_str!("k8s/templates/k8s-pdb.yaml.j2"),
    ),
    (
        "k8s-redis.yaml.j2",
        include_str!("k8s/templates/k8s-redis.yaml.j2"),
    ),
    (
        "k8s-service.yaml.j2",
        include_str!("k8s/templates/k8s-service.yaml.j2"),
    ),
    (
        "k8s-web.yaml.j2",
        include_str!("k8s/templates/k8s-web.yaml.j2"),
    ),
    (
        "k8s-worker.yaml.j2",
        include_str!("k8s/templates/k8s-worker.yaml.j2"),
    ),
];

/// The templates, with the project's overrides, and the resolved environment values.
pub struct Templates {
    env: Environment<'static>,
    values: Vec<EnvValue>,
    tls: Option<TlsFiles>,
    dir: Option<PathBuf>,
}

impl Templates {
    pub fn new(
        template_dir: Option<&Path>,
        values: &[EnvValue],
        tls: Option<TlsFiles>,
    ) -> Result<Templates> {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        // JSON (valid in YAML and Dockerfile exec form), with `, ` between list items.
        env.add_filter("json", json);
        // Indented JSON, for whole JSON files (Grafana's dashboards).
        env.add_filter("pretty_json", |v: JValue| {
            serde_json::to_string_pretty(&v).unwrap_or_else(|_| "null".into())
        });
        env.add_filter("sh", |s: String| crate::shell::quote(&s));
        // An exec-form command as one shell line.
        env.add_filter("shline", |v: Vec<String>| {
            v.iter()
                .map(|a| crate::shell::quote(a))
                .collect::<Vec<_>>()
                .join(" ")
        });
        // Every line but the first indented (a block under a YAML key or a Groovy step).
        env.add_filter("ind", |s: String, n: usize| super::ci::indent(&s, n));
        // Text inside a Groovy '''string''': backslashes escaped (`$` is literal there).
        env.add_filter("groovy", |s: String| {
            s.replace('\\', "\\\\").replace("'''", "\\'\\'\\'")
        });
        // Text inside a Groovy 'string': backslashes and quotes escaped.
        env.add_filter("groovy1", |s: String| {
            s.replace('\\', "\\\\").replace('\'', "\\'")
        });
        // Compose interpolates `$`: a literal dollar is written `$$`.
        env.add_filter("compose", |v: JValue| -> JValue { compose_escape(v) });
        // A command (argv) as Docker's healthcheck test: `sh -c LINE` as CMD-SHELL.
        env.add_filter("docker_test", |argv: Vec<String>| -> Vec<String> {
            docker_test(&argv)
        });
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
        Ok(Templates {
            env,
            values: values.to_vec(),
            tls,
            dir: template_dir.map(Path::to_path_buf),
        })
    }

    /// Render the template `name` with the plan.
    /// The self-signed pair resolved for this run (none with the user's files or no TLS).
    pub fn tls(&self) -> Option<&TlsFiles> {
        self.tls.as_ref()
    }

    pub fn render(&self, name: &str, plan: &Plan) -> Result<String> {
        self.render_with(name, plan, JValue::UNDEFINED)
    }

    /// The resolved environment values (.env's, secrets included).
    pub fn values(&self) -> &[EnvValue] {
        &self.values
    }

    /// Render the template `name` with the plan and a target's own derived values as
    /// `target` (formats and names the plan does not know, e.g. Kubernetes' host rules).
    pub fn render_with(&self, name: &str, plan: &Plan, target: JValue) -> Result<String> {
        let rel = |p: &str| p.strip_prefix("/app/").unwrap_or(p).to_string();
        let ctx = minijinja::context! {
            target => target,
            plan => plan,
            version => env!("CARGO_PKG_VERSION"),
            uv_version => UV_VERSION,
            env => &self.values,
            health_path => "/",
            hashed_static => plan.paths.hashed_static,
            tls => plan.deploy.tls,
            hsts => hsts(plan),
            http2_on => nginx_has_http2_directive(&plan.images.nginx),
            media_dir => format!("/{}", rel(&plan.paths.media_root)),
            static_dir => format!("/{}", rel(&plan.paths.static_root)),
            frontend_mounts => frontend_mounts(plan),
            frontend_env => frontend_env(plan),
            because_build => because(plan, true),
            because_run => because(plan, false),
            procs => plan
                .processes
                .iter()
                .map(|p| (p.name.as_str(), p))
                .collect::<std::collections::BTreeMap<_, _>>(),
        };
        let t = self
            .env
            .get_template(name)
            .map_err(|e| template_error(name, self.dir.as_deref(), e))?;
        let content = t
            .render(&ctx)
            .map_err(|e| template_error(name, self.dir.as_deref(), e))?;
        Ok(tidy(&content))
    }
}

/// HSTS is sent once the site has a real name: on loopback names alone it would pin every
/// other local development server of the browser to HTTPS for as long as it lasts.
fn hsts(plan: &Plan) -> bool {
    plan.deploy.tls.is_some()
        && plan
            .deploy
            .hosts
            .iter()
            .any(|h| !(h == "localhost" || h.ends_with(".localhost") || h.starts_with("127.")))
}

/// nginx 1.25.1 replaced `listen ... http2` with the `http2` directive. An image whose tag
/// names no version gets the older form, which every version since 1.9.5 accepts.
pub fn nginx_has_http2_directive(image: &str) -> bool {
    let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or("");
    let mut parts = tag
        .split(|c: char| !c.is_ascii_digit())
        .take_while(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    match (parts.next(), parts.next(), parts.next()) {
        (Some(1), Some(minor), patch) => minor > 25 || (minor == 25 && patch.unwrap_or(0) >= 1),
        (Some(major), Some(_), _) => major > 1,
        _ => false,
    }
}

fn json(v: JValue) -> String {
    let one = |v: &JValue| serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    let listed = matches!(
        v.kind(),
        minijinja::value::ValueKind::Seq | minijinja::value::ValueKind::Iterable
    );
    match v.try_iter() {
        Ok(items) if listed => {
            format!(
                "[{}]",
                items.map(|i| one(&i)).collect::<Vec<_>>().join(", ")
            )
        }
        _ => one(&v),
    }
}

/// `$` doubled in a string, or in every string of a list.
fn compose_escape(v: JValue) -> JValue {
    if let Some(s) = v.as_str() {
        return JValue::from(s.replace('$', "$$"));
    }
    let listed = matches!(
        v.kind(),
        minijinja::value::ValueKind::Seq | minijinja::value::ValueKind::Iterable
    );
    match v.try_iter() {
        Ok(items) if listed => JValue::from(items.map(compose_escape).collect::<Vec<_>>()),
        _ => v,
    }
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
            "--mount=type=bind,source={},target=/run/djship-ca.pem",
            ca.path
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

/// A command (argv) as Docker's healthcheck test: `["CMD-SHELL", LINE]` for `sh -c LINE`,
/// else `["CMD", ...argv]`.
pub fn docker_test(argv: &[String]) -> Vec<String> {
    match argv {
        [sh, c, line] if sh == "sh" && c == "-c" => vec!["CMD-SHELL".into(), line.clone()],
        _ => std::iter::once("CMD".to_string())
            .chain(argv.iter().cloned())
            .collect(),
    }
}

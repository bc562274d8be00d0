//! Every decision djship makes, as one serializable value (`djship inspect --json` prints it).
//! Templates only read the plan; they decide nothing.

pub mod env;
mod frontend;
pub mod observe;
pub mod patch;
pub mod process;
pub mod secrets;
pub mod testing;
pub mod tls;

use crate::detect::deps::{InstallInput, Manager};
use crate::detect::frontend::NODE_LTS;
use crate::detect::{DbKind, Facts};
use crate::options::Options;
use crate::shell::quote as shell_quote;
use env::EnvPlan;
use serde::Serialize;

/// Versions of the tools the generated setup installs itself. Bumped by hand, tested end to end.
pub const UV_VERSION: &str = "0.13.9";
pub const GUNICORN: &str = "gunicorn==27.0.1";
pub const UVICORN: &str = "uvicorn[standard]==0.54.0";
pub const PSYCOPG: &str = "psycopg[binary]==3.3.9";
/// The three above need Python 3.10 (their Requires-Python); on 3.8 and 3.9 the last
/// releases that install there (all with wheels for 3.8 and 3.9).
pub const GUNICORN_PY38: &str = "gunicorn==23.0.0";
pub const UVICORN_PY38: &str = "uvicorn[standard]==0.33.0";
pub const PSYCOPG_PY38: &str = "psycopg[binary]==3.2.13";
/// Django before 4.2 has no psycopg 3 backend: psycopg2, with wheels for CPython 3.8 to
/// 3.13 (every Python Django 3.1 to 4.1 supports)...
pub const PSYCOPG2: &str = "psycopg2-binary==2.9.10";
/// ...and for Django 2.2 and 3.0, which fail with psycopg2 2.9 ("database connection isn't
/// set to UTC"), the last 2.8 (wheels for CPython 3.5 to 3.9, all Django 3.0 supports).
pub const PSYCOPG2_DJANGO_30: &str = "psycopg2-binary==2.8.6";
// The dependency managers' tools (Poetry, PDM, Pipenv) are pinned in their units,
// src/detect/deps/.

/// Where `--ca-cert` puts the CA bundle in the build context.
pub const CA_CERT_PATH: &str = "docker/ca-cert.pem";

/// The container's non-root user.
pub const APP_UID: u32 = 10001;

#[derive(Debug, Clone, Serialize)]
pub struct Images {
    pub python: String,
    pub postgres: String,
    pub mariadb: String,
    pub nginx: String,
    pub redis: String,
    /// Base of the frontend build stage (used only when there is one).
    pub node: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Server {
    /// gunicorn, uvicorn or daphne.
    pub kind: String,
    /// `module:attribute` the server loads.
    pub target: String,
    /// Exec-form command.
    pub command: Vec<String>,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExtraPackage {
    pub requirement: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Install {
    pub manager: Option<&'static Manager>,
    /// Build constraints for old sdists that need older build tools: each is installed
    /// first, alone, with its constraint (`uv pip install --build-constraints`).
    pub build_constraints: Vec<crate::detect::wheels::BuildConstraint>,
    /// Dependency files copied into the builder before the code (layer caching).
    pub copy: Vec<String>,
    /// Shell lines of the builder's install RUN (after the venv exists).
    pub commands: Vec<String>,
    pub extra: Vec<ExtraPackage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Database {
    pub kind: DbEngine,
    /// The service's name (the host Django connects to).
    pub service: String,
    pub image: String,
    /// Path of the data inside the database container.
    pub data_dir: String,
    /// The command (argv, run in the database's container; `sh -c LINE` for a shell line)
    /// that exits 0 once the database accepts connections. Each target writes it in its
    /// own form: a compose healthcheck, a Kubernetes probe, a CI wait loop.
    pub ready: Vec<String>,
}

/// The database server the stack runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DbEngine {
    Postgresql,
    Mariadb,
}

#[derive(Debug, Clone, Serialize)]
pub struct Celery {
    pub app: String,
    pub beat: bool,
}

/// The Node stage that builds the frontend; the runtime stage takes its outputs only.
#[derive(Debug, Clone, Serialize)]
pub struct FrontendStage {
    /// The package's folder in the stage (`/app/frontend`).
    pub workdir: String,
    /// Files copied before the install (layer caching), relative to the root.
    pub copy: Vec<String>,
    /// BuildKit cache mounts of the install and build steps.
    pub cache: Vec<String>,
    /// Environment of the stage.
    pub env: Vec<(String, String)>,
    /// Shell commands of the install step.
    pub install: Vec<String>,
    /// Shell commands of the build step (empty: the stage only installs).
    pub build: Vec<String>,
    /// What the runtime stage copies from this stage, before collectstatic.
    pub copies: Vec<StageCopy>,
    /// Nothing says where the build writes: the runtime takes the stage's whole /app
    /// (node_modules moved out) instead of the build context.
    pub whole_tree: bool,
    /// Kept out of the build context: the outputs of a local build (.gitignore ignores them).
    pub dockerignore: Vec<String>,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageCopy {
    /// Path in the frontend stage.
    pub from: String,
    /// Path in the runtime stage.
    pub to: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Paths {
    /// STATIC_URL as nginx serves it (leading and trailing slash).
    pub static_url: String,
    pub static_root: String,
    pub media_url: String,
    pub media_root: String,
    /// Other folders the app writes at run time (a file-based cache), made the app user's.
    pub writable_dirs: Vec<String>,
    /// Static file names carry a content hash (manifest storage): cacheable forever.
    pub hashed_static: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Compose project name and image name.
    pub name: String,
    pub python_version: String,
    pub images: Images,
    /// Working directory in the image: /app, or the manage.py folder under it.
    pub workdir: String,
    pub settings_production: String,
    pub settings_development: String,
    pub server: Server,
    pub install: Install,
    /// The frontend build stage; absent when the image needs no Node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frontend: Option<FrontendStage>,
    pub build_packages: Vec<String>,
    pub run_packages: Vec<String>,
    /// Which package asked for which native libraries.
    pub native_because: Vec<crate::detect::native::NativeReason>,
    pub database: Option<Database>,
    pub redis: bool,
    pub celery: Option<Celery>,
    /// What runs: the web server, Celery's worker and beat, and the release task.
    pub processes: Vec<process::Process>,
    pub paths: Paths,
    pub env: EnvPlan,
    /// manage.py commands run after collectstatic at build time.
    pub post_collect: Vec<String>,
    pub port: u16,
    pub uid: u32,
    /// Decisions worth telling, one sentence each.
    pub notes: Vec<String>,
    /// CA bundle in the build context trusted by the build steps that download (`--ca-cert`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<CaBundle>,
    /// The settings change `--patch-settings` makes (absent without the flag); the facts
    /// are those of the patched settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings_patch: Option<patch::SettingsPatch>,
    /// The production settings file's text once patched.
    #[serde(skip)]
    pub patched_settings: Option<String>,
    /// How the production targets run it: host names, HTTPS, image, replicas, resources.
    pub deploy: crate::options::deploy::Deploy,
    /// How the project's tests run (the CI pipelines run them in the built image).
    pub tests: testing::Tests,
    /// JSON log lines with request IDs, one access log (nginx's), rotation.
    pub logging: observe::Logging,
    /// Prometheus, exporters and Grafana (`--monitoring`); absent without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<observe::Monitoring>,
}

/// The CA bundle of `--ca-cert`, copied into the build context.
#[derive(Debug, Clone)]
pub struct CaBundle {
    /// Where it goes in the build context.
    pub path: String,
    pub pem: String,
}

/// Shown as its path in the build context (the certificates are not printed).
impl Serialize for CaBundle {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.path)
    }
}

fn url_path(url: Option<&str>, default: &str) -> String {
    let u = url.unwrap_or(default).trim();
    // Absolute URLs (a CDN) are not served by nginx: keep the default path for local files.
    if u.contains("://") || u.is_empty() {
        return default.to_string();
    }
    let u = u.trim_matches('/');
    if u.is_empty() {
        return default.to_string();
    }
    format!("/{u}/")
}

/// The server and driver releases djship adds, for a Python and a Django version.
fn tool_pins(python: &str, django: Option<&str>) -> (&'static str, &'static str, &'static str) {
    let minor: u32 = python
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(99);
    let django = django.and_then(crate::contain::version);
    let older = |v: &str| {
        django
            .as_ref()
            .is_some_and(|d| crate::contain::version(v).is_some_and(|v| *d < v))
    };
    let driver = if older("3.1") {
        PSYCOPG2_DJANGO_30
    } else if older("4.2") {
        PSYCOPG2
    } else if minor < 10 {
        PSYCOPG_PY38
    } else {
        PSYCOPG
    };
    if minor < 10 {
        (GUNICORN_PY38, UVICORN_PY38, driver)
    } else {
        (GUNICORN, UVICORN, driver)
    }
}

/// The plan for the project the facts describe. `patched` is the `--patch-settings` change
/// and the settings text it makes (the facts were read from that text).
/// `monitoring`: asked for, or kept from an earlier run (the settings have its block).
pub fn build(
    facts: &Facts,
    o: &Options,
    monitoring: bool,
    patched: Option<(patch::SettingsPatch, String)>,
) -> Plan {
    let port: u16 = 8000;
    let mut notes = Vec::new();
    // The Python of the image the user chose, when its tag says (python:3.12-slim): the
    // pins below must install on it, whatever the project's own files allow.
    let chosen = o.images.python.as_deref().and_then(image_python_version);
    let py = match chosen {
        Some(v) if v != facts.python.version => {
            notes.push(format!(
                "the Python image {} is Python {v}; the project's files gave {} ({}): the tool pins are chosen for {v}",
                o.images.python.as_deref().unwrap_or_default(),
                facts.python.version,
                facts.python.source
            ));
            v
        }
        _ => facts.python.version.clone(),
    };
    let (gunicorn, uvicorn, driver) =
        tool_pins(&py, facts.django.as_ref().map(|d| d.value.as_str()));
    let images = images(facts, o);
    let workdir = if facts.manage_dir.is_empty() {
        "/app".to_string()
    } else {
        format!("/app/{}", facts.manage_dir)
    };
    let deps = &facts.dependencies;
    let mut extra = Vec::new();

    let server = server(facts, port, gunicorn, uvicorn, &mut extra);
    let monitoring = observe::monitoring(facts, o, monitoring, &server, &mut notes);
    if monitoring.is_some() && !deps.has("django-prometheus") {
        extra.push(ExtraPackage {
            requirement: observe::DJANGO_PROMETHEUS.into(),
            why: "the metrics of --monitoring; the project does not declare it".into(),
        });
    }

    let database = database(
        facts,
        &images,
        driver,
        patched.is_some(),
        &mut notes,
        &mut extra,
    );

    if facts.imports_pkg_resources && !deps.has("setuptools") {
        extra.push(ExtraPackage {
            requirement: "setuptools<81".into(),
            why: "the settings import pkg_resources, which comes with setuptools (below 81, which drops it); a virtualenv made by uv has none".into(),
        });
    }

    let redis = facts.cache.as_ref().is_some_and(|c| c.redis) || facts.celery.is_some();
    let celery = facts.celery.as_ref().map(|c| Celery {
        app: c.app.clone(),
        beat: c.beat,
    });

    python_notes(facts, &mut notes);
    let install = install_plan(facts, &extra, &mut notes);
    let frontend = facts
        .frontend
        .as_ref()
        .and_then(|f| frontend::stage(f, &mut notes));
    if deps.manager.is_none() {
        notes.push("no dependency files found: the image installs only Django's server and driver; add a requirements.txt".into());
    }

    let paths = paths(facts, &workdir);

    let name = o.name.clone();
    let env = env::plan(
        facts,
        &o.deploy,
        &name,
        database.as_ref(),
        redis,
        o.patch_settings,
    );
    let logging = observe::logging(o, monitoring.is_some(), &mut notes);
    let mut env = env;
    if monitoring.is_some() {
        env.vars.push(env::Var {
            name: "GRAFANA_ADMIN_PASSWORD".into(),
            value: None,
            generate: Some(env::Generate::Password),
            secret: true,
            comment: "Grafana's admin password (--monitoring)".into(),
        });
    }
    let processes = process::processes(&server, celery.as_ref());
    let (settings_patch, patched_settings) = match patched {
        Some((p, text)) => (Some(p), Some(text)),
        None => (None, None),
    };

    Plan {
        name,
        python_version: py,
        images,
        workdir,
        settings_production: facts.settings.production.module.clone(),
        settings_development: facts.settings.development.module.clone(),
        server,
        install,
        frontend,
        build_packages: facts.native.build.iter().cloned().collect(),
        run_packages: facts.native.run.iter().cloned().collect(),
        native_because: facts.native.because.clone(),
        database,
        redis,
        processes,
        celery,
        paths,
        env,
        post_collect: if facts.static_files.compress_offline {
            vec!["compress --force".into()]
        } else {
            Vec::new()
        },
        port,
        uid: APP_UID,
        notes,
        ca_cert: o.ca_cert.as_ref().map(|c| CaBundle {
            path: CA_CERT_PATH.to_string(),
            pem: c.pem.clone(),
        }),
        settings_patch,
        patched_settings,
        deploy: o.deploy.clone(),
        tests: testing::plan(facts),
        logging,
        monitoring,
    }
}

/// The Python version an image's tag names: `python:3.12-slim` → 3.12,
/// `registry:5000/team/python:3.11.9-bookworm` → 3.11; `None` when the tag does not say.
fn image_python_version(image: &str) -> Option<String> {
    let name = image.rsplit('/').next()?;
    let (_, tag) = name.split_once(':')?;
    let tag = tag.split('@').next()?;
    let mut parts = tag.split(['.', '-']);
    let major = parts.next()?;
    let minor = parts.next()?;
    let number = |s: &str| !s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_digit());
    (major == "3" && number(minor)).then(|| format!("3.{minor}"))
}

/// The images: the user's choice (flag, then config), or the default for the project.
fn images(facts: &Facts, o: &Options) -> Images {
    let py = &facts.python.version;
    Images {
        python: o
            .images
            .python
            .clone()
            .unwrap_or(format!("python:{py}-slim-bookworm")),
        postgres: o
            .images
            .postgres
            .clone()
            .unwrap_or("postgres:17-bookworm".into()),
        mariadb: o.images.mariadb.clone().unwrap_or("mariadb:11.4".into()),
        nginx: o
            .images
            .nginx
            .clone()
            .unwrap_or("nginx:1.27-bookworm".into()),
        redis: o.images.redis.clone().unwrap_or("redis:7-bookworm".into()),
        node: o.images.node.clone().unwrap_or_else(|| {
            format!(
                "node:{}-slim",
                facts
                    .frontend
                    .as_ref()
                    .map(|f| f.node.version.as_str())
                    .unwrap_or(NODE_LTS)
            )
        }),
    }
}

/// The server that runs the app on `port`, and the package it needs when the project
/// does not declare one.
fn server(
    facts: &Facts,
    port: u16,
    gunicorn: &str,
    uvicorn: &str,
    extra: &mut Vec<ExtraPackage>,
) -> Server {
    let deps = &facts.dependencies;
    let port_text = port.to_string();
    let graceful = process::GRACEFUL_SECONDS.to_string();
    let wsgi_target = facts
        .wsgi_application
        .as_ref()
        .and_then(|w| w.value.rsplit_once('.'))
        .map(|(m, a)| format!("{m}:{a}"))
        .unwrap_or_else(|| format!("{}.wsgi:application", facts.package));
    let asgi_target = facts
        .asgi_application
        .as_ref()
        .and_then(|w| w.value.rsplit_once('.'))
        .map(|(m, a)| format!("{m}:{a}"))
        .unwrap_or_else(|| format!("{}.asgi:application", facts.package));
    if facts.asgi.required {
        // daphne comes as a package, as channels' `daphne` extra, or as an installed app.
        let daphne = deps.has("daphne")
            || deps
                .get("channels")
                .is_some_and(|p| p.extras.iter().any(|e| e == "daphne"))
            || facts.installed_apps.iter().any(|a| a == "daphne");
        if daphne && !deps.has("uvicorn") {
            Server {
                kind: "daphne".into(),
                command: args(&[
                    "daphne",
                    "--bind",
                    "0.0.0.0",
                    "--port",
                    &port_text,
                    "--proxy-headers",
                    &asgi_target,
                ]),
                target: asgi_target,
                why: format!(
                    "served as ASGI ({}); daphne is the project's ASGI server",
                    facts.asgi.reasons.join("; ")
                ),
            }
        } else {
            if !deps.has("uvicorn") {
                extra.push(ExtraPackage {
                    requirement: uvicorn.into(),
                    why: "the ASGI server; the project does not declare one".into(),
                });
            }
            Server {
                kind: "uvicorn".into(),
                command: args(&[
                    "uvicorn",
                    &asgi_target,
                    "--host",
                    "0.0.0.0",
                    "--port",
                    &port_text,
                    "--proxy-headers",
                    "--forwarded-allow-ips",
                    "*",
                    "--timeout-graceful-shutdown",
                    &graceful,
                    "--no-server-header",
                ]),
                target: asgi_target,
                why: format!(
                    "served as ASGI ({}); uvicorn takes its worker count from WEB_CONCURRENCY",
                    facts.asgi.reasons.join("; ")
                ),
            }
        }
    } else {
        if !deps.has("gunicorn") {
            extra.push(ExtraPackage {
                requirement: gunicorn.into(),
                why: "the WSGI server; the project does not declare one".into(),
            });
        }
        Server {
            kind: "gunicorn".into(),
            command: args(&[
                "gunicorn",
                &wsgi_target,
                "--bind",
                &format!("0.0.0.0:{port}"),
                // Logging (JSON lines, no access log: nginx writes it) and, with
                // --monitoring, the metrics hooks.
                "--config",
                &format!("/app/{}", observe::GUNICORN_CONFIG),
                "--graceful-timeout",
                &graceful,
                "--timeout",
                "60",
                "--worker-tmp-dir",
                "/dev/shm",
                "--forwarded-allow-ips",
                "*",
            ]),
            target: wsgi_target,
            why: "WSGI project; gunicorn takes its worker count from WEB_CONCURRENCY".into(),
        }
    }
}

/// The database server the stack runs for the default database, and its driver when the
/// project does not declare one.
fn database(
    facts: &Facts,
    images: &Images,
    driver: &str,
    patched: bool,
    notes: &mut Vec<String>,
    extra: &mut Vec<ExtraPackage>,
) -> Option<Database> {
    let deps = &facts.dependencies;
    let default_db = facts.databases.iter().find(|d| d.alias == "default");
    let db_kind = default_db.map(|d| d.kind).unwrap_or(DbKind::Unknown);
    let database = match db_kind {
        DbKind::Mysql => Some(Database {
            kind: DbEngine::Mariadb,
            service: "mariadb".into(),
            image: images.mariadb.clone(),
            data_dir: "/var/lib/mysql".into(),
            ready: ["healthcheck.sh", "--connect", "--innodb_initialized"]
                .map(String::from)
                .to_vec(),
        }),
        DbKind::Oracle => {
            notes.push("Oracle is not run by the generated setup: point the settings' database variables at your Oracle server".into());
            None
        }
        _ => {
            if db_kind != DbKind::Postgresql {
                notes.push(format!(
                    "the settings use {} for the default database; the setup runs PostgreSQL, which a container deployment needs ({})",
                    match db_kind { DbKind::Sqlite => "SQLite", _ => "no recognisable engine" },
                    if patched { "--patch-settings points the settings at it" } else { "see the problems below" }
                ));
            }
            Some(Database {
                kind: DbEngine::Postgresql,
                service: "db".into(),
                image: images.postgres.clone(),
                data_dir: "/var/lib/postgresql/data".into(),
                ready: [
                    "sh",
                    "-c",
                    "pg_isready -U \"${POSTGRES_USER}\" -d \"${POSTGRES_DB}\"",
                ]
                .map(String::from)
                .to_vec(),
            })
        }
    };
    if database
        .as_ref()
        .is_some_and(|d| d.kind == DbEngine::Postgresql)
        && ![
            "psycopg",
            "psycopg-binary",
            "psycopg2",
            "psycopg2-binary",
            "psycopg-c",
        ]
        .iter()
        .any(|p| deps.has(p))
    {
        extra.push(ExtraPackage {
            requirement: driver.into(),
            why: "the PostgreSQL driver; the project does not declare one".into(),
        });
    }
    database
}

/// Where static files and uploads live, and what else the app writes.
fn paths(facts: &Facts, workdir: &str) -> Paths {
    let static_root = facts
        .static_files
        .root_in_image
        .clone()
        .unwrap_or_else(|| format!("{workdir}/staticfiles"));
    let media_root = facts
        .media
        .root_in_image
        .clone()
        .unwrap_or_else(|| format!("{workdir}/media"));
    Paths {
        static_url: url_path(
            facts.static_files.url.as_ref().map(|u| u.value.as_str()),
            "/static/",
        ),
        static_root,
        media_url: url_path(
            facts.media.url.as_ref().map(|u| u.value.as_str()),
            "/media/",
        ),
        media_root,
        writable_dirs: facts
            .writable_dirs
            .iter()
            .map(|d| d.value.clone())
            .collect(),
        hashed_static: facts
            .static_files
            .storage
            .as_ref()
            .is_some_and(|s| s.value.contains("Manifest")),
    }
}

/// What the pins did to the Python version, and what is built from source because of it.
fn python_notes(facts: &Facts, notes: &mut Vec<String>) {
    let py = &facts.python;
    if let Some(newest) = &py.newest_allowed {
        let pins: Vec<String> = py
            .held_back_by
            .iter()
            .map(|h| {
                let version = if h.version.is_empty() {
                    String::new()
                } else {
                    format!("=={}", h.version)
                };
                format!(
                    "{}{version} ({}: {}; none for {})",
                    h.package,
                    h.evidence,
                    h.wheels,
                    h.pythons.join(", ")
                )
            })
            .collect();
        notes.push(format!(
            "Python {}, not {newest}: held back by {}; upgrading these pins lets a newer Python in",
            py.version,
            pins.join("; ")
        ));
    }
    for b in &py.source_builds {
        let libs: Vec<&str> = facts
            .native
            .because
            .iter()
            .filter(|r| r.package == b.package)
            .flat_map(|r| r.build.iter().map(String::as_str))
            .collect();
        notes.push(format!(
            "{}=={} ({}) is built from source on Python {}: {}{}",
            b.package,
            b.version,
            b.evidence,
            py.version,
            b.why,
            if libs.is_empty() {
                String::new()
            } else {
                format!("; the builder stage installs {}", libs.join(" "))
            }
        ));
    }
}

fn install_plan(facts: &Facts, extra: &[ExtraPackage], notes: &mut Vec<String>) -> Install {
    let deps = &facts.dependencies;
    let extra_args: String = extra
        .iter()
        .map(|e| format!(" {}", shell_quote(&e.requirement)))
        .collect();
    let uv_pip = "uv pip install --python /opt/venv/bin/python";
    let mut copy = deps.install_files.clone();
    let mut commands = Vec::new();
    // Files beside manage.py rather than at the root: the tools are pointed at that folder.
    let dir = deps.dir.trim_end_matches('/');
    let minor: u8 = facts
        .python
        .version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    // A manager whose lock carries its own (uv's `build-constraint-dependencies`) needs
    // none: it could not have locked an sdist that does not build.
    let build_constraints = match deps.manager {
        Some(m) if !m.carries_build_constraints => {
            crate::detect::wheels::build_constraints(deps, minor, &facts.python.wheel_packages)
        }
        _ => Vec::new(),
    };
    for (i, c) in build_constraints.iter().enumerate() {
        let file = format!("/tmp/build-constraints-{}.txt", i + 1);
        let reqs: Vec<String> = c.requirements.iter().map(|r| shell_quote(r)).collect();
        commands.push(format!("echo {} > {file}", shell_quote(&c.constraint)));
        commands.push(format!(
            "{uv_pip} --no-deps --build-constraints {file} {}",
            reqs.join(" ")
        ));
        notes.push(format!(
            "built with the build constraint {} first, in build isolation: {}",
            c.constraint,
            c.why.join("; ")
        ));
    }
    match deps.manager {
        Some(m) => {
            let input = InstallInput {
                deps,
                dir,
                uv_pip,
                extra_args: &extra_args,
            };
            commands.extend((m.install)(&input, notes));
        }
        None => {
            copy.clear();
            commands.push(format!(
                "{uv_pip} 'django=={}'{extra_args}",
                facts
                    .django
                    .as_ref()
                    .map(|d| d.value.as_str())
                    .unwrap_or("5.2.*")
            ));
        }
    }
    if deps.installs_project {
        notes.push("the project is itself a Python package (build-system or `-e .`): the image runs it from /app without installing it".into());
    }
    Install {
        manager: deps.manager,
        build_constraints,
        copy,
        commands,
        extra: extra.to_vec(),
    }
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[cfg(test)]
mod image_python_tests {
    use super::image_python_version as v;

    #[test]
    fn the_python_an_image_tag_names() {
        assert_eq!(v("python:3.12-slim").as_deref(), Some("3.12"));
        assert_eq!(v("python:3.11.9-bookworm").as_deref(), Some("3.11"));
        assert_eq!(v("registry:5000/team/python:3.13").as_deref(), Some("3.13"));
        assert_eq!(v("djship-e2e/python:3.11").as_deref(), Some("3.11"));
        assert_eq!(v("python:slim"), None);
        assert_eq!(v("python"), None);
        assert_eq!(v("registry:5000/python"), None);
        assert_eq!(v("acme/base:2024.1"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_server_and_driver_install_on_the_chosen_python_and_django() {
        assert_eq!(tool_pins("3.12", Some("5.2")), (GUNICORN, UVICORN, PSYCOPG));
        assert_eq!(
            tool_pins("3.9", Some("4.2.11")),
            (GUNICORN_PY38, UVICORN_PY38, PSYCOPG_PY38)
        );
        // Django before 4.2 has no psycopg 3 backend; 2.2 and 3.0 need psycopg2 2.8.
        assert_eq!(tool_pins("3.10", Some("3.2.25")).2, PSYCOPG2);
        assert_eq!(tool_pins("3.9", Some("3.0.14")).2, PSYCOPG2_DJANGO_30);
        assert_eq!(tool_pins("3.9", Some("2.2")).2, PSYCOPG2_DJANGO_30);
        assert_eq!(tool_pins("3.13", None).2, PSYCOPG);
        // Each of them has wheels for the Pythons it is chosen for (djship's wheel table).
        use crate::detect::wheels::lookup;
        assert!(lookup("psycopg2-binary", "2.9.10").unwrap().fits(8));
        assert!(lookup("psycopg2-binary", "2.9.10").unwrap().fits(11));
        assert!(lookup("psycopg2-binary", "2.8.6").unwrap().fits(9));
        assert!(lookup("psycopg-binary", "3.2.13").unwrap().fits(8));
    }

    #[test]
    fn url_paths() {
        assert_eq!(url_path(Some("static/"), "/static/"), "/static/");
        assert_eq!(url_path(Some("/assets"), "/static/"), "/assets/");
        assert_eq!(
            url_path(Some("https://cdn.example.com/s/"), "/static/"),
            "/static/"
        );
        assert_eq!(
            shell_quote("psycopg[binary]==3.3.9"),
            "'psycopg[binary]==3.3.9'"
        );
    }
}

//! Every decision djship makes, as one serializable value (`djship inspect --json` prints it).
//! Templates only read the plan; they decide nothing.

pub mod env;
pub mod patch;
pub mod process;
pub mod secrets;

use crate::detect::deps::Manager;
use crate::detect::frontend::{Frontend, NodeManager, OutputKind, OutputState, NODE_LTS};
use crate::detect::{DbKind, Facts};
use crate::options::Options;
use env::EnvPlan;
use serde::Serialize;
use std::str::FromStr;

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
pub const POETRY: &str = "poetry==2.5.1";
pub const POETRY_EXPORT: &str = "poetry-plugin-export==1.10.1";
/// 2.29.4 cannot be installed from every index yet (it needs certifi 2026.10.19); 2.29.3
/// installs and exports from a lock without network access.
pub const PDM: &str = "pdm==2.29.3";
pub const PIPENV: &str = "pipenv==2026.10.3";

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
    pub manager: Option<Manager>,
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
    pub healthcheck: Vec<String>,
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

fn slug(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() || !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!("app-{out}").trim_end_matches('-').to_string()
    } else {
        out
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
    let django = django.and_then(|d| pep508_rs::pep440_rs::Version::from_str(d).ok());
    let older = |v: &str| {
        django
            .as_ref()
            .is_some_and(|d| pep508_rs::pep440_rs::Version::from_str(v).is_ok_and(|v| *d < v))
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
pub fn build(facts: &Facts, o: &Options, patched: Option<(patch::SettingsPatch, String)>) -> Plan {
    let root_name = o.project_name();
    let port: u16 = 8000;
    let port_text = port.to_string();
    let graceful = process::GRACEFUL_SECONDS.to_string();
    let mut notes = Vec::new();
    let py = facts.python.version.clone();
    let (gunicorn, uvicorn, driver) =
        tool_pins(&py, facts.django.as_ref().map(|d| d.value.as_str()));
    let images = Images {
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
    };
    let workdir = if facts.manage_dir.is_empty() {
        "/app".to_string()
    } else {
        format!("/app/{}", facts.manage_dir)
    };
    let deps = &facts.dependencies;
    let mut extra = Vec::new();

    // The server.
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
    let server = if facts.asgi.required {
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
                "--access-logfile",
                "-",
                "--error-logfile",
                "-",
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
    };

    // The database service.
    let default_db = facts.databases.iter().find(|d| d.alias == "default");
    let db_kind = default_db.map(|d| d.kind).unwrap_or(DbKind::Unknown);
    let database = match db_kind {
        DbKind::Mysql => Some(Database {
            kind: DbEngine::Mariadb,
            service: "mariadb".into(),
            image: images.mariadb.clone(),
            data_dir: "/var/lib/mysql".into(),
            healthcheck: ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]
                .map(String::from)
                .to_vec(),
        }),
        DbKind::Oracle => {
            notes.push("Oracle is not run in compose: point the settings' database variables at your Oracle server".into());
            None
        }
        _ => {
            if db_kind != DbKind::Postgresql {
                notes.push(format!(
                    "the settings use {} for the default database; the setup runs PostgreSQL, which a container deployment needs ({})",
                    match db_kind { DbKind::Sqlite => "SQLite", _ => "no recognisable engine" },
                    if patched.is_some() { "--patch-settings points the settings at it" } else { "see the problems below" }
                ));
            }
            Some(Database {
                kind: DbEngine::Postgresql,
                service: "db".into(),
                image: images.postgres.clone(),
                data_dir: "/var/lib/postgresql/data".into(),
                healthcheck: [
                    "CMD-SHELL",
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
        .and_then(|f| frontend_stage(f, &mut notes));
    if deps.manager.is_none() {
        notes.push("no dependency files found: the image installs only Django's server and driver; add a requirements.txt".into());
    }

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
    let paths = Paths {
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
    };

    let name = slug(&root_name);
    let env = env::plan(
        facts,
        &name,
        database.as_ref().map(|d| d.service.as_str()),
        redis,
        o.patch_settings,
    );
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
    // uv projects carry their own (`[tool.uv] build-constraint-dependencies`): uv could
    // not have locked an sdist that does not build.
    let build_constraints = match deps.manager {
        Some(Manager::Uv) | None => Vec::new(),
        _ => crate::detect::wheels::build_constraints(deps, minor, &facts.python.wheel_packages),
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
        Some(Manager::Requirements) => {
            let files: Vec<&String> = deps
                .install_files
                .iter()
                .filter(|f| f.ends_with(".txt"))
                .collect();
            let top = files
                .first()
                .map(|f| f.as_str())
                .unwrap_or("requirements.txt");
            commands.push(format!("{uv_pip} -r {top}{extra_args}"));
        }
        Some(Manager::Uv) => {
            commands.push(format!(
                "uv sync --frozen --no-dev --no-install-project{}",
                if dir.is_empty() {
                    String::new()
                } else {
                    format!(" --project {dir}")
                }
            ));
            if !extra.is_empty() {
                commands.push(format!("{uv_pip}{extra_args}"));
            }
        }
        Some(Manager::Poetry) => {
            commands.push(format!(
                "uv tool run --from {POETRY} --with {POETRY_EXPORT} poetry export{} --only main --format requirements.txt --output /tmp/requirements.txt",
                if dir.is_empty() { String::new() } else { format!(" --project {dir}") }
            ));
            commands.push(format!("{uv_pip} -r /tmp/requirements.txt{extra_args}"));
        }
        Some(Manager::Pdm) => {
            commands.push(format!(
                "uv tool run --from {PDM} pdm export{} --prod --output /tmp/requirements.txt",
                if dir.is_empty() {
                    String::new()
                } else {
                    format!(" --project {dir}")
                }
            ));
            commands.push(format!("{uv_pip} -r /tmp/requirements.txt{extra_args}"));
        }
        Some(Manager::Pipenv) => {
            if deps.lockfile.is_some() {
                commands.push(format!(
                    "{}uv tool run --from {PIPENV} pipenv requirements > /tmp/requirements.txt",
                    if dir.is_empty() {
                        String::new()
                    } else {
                        format!("PIPENV_PIPFILE={dir}/Pipfile ")
                    }
                ));
                commands.push(format!("{uv_pip} -r /tmp/requirements.txt{extra_args}"));
            } else {
                notes.push("Pipfile without Pipfile.lock: installing the Pipfile's unpinned packages; commit a Pipfile.lock for reproducible images".into());
                let pkgs: Vec<String> = deps
                    .packages
                    .iter()
                    .filter(|p| !p.dev)
                    .map(|p| shell_quote(&format!("{}{}", p.name, p.specifier)))
                    .collect();
                commands.push(format!("{uv_pip} {}{extra_args}", pkgs.join(" ")));
            }
        }
        Some(Manager::Pep621) => {
            commands.push(format!(
                "{uv_pip} -r {}pyproject.toml{extra_args}",
                deps.dir
            ));
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

const NPM_CACHE: &str = "/root/.npm";
const YARN_CACHE: &str = "/root/.cache/yarn";
const YARN_BERRY_CACHE: &str = "/root/.yarn/berry/cache";
const PNPM_STORE: &str = "/root/.local/share/pnpm/store";
/// Yarn 1, installed when the Node image has no yarn (the official images have it).
const YARN_CLASSIC: &str = "yarn@1.22.22";

/// The Node stage for a frontend that must be built in the image (or whose node_modules
/// the settings serve); `None` when the image needs no Node, with a note saying why.
fn frontend_stage(f: &Frontend, notes: &mut Vec<String>) -> Option<FrontendStage> {
    for d in &f.from_dockerfile {
        notes.push(format!("taken from the project's Dockerfile: {d}"));
    }
    if !f.build_in_image {
        notes.push(format!("frontend ({}): {}", f.package_json.file, f.reason));
        return None;
    }
    let app = |p: &str| {
        if p.is_empty() {
            "/app".to_string()
        } else {
            format!("/app/{p}")
        }
    };
    let workdir = app(&f.dir);
    let mut copy = vec![f.package_json.file.clone()];
    copy.extend(f.lockfile.clone());
    copy.extend(f.install_files.iter().cloned());
    copy.extend(f.yarn_path.clone());
    let mut env = vec![(
        "HUSKY".to_string(),
        "0".to_string(), // git hooks installers (husky) have no repository to hook into
    )];
    let locked = f.lockfile.is_some();
    let (install, run, cache): (Vec<String>, String, Vec<&str>) = match f.manager {
        NodeManager::Npm => (
            vec![if locked {
                "npm ci --no-audit --no-fund".into()
            } else {
                "npm install --no-audit --no-fund".into()
            }],
            "npm run".into(),
            vec![NPM_CACHE],
        ),
        NodeManager::Yarn => {
            env.push(("YARN_CACHE_FOLDER".into(), YARN_CACHE.into()));
            (
                vec![
                    format!("(command -v yarn >/dev/null || npm install -g {YARN_CLASSIC})"),
                    if locked {
                        "yarn install --frozen-lockfile --non-interactive".into()
                    } else {
                        "yarn install --non-interactive".into()
                    },
                ],
                "yarn run".into(),
                vec![NPM_CACHE, YARN_CACHE],
            )
        }
        NodeManager::YarnBerry => {
            let flag = if locked { " --immutable" } else { "" };
            match &f.yarn_path {
                Some(p) => (
                    vec![format!("node /app/{p} install{flag}")],
                    format!("node /app/{p} run"),
                    vec![YARN_BERRY_CACHE],
                ),
                None => {
                    env.push(("COREPACK_ENABLE_DOWNLOAD_PROMPT".into(), "0".into()));
                    (
                        vec!["corepack enable".into(), format!("yarn install{flag}")],
                        "yarn run".into(),
                        vec![YARN_BERRY_CACHE],
                    )
                }
            }
        }
        NodeManager::Pnpm => {
            let v = f.manager_version.clone().unwrap_or_else(|| "9".into());
            let flag = if locked { " --frozen-lockfile" } else { "" };
            (
                vec![
                    format!(
                        "npm install -g --no-audit --no-fund pnpm@{}",
                        shell_quote(&v)
                    ),
                    format!("pnpm install{flag} --store-dir {PNPM_STORE}"),
                ],
                "pnpm run".into(),
                vec![NPM_CACHE, PNPM_STORE],
            )
        }
    };
    let mut build: Vec<String> = f
        .build_scripts
        .iter()
        .map(|s| format!("{run} {}", shell_quote(s)))
        .collect();
    if let (Some(last), Some(args)) = (build.last_mut(), &f.build_args) {
        // npm passes arguments to the script after `--`; yarn and pnpm pass them as they are.
        if f.manager == NodeManager::Npm {
            last.push_str(" --");
        }
        last.push(' ');
        last.push_str(args);
    }

    // What the runtime takes: the outputs the project does not commit, and the
    // node_modules folders the settings serve. Nested paths go with their parent.
    let mut wanted: Vec<(&str, bool, String)> = Vec::new();
    for o in &f.outputs {
        if o.state == OutputState::Outside {
            notes.push(format!(
                "{} ({}) is outside the project folder: the image cannot hold it",
                o.path, o.evidence
            ));
            continue;
        }
        let why = match o.kind {
            OutputKind::NodeModules => {
                format!("served from node_modules by the settings ({})", o.evidence)
            }
            OutputKind::StaticfilesDir => format!("in STATICFILES_DIRS ({})", o.evidence),
            OutputKind::WebpackStats => {
                format!("the STATS_FILE of WEBPACK_LOADER ({})", o.evidence)
            }
            OutputKind::ViteManifest => format!("the manifest of DJANGO_VITE ({})", o.evidence),
            OutputKind::ViteAssets => format!("the assets folder of django-vite ({})", o.evidence),
            OutputKind::BuildConfig => format!(
                "the output folder of the build configuration ({})",
                o.evidence
            ),
            OutputKind::BuildScript => format!("written by the build script ({})", o.evidence),
        };
        if o.kind == OutputKind::NodeModules
            || (!build.is_empty() && o.state != OutputState::Committed)
        {
            wanted.push((o.path.as_str(), o.file, why));
        }
    }
    let under = |p: &str, q: &str| p == q || p.starts_with(&format!("{q}/"));
    let kept: Vec<&(&str, bool, String)> = wanted
        .iter()
        .filter(|(p, _, _)| !wanted.iter().any(|(q, _, _)| q != p && under(p, q)))
        .collect();
    let whole_tree = !build.is_empty()
        && !kept
            .iter()
            .any(|(p, _, _)| !p.split('/').any(|c| c == "node_modules"));
    let modules = format!("{}/node_modules", workdir);
    let mut copies = Vec::new();
    let mut module_paths: Vec<String> = Vec::new();
    for (p, file, why) in &kept {
        let to = app(p);
        let is_modules = p.split('/').any(|c| c == "node_modules");
        // With the whole tree taken, node_modules is moved out of /app first.
        let from = if whole_tree && is_modules {
            to.replacen(&modules, "/node_modules", 1)
        } else {
            to.clone()
        };
        // A missing folder is what Django tolerates (a warning): left empty, said in the
        // build log. A missing file (a manifest the templates read) fails the build.
        if is_modules {
            module_paths.push(to.clone());
        } else if *file {
            build.push(format!(
                "if [ ! -f {to} ]; then echo {} >&2; exit 1; fi",
                shell_quote(&format!("djship: the build wrote no {p}, {why}"))
            ));
        } else {
            build.push(format!(
                "if [ ! -d {to} ]; then echo {} >&2; mkdir -p {to}; fi",
                shell_quote(&format!(
                    "djship: warning: the build wrote no {p}, {why}; it is left empty"
                ))
            ));
        }
        copies.push(StageCopy {
            from,
            to,
            why: why.clone(),
        });
    }
    // One loop over the served folders (a plain test for one: a loop of one is a smell).
    let missing = "djship: warning: $d is not installed, though the settings serve it; it is left empty: add its package to package.json";
    let test = format!("if [ ! -e \"$d\" ]; then echo \"{missing}\" >&2; mkdir -p \"$d\"; fi");
    match module_paths.as_slice() {
        [] => {}
        [one] => build.push(test.replace("\"$d\"", one).replace("$d", one)),
        many => build.push(format!("for d in {}; do {test}; done", many.join(" "))),
    }
    if whole_tree {
        // Yarn's Plug'n'Play installs no node_modules.
        build.push(format!(
            "if [ -d {modules} ]; then mv {modules} /node_modules; fi"
        ));
    }
    let dockerignore: Vec<String> = f
        .outputs
        .iter()
        .filter(|o| o.ignored && o.kind != OutputKind::NodeModules && !o.path.is_empty())
        .map(|o| o.path.clone())
        .collect();
    if !f.build_scripts.is_empty() {
        notes.push(format!(
            "the frontend is built in a Node stage ({}): {}; compose.yaml (development) uses the project folder as it is: run the build there first",
            f.build_reason, f.reason
        ));
    } else {
        notes.push(format!(
            "a Node stage installs the frontend's packages: {}",
            f.reason
        ));
    }
    if whole_tree {
        notes.push("the frontend build's outputs are not known: the image takes the project as the Node stage leaves it (node_modules moved out)".into());
    }
    // With an install-only stage, the checks run as part of the install step.
    let (install, build) = if f.build_scripts.is_empty() {
        let mut i = install;
        i.extend(build);
        (i, Vec::new())
    } else {
        (install, build)
    };
    Some(FrontendStage {
        workdir,
        copy,
        cache: cache.into_iter().map(String::from).collect(),
        env,
        install,
        build,
        copies,
        whole_tree,
        dockerignore,
        why: format!(
            "{} from {}; Node {}: {}",
            f.manager.name(),
            f.manager_reason,
            f.node.version,
            f.node.source
        ),
    })
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

pub fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.=/:,+@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
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
    fn slugs_and_urls() {
        assert_eq!(slug("My Site_2"), "my-site-2");
        assert_eq!(slug("123"), "app-123");
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

#[cfg(test)]
mod frontend_tests {
    use super::*;
    use crate::options::{Flags, ImageChoice};

    type Files<'a> = &'a [(&'a str, &'a str)];

    const SETTINGS: &str = "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_URL = '/static/'\n";

    /// The plan of a minimal project with these extra files and settings lines.
    fn plan_of(files: &[(&str, &str)], settings: &str, o: &ImageChoice) -> Plan {
        let d = tempfile::tempdir().unwrap();
        let mut all: Vec<(String, String)> = vec![
            (
                "manage.py".into(),
                "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"
                    .into(),
            ),
            ("site/__init__.py".into(), String::new()),
            ("site/settings.py".into(), format!("{SETTINGS}{settings}")),
            ("requirements.txt".into(), "Django==5.2.*\n".into()),
        ];
        all.extend(files.iter().map(|(a, b)| (a.to_string(), b.to_string())));
        for (p, text) in &all {
            let path = d.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let flags = Flags {
            images: o.clone(),
            ..Flags::at(d.path(), None)
        };
        let o = Options::resolve(&flags).unwrap();
        let facts =
            crate::detect::detect(d.path(), &o.config, &crate::detect::Options::default()).unwrap();
        build(&facts, &o, None)
    }

    const BUILD: &str = r#"{"scripts": {"build": "node build.js"}}"#;
    const DIST: &str = "STATICFILES_DIRS = [BASE_DIR / 'assets' / 'dist']\n";

    #[test]
    fn each_manager_installs_from_its_lockfile_with_its_cache() {
        let cases: &[(Files, &[&str], &str, &[&str])] = &[
            (
                &[("package-lock.json", "{}")],
                &["npm ci --no-audit --no-fund"],
                "npm run build",
                &[NPM_CACHE],
            ),
            (
                &[],
                &["npm install --no-audit --no-fund"],
                "npm run build",
                &[NPM_CACHE],
            ),
            (
                &[("yarn.lock", "# yarn lockfile v1\n")],
                &[
                    "(command -v yarn >/dev/null || npm install -g yarn@1.22.22)",
                    "yarn install --frozen-lockfile --non-interactive",
                ],
                "yarn run build",
                &[NPM_CACHE, YARN_CACHE],
            ),
            (
                &[
                    ("yarn.lock", "__metadata:\n"),
                    (".yarnrc.yml", "yarnPath: .yarn/releases/yarn-4.5.0.cjs\n"),
                    (".yarn/releases/yarn-4.5.0.cjs", "//\n"),
                ],
                &["node /app/.yarn/releases/yarn-4.5.0.cjs install --immutable"],
                "node /app/.yarn/releases/yarn-4.5.0.cjs run build",
                &[YARN_BERRY_CACHE],
            ),
            (
                &[("pnpm-lock.yaml", "lockfileVersion: '6.0'\n")],
                &[
                    "npm install -g --no-audit --no-fund pnpm@8",
                    "pnpm install --frozen-lockfile --store-dir /root/.local/share/pnpm/store",
                ],
                "pnpm run build",
                &[NPM_CACHE, PNPM_STORE],
            ),
        ];
        for (files, install, build, cache) in cases {
            let mut all = vec![("package.json", BUILD)];
            all.extend_from_slice(files);
            let p = plan_of(&all, DIST, &ImageChoice::default());
            let f = p.frontend.unwrap_or_else(|| panic!("{files:?}: no stage"));
            assert_eq!(f.install, *install, "{files:?}");
            assert_eq!(f.build[0], *build, "{files:?}");
            assert_eq!(f.cache, *cache, "{files:?}");
            assert_eq!(f.copy[0], "package.json");
            assert_eq!(f.workdir, "/app");
        }
    }

    #[test]
    fn outputs_are_copied_checked_and_kept_out_of_the_context() {
        let p = plan_of(
            &[
                ("package.json", BUILD),
                ("package-lock.json", "{}"),
                (".gitignore", "/assets/dist/\n"),
                ("assets/dist/old.css", "stale"),
            ],
            &format!("{DIST}WEBPACK_LOADER = {{'DEFAULT': {{'STATS_FILE': BASE_DIR / 'webpack-stats.json'}}}}\n"),
            &ImageChoice::default(),
        );
        let f = p.frontend.unwrap();
        let to: Vec<&str> = f.copies.iter().map(|c| c.to.as_str()).collect();
        assert_eq!(to, ["/app/assets/dist", "/app/webpack-stats.json"]);
        assert!(!f.whole_tree);
        assert_eq!(f.dockerignore, ["assets/dist"]);
        // A missing folder is left empty with a warning; a missing manifest fails the build.
        assert!(
            f.build[1].starts_with("if [ ! -d /app/assets/dist ]")
                && f.build[1].contains("mkdir -p")
        );
        assert!(
            f.build[2].starts_with("if [ ! -f /app/webpack-stats.json ]")
                && f.build[2].contains("exit 1")
        );
        assert_eq!(p.images.node, format!("node:{NODE_LTS}-slim"));
    }

    #[test]
    fn build_arguments_follow_the_manager() {
        let ws = r#"{"projects": {"a": {"architect": {"build": {"options": {"outputPath": "dist/a"}, "configurations": {"production": {}}}}}}}"#;
        for (lock, want) in [
            (
                ("package-lock.json", "{}"),
                "npm run build -- --configuration production",
            ),
            (
                ("yarn.lock", ""),
                "yarn run build --configuration production",
            ),
        ] {
            let p = plan_of(
                &[
                    ("package.json", r#"{"scripts": {"build": "ng build"}}"#),
                    ("angular.json", ws),
                    lock,
                ],
                "",
                &ImageChoice::default(),
            );
            assert_eq!(p.frontend.unwrap().build[0], want);
        }
    }

    #[test]
    fn unknown_outputs_keep_the_whole_tree() {
        let p = plan_of(
            &[("package.json", BUILD), ("package-lock.json", "{}")],
            "",
            &ImageChoice::default(),
        );
        let f = p.frontend.unwrap();
        assert!(f.whole_tree && f.copies.is_empty());
        assert_eq!(
            f.build.last().unwrap(),
            "if [ -d /app/node_modules ]; then mv /app/node_modules /node_modules; fi"
        );
        assert!(
            p.notes.iter().any(|n| n.contains("outputs are not known")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn served_node_modules_without_build_install_only() {
        let p = plan_of(
            &[
                ("package.json", r#"{"dependencies": {"htmx.org": "2.0.4"}}"#),
                ("package-lock.json", "{}"),
            ],
            "STATICFILES_DIRS = [('htmx', BASE_DIR / 'node_modules' / 'htmx.org' / 'dist'), BASE_DIR / 'static']\n",
            &ImageChoice::default(),
        );
        let f = p.frontend.unwrap();
        assert!(f.build.is_empty());
        assert_eq!(f.install[0], "npm ci --no-audit --no-fund");
        assert!(
            f.install[1].starts_with("if [ ! -e /app/node_modules/htmx.org/dist ]; then echo \"djship: warning: /app/node_modules/htmx.org/dist is not installed"),
            "{}",
            f.install[1]
        );
        let to: Vec<&str> = f.copies.iter().map(|c| c.to.as_str()).collect();
        // static/ is not the frontend's: without a build it comes with the code.
        assert_eq!(to, ["/app/node_modules/htmx.org/dist"]);
    }

    #[test]
    fn committed_outputs_need_no_node_and_say_so() {
        let p = plan_of(
            &[
                (
                    "package.json",
                    r#"{"scripts": {"build": "tailwindcss -i src/in.css -o assets/dist/site.css"}}"#,
                ),
                ("package-lock.json", "{}"),
                ("assets/dist/site.css", "body{}"),
            ],
            DIST,
            &ImageChoice::default(),
        );
        assert!(p.frontend.is_none());
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("committed") && n.contains("assets/dist/site.css")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn node_image_from_the_version_or_overridden() {
        let files = [
            ("package.json", BUILD),
            ("package-lock.json", "{}"),
            (".nvmrc", "20.11.1\n"),
        ];
        let p = plan_of(&files, DIST, &ImageChoice::default());
        assert_eq!(p.images.node, "node:20.11.1-slim");
        let o = ImageChoice {
            node: Some("registry.example.com/node:20".into()),
            ..Default::default()
        };
        assert_eq!(
            plan_of(&files, DIST, &o).images.node,
            "registry.example.com/node:20"
        );
    }
}

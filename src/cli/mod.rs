//! Command line: `djship inspect` and `djship init`.

use crate::config::Config;
use crate::detect::{self, problems::Severity, Facts};
use crate::error::{Error, Result};
use crate::plan::{self, Overrides, Plan};
use crate::render;
use crate::write::{self, secrets, Status};

mod lint;
mod ops;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Version of the `inspect --json` document. Bumped only on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Parser, Debug)]
#[command(
    name = "djship",
    version,
    about = "Understand a Django project and give it a correct, secure container setup"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Report what djship finds in a project (with evidence) and the plan it would generate.
    Inspect {
        #[command(flatten)]
        common: Common,
        /// Print one JSON document (schema: docs/inspect-json.md).
        #[arg(long)]
        json: bool,
    },
    /// Write the container setup: Dockerfile, compose files, nginx config, .env and more.
    Init {
        #[command(flatten)]
        common: Common,
        /// Overwrite existing files whose content would change.
        #[arg(long)]
        force: bool,
        /// Print a unified diff of what would change and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Append the minimal change to the production settings so they read deployment values
        /// from the environment (the diff is printed first).
        #[arg(long)]
        patch_settings: bool,
        /// Trust this CA bundle while installing dependencies in the build (TLS-intercepting
        /// proxies); it is copied to docker/ca-cert.pem and mounted only into build steps.
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
    },
    /// Build the image with BuildKit (live progress, then a summary).
    Build {
        #[command(flatten)]
        target: Target,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build, start the development (or --prod) stack, and wait until it is healthy.
    Up {
        #[command(flatten)]
        target: Target,
        /// The production stack (compose.prod.yaml).
        #[arg(long)]
        prod: bool,
        /// Use the images already built.
        #[arg(long)]
        no_build: bool,
    },
    /// Stop the stack.
    Down {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        prod: bool,
        /// Also remove the volumes (database data, media).
        #[arg(short = 'v', long)]
        volumes: bool,
    },
    /// Prove the production stack works: build, start under an isolated name, check, tear down.
    Verify {
        #[command(flatten)]
        target: Target,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Leave the stack running afterwards.
        #[arg(long)]
        keep: bool,
    },
    /// Run manage.py in the web container: `djship manage -- createsuperuser`.
    Manage {
        #[arg(long, default_value = ".")]
        path: PathBuf,
        #[arg(long)]
        prod: bool,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Show the logs of the stack, or of one service.
    Logs {
        #[arg(long, default_value = ".")]
        path: PathBuf,
        #[arg(long)]
        prod: bool,
        /// Keep following.
        #[arg(short, long)]
        follow: bool,
        service: Option<String>,
    },
    /// Check Dockerfiles, compose files, .dockerignore and Django settings for the
    /// mistakes the tutorials make. Exit 1 when a finding reaches --fail-on, 2 on errors.
    Lint(lint::LintArgs),
    /// Show a lint rule's documentation: `djship rule DJL001` (or its name); without an
    /// ID, list the rules.
    Rule { id: Option<String> },
    /// A Django shell in the web container.
    Shell {
        #[arg(long, default_value = ".")]
        path: PathBuf,
        #[arg(long)]
        prod: bool,
    },
}

#[derive(Args, Debug)]
struct Target {
    /// The project folder (default: the current folder).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Which manage.py to use when the project has several.
    #[arg(long, value_name = "PATH")]
    manage: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct Common {
    /// The project folder (default: the current folder).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Which manage.py to use when the project has several.
    #[arg(long, value_name = "PATH")]
    manage: Option<PathBuf>,
    /// Base image for the app (default python:X.Y-slim-bookworm).
    #[arg(long, value_name = "IMAGE")]
    python_image: Option<String>,
    /// PostgreSQL image (default postgres:17-bookworm).
    #[arg(long, value_name = "IMAGE")]
    postgres_image: Option<String>,
    /// nginx image (default nginx:1.27-bookworm).
    #[arg(long, value_name = "IMAGE")]
    nginx_image: Option<String>,
    /// Redis image (default redis:7-bookworm).
    #[arg(long, value_name = "IMAGE")]
    redis_image: Option<String>,
    /// MariaDB image, for MySQL projects (default mariadb:11.4).
    #[arg(long, value_name = "IMAGE")]
    mariadb_image: Option<String>,
    /// Ask uv (on PATH; needs the package index) which pinned releases have wheels for
    /// which Python, instead of djship's built-in wheel table.
    #[arg(long)]
    resolve_with_uv: bool,
    /// Node image of the frontend build stage, for projects whose frontend is built in the
    /// image (default node:<version>-slim, the version from .nvmrc, engines.node...).
    #[arg(long, value_name = "IMAGE")]
    node_image: Option<String>,
}

impl Target {
    fn common(&self) -> Common {
        Common::at(&self.path, self.manage.clone())
    }
}

impl Common {
    /// A project folder with no image overrides.
    pub(crate) fn at(path: &Path, manage: Option<PathBuf>) -> Common {
        Common {
            path: path.to_path_buf(),
            manage,
            python_image: None,
            postgres_image: None,
            nginx_image: None,
            redis_image: None,
            mariadb_image: None,
            resolve_with_uv: false,
            node_image: None,
        }
    }
}

pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { common, json } => inspect(&common, json),
        Command::Init {
            common,
            force,
            dry_run,
            patch_settings,
            ca_cert,
        } => init(&common, force, dry_run, patch_settings, ca_cert.as_deref()),
        Command::Build { target, json } => ops::build(&target.common(), json),
        Command::Up {
            target,
            prod,
            no_build,
        } => ops::up(&target.common(), prod, no_build),
        Command::Down {
            target,
            prod,
            volumes,
        } => ops::down(&target.common(), prod, volumes),
        Command::Verify { target, json, keep } => ops::verify(&target.common(), json, keep),
        Command::Manage { path, prod, args } => ops::manage(&path, prod, &args),
        Command::Logs {
            path,
            prod,
            follow,
            service,
        } => ops::logs(&path, prod, follow, service.as_deref()),
        Command::Lint(args) => Ok(lint::run(&args)),
        Command::Rule { id } => lint::rule(id.as_deref()),
        Command::Shell { path, prod } => ops::manage(&path, prod, &["shell".to_string()]),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

pub(crate) struct Analysis {
    pub(crate) root: PathBuf,
    config: Config,
    pub(crate) facts: Facts,
    pub(crate) plan: Plan,
    /// The production settings file's text once patched (with --patch-settings).
    patched_text: Option<String>,
}

pub(crate) fn analyse(c: &Common, patch_settings: bool) -> Result<Analysis> {
    let root = std::fs::canonicalize(&c.path).map_err(|e| Error::Invalid {
        path: c.path.clone(),
        message: format!("cannot open the project folder: {e}"),
        hint: "pass the folder of a Django project (the one that holds manage.py)".into(),
    })?;
    let mut config_warnings = Vec::new();
    let config = Config::load(&root, &mut config_warnings);
    let uv = if c.resolve_with_uv {
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("uv"))
                .find(|p| p.is_file())
        });
        if found.is_none() {
            config_warnings.push(detect::evidence::Warning {
                evidence: detect::evidence::Evidence::file("PATH"),
                message: "uv is not on PATH (--resolve-with-uv)".into(),
                fallback: "used djship's wheel table (PyPI's file lists, built in)".into(),
            });
        }
        found
    } else {
        None
    };
    let opts = detect::Options {
        manage: c.manage.clone(),
        uv: uv.clone(),
        ..Default::default()
    };
    let mut facts = detect::detect(&root, &config, &opts)?;
    // --patch-settings: patch in memory, then read the project again as it will be.
    let mut settings_patch = None;
    let mut patched_text = None;
    if patch_settings {
        if let Some(patch) = plan::patch::build(&facts) {
            let path = root.join(&patch.file);
            let original = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            if let Some(text) = plan::patch::apply(&original, &patch) {
                let mut overlay = std::collections::HashMap::new();
                overlay.insert(patch.file.clone(), text.clone());
                facts = detect::detect(
                    &root,
                    &config,
                    &detect::Options {
                        manage: c.manage.clone(),
                        uv,
                        overlay,
                    },
                )?;
                patched_text = Some(text);
                settings_patch = Some(patch);
            }
        }
    }
    facts.warnings.extend(config_warnings);
    let overrides = Overrides {
        python_image: c.python_image.clone(),
        postgres_image: c.postgres_image.clone(),
        nginx_image: c.nginx_image.clone(),
        redis_image: c.redis_image.clone(),
        mariadb_image: c.mariadb_image.clone(),
        node_image: c.node_image.clone(),
        patch_settings,
    };
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "app".into());
    let mut plan = plan::build(&facts, &config, &name, &overrides);
    plan.settings_patch = settings_patch;
    Ok(Analysis {
        root,
        config,
        facts,
        plan,
        patched_text,
    })
}

fn print_warnings(facts: &Facts) {
    for w in &facts.warnings {
        eprintln!("{w}");
    }
}

#[derive(Serialize)]
struct InspectDoc<'a> {
    schema_version: u32,
    djship_version: &'static str,
    root: String,
    facts: &'a Facts,
    plan: &'a Plan,
}

fn inspect(c: &Common, json: bool) -> Result<i32> {
    let a = analyse(c, false)?;
    if json {
        let doc = InspectDoc {
            schema_version: SCHEMA_VERSION,
            djship_version: env!("CARGO_PKG_VERSION"),
            root: a.root.display().to_string(),
            facts: &a.facts,
            plan: &a.plan,
        };
        let text = serde_json::to_string_pretty(&doc).map_err(|e| Error::Invalid {
            path: a.root.clone(),
            message: format!("cannot serialise the report: {e}"),
            hint: "this is a bug in djship; please report it".into(),
        })?;
        println!("{text}");
        return Ok(0);
    }
    print_warnings(&a.facts);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(human_report(&a).as_bytes());
    Ok(0)
}

fn ev(e: &Option<detect::evidence::Evidence>) -> String {
    e.as_ref().map(|e| format!(" ({e})")).unwrap_or_default()
}

fn human_report(a: &Analysis) -> String {
    let f = &a.facts;
    let p = &a.plan;
    let mut s = String::new();
    let mut line = |k: &str, v: String| s.push_str(&format!("{k:<16}{v}\n"));
    line("project", format!("{}", a.root.display()));
    line("manage.py", f.manage_py.clone());
    line(
        "settings",
        format!(
            "production {} ({}); development {}{}",
            f.settings.production.module,
            f.settings.production.reason,
            f.settings.development.module,
            if f.settings.split {
                " [split package]"
            } else {
                ""
            }
        ),
    );
    line(
        "python",
        format!(
            "{} — {}{}",
            f.python.version,
            f.python.source,
            ev(&f.python.evidence)
        ),
    );
    line(
        "django",
        f.django
            .as_ref()
            .map(|d| format!("{} ({})", d.value, d.evidence))
            .unwrap_or_else(|| "version unknown".into()),
    );
    let deps = &f.dependencies;
    line(
        "dependencies",
        match deps.manager {
            Some(m) => format!(
                "{} [{}] — {}",
                m.name(),
                deps.install_files.join(", "),
                deps.reason
            ),
            None => deps.reason.clone(),
        },
    );
    line(
        "server",
        format!("{} {} — {}", p.server.kind, p.server.target, p.server.why),
    );
    for db in &f.databases {
        line(
            "database",
            format!(
                "{}: {:?}{}{} drivers [{}] ({})",
                db.alias,
                db.kind,
                db.engine
                    .as_ref()
                    .map(|e| format!(" engine {e}"))
                    .unwrap_or_default(),
                db.url_env
                    .as_ref()
                    .map(|e| format!(" from ${e}"))
                    .unwrap_or_default(),
                db.drivers.join(", "),
                db.evidence
            ),
        );
        if let Some(sel) = &db.selected_by {
            line(
                "",
                format!(
                    "  chosen by ${} ({}, {}): djship {}; {}",
                    sel.var,
                    sel.test,
                    sel.evidence,
                    match &sel.value {
                        Some(_) if db.url_env.as_ref() == Some(&sel.var) =>
                            format!("sets {} to the database URL", sel.var),
                        Some(v) => format!("sets {}={v}", sel.var),
                        None => format!("leaves {} unset", sel.var),
                    },
                    sel.alternatives.join("; ")
                ),
            );
        }
    }
    if let Some(c) = &f.cache {
        line(
            "cache",
            format!(
                "{} redis={} ({})",
                c.backend.clone().unwrap_or_else(|| "from env".into()),
                c.redis,
                c.evidence
            ),
        );
    }
    if let Some(c) = &f.celery {
        line(
            "celery",
            format!("app {} beat={} ({})", c.app, c.beat, c.evidence),
        );
    }
    line(
        "static",
        format!(
            "STATIC_URL {} STATIC_ROOT {} whitenoise={}",
            f.static_files
                .url
                .as_ref()
                .map(|u| u.value.clone())
                .unwrap_or_else(|| "unset".into()),
            f.static_files
                .root
                .as_ref()
                .map(|u| format!("{} ({})", u.value, u.evidence))
                .unwrap_or_else(|| "unset".into()),
            f.static_files.whitenoise
        ),
    );
    line(
        "media",
        format!(
            "MEDIA_URL {} MEDIA_ROOT {}",
            f.media
                .url
                .as_ref()
                .map(|u| u.value.clone())
                .unwrap_or_else(|| "unset".into()),
            f.media
                .root
                .as_ref()
                .map(|u| format!("{} ({})", u.value, u.evidence))
                .unwrap_or_else(|| "unset".into()),
        ),
    );
    if let Some(fe) = &f.frontend {
        line(
            "frontend",
            format!(
                "{} with {}{}, Node {} — {}; {}",
                fe.package_json.file,
                fe.manager.name(),
                if fe.build_scripts.is_empty() {
                    String::new()
                } else {
                    format!(", build {}", fe.build_scripts.join(" + "))
                },
                fe.node.version,
                fe.node.source,
                fe.reason
            ),
        );
    }
    if !p.build_packages.is_empty() || !p.run_packages.is_empty() {
        line(
            "native",
            format!(
                "build [{}] run [{}]",
                p.build_packages.join(" "),
                p.run_packages.join(" ")
            ),
        );
    }
    for v in &f.env_vars {
        line(
            "env",
            format!(
                "{}{}{} via {} ({})",
                v.name,
                v.default
                    .as_ref()
                    .map(|d| format!(" default {d:?}"))
                    .unwrap_or_else(|| " required".into()),
                if v.secret { " [secret]" } else { "" },
                v.via,
                v.evidence
            ),
        );
    }
    for n in &p.notes {
        line("note", n.clone());
    }
    s.push_str(&problems_report(f));
    s
}

fn problems_report(f: &Facts) -> String {
    if f.problems.is_empty() {
        return "\nNo settings problems found.\n".into();
    }
    let mut s = format!("\n{} settings problem(s):\n", f.problems.len());
    for p in &f.problems {
        let sev = p.severity.as_str();
        s.push_str(&format!(
            "  {sev}[{}] {}: {}\n      fix: {}\n",
            p.code, p.evidence, p.message, p.fix
        ));
    }
    if f.problems.iter().any(|p| p.patchable) {
        s.push_str("  `djship init --patch-settings` makes these changes for you (shown as a diff first).\n");
    }
    s
}

fn init(
    c: &Common,
    force: bool,
    dry_run: bool,
    patch_settings: bool,
    ca_cert: Option<&Path>,
) -> Result<i32> {
    let mut a = analyse(c, patch_settings)?;
    let ca_pem = match ca_cert
        .map(Path::to_path_buf)
        .or_else(|| a.config.ca_cert.as_ref().map(|p| a.root.join(p)))
    {
        Some(path) => {
            let pem = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            if !pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(Error::Invalid {
                    path,
                    message: "not a PEM certificate bundle (no BEGIN CERTIFICATE)".into(),
                    hint: "pass the CA bundle your proxy's certificates chain to, in PEM form"
                        .into(),
                });
            }
            a.plan.ca_cert = Some(plan::CA_CERT_PATH.to_string());
            a.plan.files.push(plan::CA_CERT_PATH.to_string());
            a.plan.files.sort();
            Some(pem)
        }
        None => None,
    };
    print_warnings(&a.facts);
    let root = &a.root;
    let existing_env = std::fs::read_to_string(root.join(".env")).ok();
    let env_values = secrets::resolve(&a.plan.env, existing_env.as_deref())?;
    let template_dir = a.config.templates.as_ref().map(|t| root.join(t));
    let mut rendered = render::render(&a.plan, &env_values, template_dir.as_deref())?;
    if let Some(pem) = ca_pem {
        rendered.push(render::Rendered {
            path: plan::CA_CERT_PATH.into(),
            content: pem,
            mode: 0o644,
        });
    }

    // The settings patch is a change to the user's own file, requested by the flag.
    if let (Some(patch), Some(text)) = (&a.plan.settings_patch, &a.patched_text) {
        let mode = file_mode(&root.join(&patch.file));
        rendered.push(render::Rendered {
            path: patch.file.clone(),
            content: text.clone(),
            mode,
        });
    }
    let mut changes = write::plan_changes(root, rendered)?;
    if let Some(patch) = &a.plan.settings_patch {
        // Asked for by --patch-settings: allowed without --force, always shown.
        for ch in changes.iter_mut().filter(|ch| ch.path == patch.file) {
            ch.additive = true;
            let diff = write::diff(std::slice::from_ref(ch));
            if !dry_run {
                println!(
                    "Patching {} (fixes {}):\n{diff}",
                    patch.file,
                    patch.fixes.join(", ")
                );
            }
        }
    }

    if dry_run {
        let d = write::diff(&changes);
        if d.is_empty() {
            println!("Nothing would change.");
        } else {
            print!("{d}");
        }
        return Ok(0);
    }
    write::apply(root, &changes, force)?;

    let mut out = String::new();
    for ch in &changes {
        let tag = match ch.status {
            Status::Create => "created",
            Status::Update => "updated",
            Status::Unchanged => "unchanged",
        };
        out.push_str(&format!("  {tag:<10}{}\n", ch.path));
    }
    println!(
        "djship wrote the container setup for {}:\n{out}",
        a.plan.name
    );
    if !a.facts.problems.is_empty() {
        let errors = a
            .facts
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        print!("{}", problems_report(&a.facts));
        if errors > 0 {
            println!("  The setup will not work as it should until the errors above are fixed.");
        }
    }
    println!(
        "\nNext:\n  development:  docker compose up --build           → http://localhost:{}\n  production:   docker compose -f compose.prod.yaml up -d --build   → http://localhost/",
        a.plan.port
    );
    Ok(0)
}

fn file_mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o644
    }
}

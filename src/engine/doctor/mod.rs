//! `djship doctor`: the troubleshooting chapter as checks. Each check looks at one thing
//! that keeps a generated stack from working (the engine and BuildKit, ports, variables,
//! the image, the services and their health checks, the database, volume ownership,
//! migrations) and says what is wrong and the exact remedy: a command, or the file and line
//! to change. Checks that need the running stack are skipped, with the reason, when it is
//! not running.
//!
//! Nothing of the project runs on the host: the settings are read by detect; what needs
//! Django (the database connection, the migrations) runs in the web container, the volume
//! check in a throwaway container of the app image.

mod database;
mod engine;
pub mod env;
mod image;
pub mod ports;
mod services;
mod volumes;

use super::compose::Project;
use crate::detect::Facts;
use crate::evidence::Evidence;
use crate::lint::compose::{ComposeFile, Node};
use crate::lint::source::Source;
use crate::plan::Plan;
use crate::severity::Severity;
use crate::shell::quote;
use database::{database_check, db_probe, migrations_check, password_check};
use engine::engine_checks;
use env::env_check;
use image::image_check;
use ports::ports_check;
use serde::Serialize;
use services::{inspect_all, services_check};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use volumes::volumes_check;

/// One thing found, with what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// `error` (the stack does not work until it is fixed), `warning`, `info`.
    pub severity: Severity,
    pub message: String,
    /// The command to run or the change to make; every error and warning has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// The file and line concerned, relative to the project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Supporting lines: a service's last log lines, an engine's message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub detail: Vec<String>,
}

impl Finding {
    fn new(severity: Severity, message: impl Into<String>, remedy: Option<String>) -> Finding {
        Finding {
            severity,
            message: message.into(),
            remedy,
            evidence: None,
            detail: Vec::new(),
        }
    }
    fn error(message: impl Into<String>, remedy: impl Into<String>) -> Finding {
        Finding::new(Severity::Error, message, Some(remedy.into()))
    }
    fn warning(message: impl Into<String>, remedy: impl Into<String>) -> Finding {
        Finding::new(Severity::Warning, message, Some(remedy.into()))
    }
    fn info(message: impl Into<String>) -> Finding {
        Finding::new(Severity::Info, message, None)
    }
    fn at(mut self, e: Option<Evidence>) -> Finding {
        self.evidence = e;
        self
    }
    fn with_detail(mut self, d: Vec<String>) -> Finding {
        self.detail = d;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Info,
    Warning,
    Error,
    Skipped,
}

/// One check: what it looked at, and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable: engine, buildkit, env, ports, image, services, database, database-password,
    /// volumes, migrations.
    pub id: &'static str,
    pub status: Status,
    /// What was checked, in a line.
    pub summary: String,
    /// Why it was not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    pub findings: Vec<Finding>,
}

impl Check {
    fn done(id: &'static str, summary: impl Into<String>, findings: Vec<Finding>) -> Check {
        let worst = findings.iter().map(|f| f.severity).max();
        Check {
            id,
            status: match worst {
                None => Status::Ok,
                Some(Severity::Info) => Status::Info,
                Some(Severity::Warning) => Status::Warning,
                Some(Severity::Error) => Status::Error,
            },
            summary: summary.into(),
            skipped: None,
            findings,
        }
    }
    fn skipped(id: &'static str, why: impl Into<String>) -> Check {
        Check {
            id,
            status: Status::Skipped,
            summary: String::new(),
            skipped: Some(why.into()),
            findings: Vec::new(),
        }
    }
}

/// What doctor found for one stack.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The compose project name.
    pub project: String,
    /// `development` or `production`.
    pub stack: &'static str,
    pub compose_file: String,
    /// Whether any container of the stack is running.
    pub running: bool,
    pub errors: usize,
    pub warnings: usize,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.errors == 0
    }
}

/// The stack doctor looks at.
pub struct Target<'a> {
    pub root: &'a Path,
    /// The project folder as the user named it (for the commands in remedies).
    pub shown: String,
    pub prod: bool,
    pub project: Project,
    pub plan: &'a Plan,
    pub facts: &'a Facts,
}

impl Target<'_> {
    /// `djship VERB [--prod] PATH`, to paste.
    fn djship(&self, verb: &str) -> String {
        let prod = if self.prod && verb != "build" {
            " --prod"
        } else {
            ""
        };
        format!("djship {verb}{prod} {}", quote(&self.shown))
    }
    fn stack_name(&self) -> &'static str {
        if self.prod {
            "production"
        } else {
            "development"
        }
    }
}

/// Variables for compose's interpolation: the environment first, then the project's .env
/// (as compose reads them).
struct Lookup {
    dotenv: BTreeMap<String, String>,
}

impl Lookup {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .or_else(|| self.dotenv.get(name).cloned())
    }
}

/// The compose file, parsed with positions.
struct Compose {
    src: Source,
    file: ComposeFile,
}

impl Compose {
    fn line(&self, n: &Node) -> Option<Evidence> {
        Some(Evidence::at(
            self.src.path.clone(),
            self.src.position(n.span.start).line,
        ))
    }
    fn service(&self, name: &str) -> Option<&Node> {
        self.file
            .services()
            .find(|(n, _, _)| *n == name)
            .map(|s| s.2)
    }
}

/// Run every check on the stack.
pub fn run(t: &Target) -> Report {
    let mut checks = Vec::new();
    let dotenv_path = t.root.join(".env");
    let dotenv_text = std::fs::read_to_string(&dotenv_path).unwrap_or_default();
    let lookup = Lookup {
        dotenv: env::read_env_file(&dotenv_text)
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect(),
    };
    let text = std::fs::read_to_string(t.root.join(&t.project.file)).unwrap_or_default();
    let src = Source::new(t.project.file.clone(), text);
    let file = ComposeFile::parse(&src);
    let compose = Compose { src, file };

    // The engine first: most checks need it.
    let (engine_check, buildkit_check, engine) = engine_checks();
    checks.push(engine_check);
    checks.push(buildkit_check);
    checks.push(env_check(t, &compose, &lookup));
    let states = engine.as_ref().map(|e| e.states(&t.project));
    checks.push(ports_check(
        t,
        &compose,
        &lookup,
        engine.as_ref(),
        states.as_ref().and_then(|s| s.as_ref().ok()),
    ));
    let Some(engine) = engine else {
        for id in [
            "image",
            "services",
            "database",
            "database-password",
            "volumes",
            "migrations",
        ] {
            checks.push(Check::skipped(
                id,
                "the Docker engine does not answer (see engine)",
            ));
        }
        return finish(t, false, checks);
    };
    // When compose cannot list the containers, the services check says so (after image).
    let mut services = None;
    let states = match states {
        Some(Ok(s)) => s,
        Some(Err(_)) if checks[0].status == Status::Error => {
            services = Some(Check::skipped(
                "services",
                "compose does not answer (see engine)",
            ));
            Vec::new()
        }
        Some(Err(e)) => {
            services = Some(Check::done(
                "services",
                "the stack's containers",
                vec![Finding::error(
                    format!("compose cannot list the stack's containers: {e}"),
                    "install compose v2 (`docker compose version` must answer), or set \
                     DJSHIP_COMPOSE to its command",
                )],
            ));
            Vec::new()
        }
        None => Vec::new(),
    };
    let inspected = inspect_all(&engine, &states);
    let image = app_image(&compose, &lookup)
        .unwrap_or_else(|| format!("{}:{}", t.plan.name, if t.prod { "latest" } else { "dev" }));
    let image_id = engine
        .docker(&[
            "image",
            "inspect",
            "-f",
            "{{.Id}}|{{.Created}}|{{.Config.User}}",
            &image,
        ])
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    checks.push(image_check(
        t,
        &compose,
        &image,
        image_id.as_deref(),
        &states,
        &inspected,
    ));
    let running = states.iter().any(|s| s.status == "running");
    checks.push(
        services.unwrap_or_else(|| services_check(t, &engine, &compose, &states, &inspected)),
    );
    let not_running = format!(
        "the {} stack is not running (no running container of compose project {}): start it \
         with `{}`",
        t.stack_name(),
        t.project.name,
        t.djship("up")
    );
    let web = states
        .iter()
        .find(|s| s.service == crate::targets::compose::WEB_SERVICE && s.status == "running");
    // The database as the web container sees it, and the migrations, in one exec.
    // It, the password check and the volume check each wait on a container: side by side.
    let (probe, password, volumes) = std::thread::scope(|scope| {
        let probe = scope.spawn(|| web.map(|w| db_probe(&engine, t, w)));
        let password = scope.spawn(|| password_check(t, &engine, &compose, &lookup, &states));
        let volumes = volumes_check(t, &engine, &compose, &lookup, &image, image_id.is_some());
        let failed = |what: &str| format!("the {what} check failed unexpectedly");
        (
            probe.join().ok().flatten(),
            password
                .join()
                .unwrap_or_else(|_| Check::skipped("database-password", failed("password"))),
            volumes,
        )
    });
    match (&probe, running) {
        (Some(p), _) => checks.push(database_check(t, &engine, p, &states)),
        (None, false) => checks.push(Check::skipped("database", &not_running)),
        (None, true) => checks.push(Check::skipped(
            "database",
            "the web service is not running (see services)",
        )),
    }
    checks.push(password);
    checks.push(volumes);
    match (&probe, running) {
        (Some(p), _) => checks.push(migrations_check(t, p)),
        (None, false) => checks.push(Check::skipped("migrations", &not_running)),
        (None, true) => checks.push(Check::skipped(
            "migrations",
            "the web service is not running (see services)",
        )),
    }
    finish(t, running, checks)
}

fn finish(t: &Target, running: bool, checks: Vec<Check>) -> Report {
    let count = |s: Severity| {
        checks
            .iter()
            .flat_map(|c| &c.findings)
            .filter(|f| f.severity == s)
            .count()
    };
    Report {
        project: t.project.name.clone(),
        stack: t.stack_name(),
        compose_file: t.project.file.clone(),
        running,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        checks,
    }
}

/// Run a command, giving it `input` on stdin, for at most `timeout`.
fn run_timeout(mut cmd: Command, input: Option<&str>, timeout: Duration) -> Result<Output, String> {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        let _ = stdin.write_all(text.as_bytes());
    }
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let read_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_end(&mut b);
        }
        b
    });
    let read_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut b);
        }
        b
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer after {}s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(e.to_string()),
        }
    };
    Ok(Output {
        status,
        stdout: read_out.join().unwrap_or_default(),
        stderr: read_err.join().unwrap_or_default(),
    })
}

fn output_text(o: &Output) -> String {
    super::text(o).trim().to_string()
}

/// The app image of the compose file: the web service's `image:`.
fn app_image(compose: &Compose, lookup: &Lookup) -> Option<String> {
    let web = compose.service(crate::targets::compose::WEB_SERVICE)?;
    let image = web.get("image")?.as_str()?;
    Some(ports::interpolate(image, &|n| lookup.get(n)).0)
}

/// The services built from the app image (web, migrate, workers).
fn app_services<'c>(
    compose: &'c Compose,
    image: &str,
    lookup: &Lookup,
) -> Vec<(&'c str, &'c Node)> {
    compose
        .file
        .services()
        .filter(|(_, _, s)| {
            s.get("build").is_some()
                || s.get("image")
                    .and_then(Node::as_str)
                    .is_some_and(|i| ports::interpolate(i, &|n| lookup.get(n)).0 == image)
        })
        .map(|(n, _, s)| (n, s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_status() {
        let c = Check::done(
            "x",
            "s",
            vec![Finding::info("a"), Finding::warning("b", "c")],
        );
        assert_eq!(c.status, Status::Warning);
        assert_eq!(Check::done("x", "s", Vec::new()).status, Status::Ok);
        assert_eq!(Check::skipped("x", "why").status, Status::Skipped);
    }
}

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

pub mod env;
pub mod ports;

use super::{Engine, Project, ServiceState};
use crate::detect::Facts;
use crate::evidence::Evidence;
use crate::lint::compose::{self as lc, ComposeFile, Node};
use crate::lint::source::Source;
use crate::plan::{DbEngine, Plan};
use crate::severity::Severity;
use crate::shell::quote;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

// ---------------------------------------------------------------------------------------
// engine and buildkit

/// The docker client's version from `docker --version` (`Docker version 28.2.2, build x`).
pub fn client_version(text: &str) -> Option<String> {
    let v = text.split("version").nth(1)?.trim();
    let v = v.split([',', ' ']).next()?.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The major version of a docker version (`20.10.24+dfsg1` → 20).
pub fn major(version: &str) -> Option<u32> {
    version.split('.').next()?.trim().parse().ok()
}

/// Whether a docker client builds with BuildKit: with the buildx component; or, before
/// Docker 23 (whose `docker build` is buildx), through the engine's BuildKit with
/// DOCKER_BUILDKIT=1.
fn builds_with_buildkit(docker: &Path) -> (bool, Option<String>) {
    let version = Command::new(docker)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| client_version(&String::from_utf8_lossy(&o.stdout)));
    let buildx = Command::new(docker)
        .args(["buildx", "version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let old = version.as_deref().and_then(major).is_some_and(|m| m < 23);
    (buildx || old, version)
}

/// Other docker binaries on this machine (PATH, /usr/bin, /usr/local/bin) than `current`.
fn other_dockers(current: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/bin".into(), "/usr/local/bin".into(), "/bin".into()]);
    let current = which(current).unwrap_or_else(|| current.to_path_buf());
    let current = std::fs::canonicalize(&current).unwrap_or(current);
    let mut out: Vec<PathBuf> = Vec::new();
    for d in dirs {
        let p = d.join("docker");
        let Ok(real) = std::fs::canonicalize(&p) else {
            continue;
        };
        if real != current && p.is_file() && !out.iter().any(|o| o == &p) {
            out.push(p);
        }
    }
    out
}

/// Where a bare command name is found on PATH.
fn which(cmd: &Path) -> Option<PathBuf> {
    if cmd.components().count() > 1 {
        return Some(cmd.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(cmd))
            .find(|p| p.is_file())
    })
}

fn engine_checks() -> (Check, Check, Option<Engine>) {
    let chosen = std::env::var_os("DJSHIP_DOCKER");
    let docker: PathBuf = chosen
        .clone()
        .map(PathBuf::from)
        .unwrap_or_else(|| "docker".into());
    let how = if chosen.is_some() {
        format!("DJSHIP_DOCKER={}", docker.display())
    } else {
        "docker on PATH".to_string()
    };
    let mut cmd = Command::new(&docker);
    cmd.args(["info", "--format", "{{.ServerVersion}}"]);
    let info = run_timeout(cmd, None, Duration::from_secs(20));
    let server = match info {
        Err(e) => {
            let f = Finding::error(
                format!("cannot run the docker client ({how}): {e}"),
                "install Docker (Docker Engine on Linux, Docker Desktop elsewhere), or set \
                 DJSHIP_DOCKER to the docker binary",
            );
            return (
                Check::done("engine", "the docker client and the engine", vec![f]),
                Check::skipped("buildkit", "no docker client (see engine)"),
                None,
            );
        }
        Ok(o) if !o.status.success() => {
            let text = output_text(&o);
            let host = std::env::var("DOCKER_HOST")
                .map(|h| format!(" (DOCKER_HOST={h})"))
                .unwrap_or_default();
            let remedy = if text.contains("permission denied") {
                "the engine's socket refuses this user: add it to the docker group (`sudo \
                 usermod -aG docker $USER`, then log in again), or run djship as root"
                    .to_string()
            } else {
                format!(
                    "start the engine (`sudo systemctl start docker`, or start Docker Desktop) \
                     and check that `{} info` answers{host}",
                    docker.display()
                )
            };
            let f = Finding::error(
                format!("the Docker engine does not answer {how}{host}"),
                remedy,
            )
            .with_detail(text.lines().map(String::from).collect());
            return (
                Check::done("engine", "the docker client and the engine", vec![f]),
                Check::skipped("buildkit", "the engine does not answer (see engine)"),
                None,
            );
        }
        Ok(o) => String::from_utf8_lossy(&o.stdout).trim().to_string(),
    };
    let mut findings = Vec::new();
    if major(&server).is_some_and(|m| m < 18) {
        findings.push(Finding::error(
            format!("the engine is Docker {server}: BuildKit needs 18.09 or newer"),
            "upgrade the Docker engine",
        ));
    }
    // compose, as Engine::connect chooses it.
    let compose = super::compose_command(&docker);
    let compose_version = compose.split_first().and_then(|(bin, pre)| {
        Command::new(bin)
            .args(pre)
            .arg("version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    });
    match &compose_version {
        Some(v) if v.contains("version 1.") || v.contains("version v1.") => {
            findings.push(Finding::error(
                format!(
                    "{} is compose v1 ({v}): the generated files need compose v2",
                    compose.join(" ")
                ),
                "install Docker Compose v2 (the docker compose plugin, or its docker-compose \
                 binary on PATH), or set DJSHIP_COMPOSE to its command",
            ))
        }
        Some(_) => {}
        None => findings.push(Finding::error(
            format!(
                "compose does not answer: neither `{} compose version` nor `{} version`",
                docker.display(),
                compose.join(" ")
            ),
            "install Docker Compose v2 (the docker compose plugin, or its docker-compose \
             binary on PATH), or set DJSHIP_COMPOSE to its command",
        )),
    }
    let summary = format!(
        "Docker engine {server} answers ({how}); compose: {}",
        compose_version
            .as_deref()
            .map(|v| format!("{} ({v})", compose.join(" ")))
            .unwrap_or_else(|| "none".into())
    );
    let engine_check = Check::done("engine", summary, findings);

    let (ok, version) = builds_with_buildkit(&docker);
    let shown = which(&docker).unwrap_or(docker.clone());
    let version_text = version
        .clone()
        .unwrap_or_else(|| "of unknown version".into());
    let buildkit = if ok {
        Check::done(
            "buildkit",
            format!(
                "docker {version_text} ({}) builds with BuildKit",
                shown.display()
            ),
            Vec::new(),
        )
    } else {
        let alternative = other_dockers(&docker)
            .into_iter()
            .find(|d| builds_with_buildkit(d).0)
            .map(|d| {
                format!(
                    "; or set DJSHIP_DOCKER={}, a docker client on this machine that builds \
                     with BuildKit",
                    d.display()
                )
            })
            .unwrap_or_default();
        Check::done(
            "buildkit",
            "BuildKit through the docker client",
            vec![Finding::error(
                format!(
                    "docker {version_text} ({}) has no buildx component: from Docker 23 on, \
                     `docker build` is buildx, so `djship build` fails with \"BuildKit is \
                     enabled but the buildx component is missing or broken\"",
                    shown.display()
                ),
                format!(
                    "install the buildx component (Debian and Ubuntu: `apt-get install \
                     docker-buildx`; Docker's own packages: docker-buildx-plugin){alternative}"
                ),
            )],
        )
    };
    let engine = Engine {
        docker,
        compose: if compose.is_empty() {
            vec!["docker-compose".into()]
        } else {
            compose
        },
    };
    (engine_check, buildkit, Some(engine))
}

// ---------------------------------------------------------------------------------------
// env

fn env_check(t: &Target, compose: &Compose, lookup: &Lookup) -> Check {
    let file = &t.project.file;
    let web_name = crate::targets::compose::WEB_SERVICE;
    if let Some((at, message)) = &compose.file.error {
        let line = compose.src.position(at.start).line;
        return Check::done(
            "env",
            format!("the services of {file}"),
            vec![Finding::error(
                format!("{file}:{line} is not valid YAML: {message}"),
                format!("fix {file} at line {line} (`docker compose -f {file} config` shows compose's own reading)"),
            )
            .at(Some(Evidence::at(file.clone(), line)))],
        );
    }
    let Some(web) = compose.service(web_name) else {
        return Check::skipped(
            "env",
            format!("{file} has no {web_name} service to compare the settings with"),
        );
    };
    let mut findings = Vec::new();
    let mut provided: env::Provided = BTreeMap::new();
    let mut env_files = Vec::new();
    for (path, node) in lc::env_file_entries(web) {
        let path = ports::interpolate(path, &|n| lookup.get(n)).0;
        env_files.push(path.clone());
        match std::fs::read_to_string(t.root.join(&path)) {
            Ok(text) => {
                for (k, _, line) in env::read_env_file(&text) {
                    provided.entry(k).or_insert(format!("{path}:{line}"));
                }
            }
            Err(_) => findings.push(
                Finding::error(
                    format!("{file} gives {web_name} the env file {path}, which cannot be read"),
                    if t.root.join(".env.example").is_file() && path == ".env" {
                        "run `djship init` (it writes .env with fresh secrets), or copy \
                         .env.example to .env and fill it in"
                            .to_string()
                    } else {
                        format!("create {path}, or remove it from {file}")
                    },
                )
                .at(compose.line(node)),
            ),
        }
    }
    if let Some(e) = web.get("environment") {
        for (k, _, _) in e.env_pairs() {
            provided
                .entry(k)
                .or_insert_with(|| format!("{file} environment"));
        }
    }
    // The image's ENV (the final stage of the Dockerfile).
    if let Ok(text) = std::fs::read_to_string(t.root.join("Dockerfile")) {
        let d = crate::dockerfile::parse(&text);
        for s in d.stage_chain(d.final_stage()) {
            for i in d.stage(s).filter(|i| i.keyword == "ENV") {
                for (k, _) in crate::dockerfile::assignments(&i.args) {
                    provided.entry(k).or_insert_with(|| "Dockerfile ENV".into());
                }
            }
        }
    }
    let env_file = env_files.first().cloned().unwrap_or_else(|| ".env".into());
    let planned: Vec<String> = t
        .plan
        .env
        .vars
        .iter()
        .filter(|v| v.value.is_some() || v.generate.is_some())
        .map(|v| v.name.clone())
        .collect();
    let example = t
        .root
        .join(".env.example")
        .is_file()
        .then_some(".env.example");
    let example_text = example
        .and_then(|e| std::fs::read_to_string(t.root.join(e)).ok())
        .unwrap_or_default();
    findings.extend(env::compare(
        &t.facts.env_vars,
        &provided,
        &planned,
        &env_file,
        example.map(|e| (e, example_text.as_str())),
    ));
    findings.extend(env::compose_required(
        file,
        &compose.src.text,
        &|n| lookup.get(n),
        ".env",
    ));
    let read = {
        let mut names: Vec<&str> = t.facts.env_vars.iter().map(|v| v.name.as_str()).collect();
        names.dedup();
        names.len()
    };
    Check::done(
        "env",
        format!(
            "{read} variables the settings read, against {}, {file}'s environment and the \
             Dockerfile's ENV",
            if env_files.is_empty() {
                "no env file".to_string()
            } else {
                env_files.join(", ")
            }
        ),
        findings,
    )
}

// ---------------------------------------------------------------------------------------
// ports

/// A published port of the compose file, with where it is written and what sets it.
struct PortUse {
    service: String,
    published: ports::Published,
    evidence: Option<Evidence>,
    /// The variable that chooses the host port (`WEB_PORT`), when one does.
    var: Option<String>,
}

fn port_uses(compose: &Compose, lookup: &Lookup) -> Vec<PortUse> {
    let mut out = Vec::new();
    for (name, _, svc) in compose.file.services() {
        for p in svc.get("ports").map(|p| p.items()).unwrap_or(&[]) {
            let (published, var) = match p.as_str() {
                Some(s) => {
                    let (text, refs) = ports::interpolate(s, &|n| lookup.get(n));
                    // The variable in the host part (before the container port).
                    let host_part = s.rsplit_once(':').map(|x| x.0).unwrap_or("");
                    let var = refs
                        .into_iter()
                        .find(|r| host_part.contains(&r.name))
                        .map(|r| r.name);
                    (ports::parse_port(&text), var)
                }
                None => {
                    let get = |k: &str| {
                        p.get(k)
                            .and_then(Node::as_str)
                            .map(|v| ports::interpolate(v, &|n| lookup.get(n)))
                    };
                    let published = get("published");
                    let var = p
                        .get("published")
                        .and_then(Node::as_str)
                        .and_then(|v| ports::interpolate(v, &|_| None).1.into_iter().next())
                        .map(|r| r.name);
                    let proto = get("protocol").map(|x| x.0).unwrap_or_else(|| "tcp".into());
                    let parsed = published
                        .and_then(|(v, _)| v.split('-').next()?.parse::<u16>().ok())
                        .filter(|_| proto == "tcp")
                        .map(|port| ports::Published {
                            host_ip: get("host_ip")
                                .map(|x| x.0)
                                .filter(|i| !i.is_empty() && i != "0.0.0.0" && i != "::"),
                            port,
                            target: get("target").map(|x| x.0).unwrap_or_default(),
                        });
                    (parsed, var)
                }
            };
            if let Some(published) = published {
                out.push(PortUse {
                    service: name.to_string(),
                    published,
                    evidence: compose.line(p),
                    var,
                });
            }
        }
    }
    out
}

fn ports_check(
    t: &Target,
    compose: &Compose,
    lookup: &Lookup,
    engine: Option<&Engine>,
    states: Option<&Vec<ServiceState>>,
) -> Check {
    let uses = port_uses(compose, lookup);
    if uses.is_empty() {
        return Check::done(
            "ports",
            format!("{} publishes no port on the host", t.project.file),
            Vec::new(),
        );
    }
    let mut findings = Vec::new();
    let mut listed = Vec::new();
    for u in &uses {
        let port = u.published.port;
        let ip = u.published.host_ip.as_deref();
        listed.push(format!(
            "{}{port} ({})",
            ip.map(|i| format!("{i}:")).unwrap_or_default(),
            u.service
        ));
        // A container that publishes it: this stack's (fine) or another.
        let publishers: Vec<(String, String, String, String)> = engine
            .and_then(|e| {
                e.docker(&[
                    "ps",
                    "--filter",
                    &format!("publish={port}"),
                    "--format",
                    "{{.Names}}\t{{.Label \"com.docker.compose.project\"}}\t{{.Label \"com.docker.compose.service\"}}\t{{.Label \"com.docker.compose.project.working_dir\"}}",
                ])
                .ok()
            })
            .filter(|o| o.status.success())
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .filter_map(|l| {
                        let mut w = l.split('\t');
                        Some((
                            w.next()?.to_string(),
                            w.next().unwrap_or("").to_string(),
                            w.next().unwrap_or("").to_string(),
                            w.next().unwrap_or("").to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let ours = publishers
            .iter()
            .find(|(_, p, s, _)| p == &t.project.name && s == &u.service);
        if ours.is_some() {
            continue;
        }
        let own_running = states.is_some_and(|s| {
            s.iter()
                .any(|c| c.service == u.service && c.status == "running")
        });
        // Bind it to see; where this user may not bind it (below 1024 without the right),
        // a listening socket in /proc says it is taken.
        let taken = match ports::taken(ip, port) {
            Some(t) => t,
            None => !ports::holders_from_proc(Path::new("/proc"), port).is_empty(),
        };
        if !taken && publishers.is_empty() {
            continue;
        }
        if own_running && publishers.is_empty() {
            // Held by this stack through a proxy djship cannot name; not a conflict.
            continue;
        }
        let where_ = u
            .evidence
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_else(|| t.project.file.clone());
        let free = ports::next_free(ip, port);
        let in_env = u.var.as_ref().and_then(|v| std::env::var(v).ok());
        let move_it = match (&u.var, free) {
            (Some(v), Some(f)) if in_env.is_some() => format!(
                "or give this stack another port: {v} is set in the environment ({}, which wins \
                 over .env): set {v}={f} ({where_} reads {v})",
                in_env.as_deref().unwrap_or_default()
            ),
            (Some(v), Some(f)) => format!(
                "or give this stack another port: add `{v}={f}` to .env ({where_} reads {v})"
            ),
            (Some(v), None) => {
                format!("or give this stack another port: set {v} in .env ({where_} reads it)")
            }
            (None, _) => format!("or change the host port at {where_}"),
        };
        let (message, remedy) = if let Some((name, project, service, dir)) = publishers.first() {
            let whose = if project.is_empty() {
                format!("container {name}")
            } else if project == &t.project.name {
                format!("container {name} (service {service} of this project's other stack)")
            } else if dir.is_empty() {
                format!("container {name} (compose project {project})")
            } else {
                format!("container {name} (compose project {project}, in {dir})")
            };
            let whole = if project.is_empty() || project == &t.project.name {
                String::new()
            } else {
                format!(
                    " (or its whole stack: `docker compose -p {} stop`)",
                    quote(project)
                )
            };
            (
                format!(
                    "port {port} ({} of {}) is taken by {whose}",
                    u.published.target, u.service
                ),
                format!("stop it: `docker stop {name}`{whole}, {move_it}"),
            )
        } else {
            let mut holders = ports::holders_from_proc(Path::new("/proc"), port);
            if holders.is_empty() {
                holders = Command::new("ss")
                    .args(["-ltnpH"])
                    .output()
                    .ok()
                    .map(|o| ports::holders_from_ss(&String::from_utf8_lossy(&o.stdout), port))
                    .unwrap_or_default();
            }
            match holders.first() {
                Some(h) => (
                    format!(
                        "port {port} ({} of {}) is taken by the process {} (pid {}{})",
                        u.published.target,
                        u.service,
                        h.name,
                        h.pid,
                        h.command
                            .as_deref()
                            .map(|c| {
                                let c = c.split_whitespace().collect::<Vec<_>>().join(" ");
                                format!(": {}", c.chars().take(120).collect::<String>())
                            })
                            .unwrap_or_default()
                    ),
                    format!("stop {} (`kill {}`), {move_it}", h.name, h.pid),
                ),
                None => (
                    format!(
                        "port {port} ({} of {}) is taken by a process djship cannot see (another \
                         user's: run doctor as root, or `sudo ss -ltnp 'sport = :{port}'`)",
                        u.published.target, u.service
                    ),
                    format!("stop that process, {move_it}"),
                ),
            }
        };
        findings.push(Finding::error(message, remedy).at(u.evidence.clone()));
    }
    Check::done(
        "ports",
        format!("host ports {}", listed.join(", ")),
        findings,
    )
}

// ---------------------------------------------------------------------------------------
// image

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

/// Seconds since the epoch of an RFC 3339 time as the engine writes it
/// (`2025-01-02T03:04:05.123456789Z`, or with an offset).
pub fn rfc3339_seconds(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (clock, offset) = match time.find(['Z', '+', '-']) {
        Some(i) => (&time[..i], &time[i..]),
        None => (time, "Z"),
    };
    let mut c = clock.split(':');
    let h: i64 = c.next()?.parse().ok()?;
    let min: i64 = c.next()?.parse().ok()?;
    let sec: i64 = c.next()?.split('.').next()?.parse().ok()?;
    let off = if offset == "Z" || offset.is_empty() {
        0
    } else {
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let mut o = offset[1..].split(':');
        let oh: i64 = o.next()?.parse().ok()?;
        let om: i64 = o.next().unwrap_or("0").parse().ok()?;
        if !(0..24).contains(&oh) || !(0..60).contains(&om) {
            return None;
        }
        sign * (oh * 3600 + om * 60)
    };
    let valid = (0..=9999).contains(&y)
        && (1..=12).contains(&m)
        && (1..=31).contains(&day)
        && (0..24).contains(&h)
        && (0..60).contains(&min)
        && (0..=60).contains(&sec)
        && off.abs() < 86400;
    if !valid {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    Some(days * 86400 + h * 3600 + min * 60 + sec - off)
}

fn mtime(p: &Path) -> Option<i64> {
    let m = std::fs::metadata(p).ok()?.modified().ok()?;
    Some(m.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64)
}

fn ago(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86400),
    }
}

fn image_check(
    t: &Target,
    compose: &Compose,
    image: &str,
    inspected: Option<&str>,
    states: &[ServiceState],
    containers: &BTreeMap<String, serde_json::Value>,
) -> Check {
    let Some(inspected) = inspected else {
        return Check::done(
            "image",
            format!("the app image {image}"),
            vec![Finding::error(
                format!("the image {image} does not exist: the stack cannot start"),
                format!("build it: `{}`", t.djship("build")),
            )],
        );
    };
    let mut parts = inspected.splitn(3, '|');
    let id = parts.next().unwrap_or("").to_string();
    let created = parts.next().and_then(rfc3339_seconds);
    let mut findings = Vec::new();
    // The files the dependency layers are built from.
    let mut files: Vec<String> = t.plan.install.copy.clone();
    files.push("Dockerfile".into());
    if let Some(f) = &t.facts.frontend {
        let dir = if f.dir.is_empty() {
            String::new()
        } else {
            format!("{}/", f.dir)
        };
        files.push(format!("{dir}package.json"));
        if let Some(l) = &f.lockfile {
            files.push(format!("{dir}{l}"));
        }
    }
    files.dedup();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    if let Some(created) = created {
        let newer: Vec<(String, i64)> = files
            .iter()
            .filter_map(|f| Some((f.clone(), mtime(&t.root.join(f))?)))
            .filter(|(_, m)| *m > created)
            .collect();
        if !newer.is_empty() {
            findings.push(
                Finding::warning(
                    format!(
                        "the image {image} (built {} ago) is older than {}: the stack runs without \
                         those changes",
                        ago(now - created),
                        newer
                            .iter()
                            .map(|(f, m)| format!("{f} (changed {} ago)", ago(now - m)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!(
                        "rebuild: `{}`, then restart on the new image: `{} --no-build`",
                        t.djship("build"),
                        t.djship("up")
                    ),
                )
                .at(Some(Evidence::file(newer[0].0.clone()))),
            );
        }
    }
    // Containers still on an earlier build of the tag.
    let app: Vec<&str> = app_services(
        compose,
        image,
        &Lookup {
            dotenv: BTreeMap::new(),
        },
    )
    .into_iter()
    .map(|(n, _)| n)
    .collect();
    let stale: Vec<&str> = states
        .iter()
        .filter(|s| s.status == "running" && app.contains(&s.service.as_str()))
        .filter(|s| {
            containers
                .get(&s.id)
                .and_then(|c| c["Image"].as_str())
                .is_some_and(|i| !id.is_empty() && i != id)
        })
        .map(|s| s.service.as_str())
        .collect();
    if !stale.is_empty() {
        findings.push(Finding::warning(
            format!(
                "{} still run(s) an earlier build than the image {image} now is",
                stale.join(", ")
            ),
            format!("restart on the new image: `{} --no-build`", t.djship("up")),
        ));
    }
    Check::done(
        "image",
        format!(
            "the app image {image}{}, against {}",
            created
                .map(|c| format!(" (built {} ago)", ago(now - c)))
                .unwrap_or_default(),
            files.join(", ")
        ),
        findings,
    )
}

// ---------------------------------------------------------------------------------------
// services and their health checks

/// `docker inspect` of the containers, by id.
fn inspect_all(engine: &Engine, states: &[ServiceState]) -> BTreeMap<String, serde_json::Value> {
    if states.is_empty() {
        return BTreeMap::new();
    }
    let mut args = vec!["inspect"];
    args.extend(states.iter().map(|s| s.id.as_str()));
    let Ok(json) = engine.docker_ok(&args) else {
        return BTreeMap::new();
    };
    serde_json::from_str::<serde_json::Value>(&json)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| Some((c["Id"].as_str()?.to_string(), c)))
        .collect()
}

/// The last health check's exit code and output (`.State.Health.Log`), when there is one.
pub fn last_health(container: &serde_json::Value) -> Option<(i64, String)> {
    let log = container["State"]["Health"]["Log"].as_array()?;
    let last = log.last()?;
    Some((
        last["ExitCode"].as_i64().unwrap_or(-1),
        last["Output"].as_str().unwrap_or("").trim().to_string(),
    ))
}

fn services_check(
    t: &Target,
    engine: &Engine,
    compose: &Compose,
    states: &[ServiceState],
    containers: &BTreeMap<String, serde_json::Value>,
) -> Check {
    if !states.iter().any(|s| s.status == "running") && states.iter().all(|s| s.failure().is_none())
    {
        return Check::skipped(
            "services",
            format!(
                "the {} stack is not running (no running container of compose project {}): \
                 start it with `{}`",
                t.stack_name(),
                t.project.name,
                t.djship("up")
            ),
        );
    }
    let mut findings = Vec::new();
    let logs_cmd = |svc: &str| {
        format!(
            "djship logs{} {} --service {svc}",
            if t.prod { " --prod" } else { "" },
            quote(&t.shown)
        )
    };
    for (name, _, svc) in compose.file.services() {
        let one_shot = svc
            .get("restart")
            .and_then(Node::as_str)
            .is_none_or(|r| r == "no")
            && name == crate::targets::compose::RELEASE_SERVICE;
        let mine: Vec<&ServiceState> = states.iter().filter(|s| s.service == name).collect();
        if mine.is_empty() {
            findings.push(Finding::warning(
                format!("{name} has no container"),
                format!("start the stack: `{} --no-build`", t.djship("up")),
            ));
            continue;
        }
        for s in mine {
            let tail = || {
                engine
                    .log_tail(&s.id, 20)
                    .unwrap_or_else(|e| vec![format!("(no log: {e})")])
            };
            let health = containers.get(&s.id).and_then(last_health);
            if let Some(why) = s.failure() {
                let mut message = format!("{}: {why}", s.container);
                if let (Some((code, out)), true) =
                    (&health, s.health.as_deref() == Some("unhealthy"))
                {
                    let check = svc
                        .get("healthcheck")
                        .and_then(|h| h.get("test"))
                        .map(|x| x.joined())
                        .unwrap_or_default();
                    message.push_str(&format!(
                        ": its health check{} fails (exit code {code}){}",
                        if check.is_empty() {
                            String::new()
                        } else {
                            format!(" `{check}`")
                        },
                        if out.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", out.lines().last().unwrap_or(""))
                        }
                    ));
                }
                let mut detail = vec![format!("--- {} last log lines ---", s.container)];
                detail.extend(tail());
                findings.push(
                    Finding::error(
                        message,
                        format!(
                            "the cause is in its log lines below; the whole log: `{}`; after the fix: `{} --no-build`",
                            logs_cmd(name),
                            t.djship("up")
                        ),
                    )
                    .at(compose.line(svc))
                    .with_detail(detail),
                );
            } else if s.status == "exited" && !(one_shot && s.exit_code == 0) {
                findings.push(
                    Finding::error(
                        format!("{} is not running ({})", s.container, s.describe()),
                        format!(
                            "start it: `{}`",
                            engine.command_line(&t.project, &["start", name])
                        ),
                    )
                    .at(compose.line(svc)),
                );
            } else if s.status == "created" && !one_shot {
                findings.push(Finding::warning(
                    format!(
                        "{} was created but never started (it waits for a dependency)",
                        s.container
                    ),
                    format!(
                        "see the other services' findings; then `{} --no-build`",
                        t.djship("up")
                    ),
                ));
            } else if s.health.as_deref() == Some("starting") {
                findings.push(Finding::info(format!(
                    "{} is still starting (health check not passed yet)",
                    s.container
                )));
            }
        }
    }
    let summary = format!(
        "{} containers: {}",
        states.len(),
        states
            .iter()
            .map(|s| format!("{} {}", s.service, s.describe()))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Check::done("services", summary, findings)
}

// ---------------------------------------------------------------------------------------
// the database from the web container, and the migrations

/// Run in the web container with `python -c`: Django's own connection to each database,
/// then the migrations `migrate` would apply (what `migrate --check` looks at). Prints
/// tab-separated lines that start with `djship-doctor`.
const DB_PROBE: &str = r#"
import os, sys
sys.path.insert(0, os.getcwd())
def out(*words):
    print("\t".join(["djship-doctor"] + [" ".join(str(w).split()) for w in words]), flush=True)
try:
    import django
    django.setup()
    from django.db import connections
except Exception as exc:
    out("setup", "%s: %s" % (type(exc).__name__, exc))
    sys.exit(0)
ok = False
for alias in connections:
    c = connections[alias]
    host = c.settings_dict.get("HOST") or ""
    try:
        c.ensure_connection()
        out("db-ok", alias, c.vendor, host)
        ok = ok or alias == "default"
    except Exception as exc:
        out("db-error", alias, c.vendor, host, "%s: %s" % (type(exc).__name__, exc))
if ok:
    try:
        from django.db.migrations.executor import MigrationExecutor
        ex = MigrationExecutor(connections["default"])
        for app, names in ex.loader.detect_conflicts().items():
            out("conflict", app, ", ".join(sorted(names)))
        for m, backwards in ex.migration_plan(ex.loader.graph.leaf_nodes()):
            out("unapplied", "%s.%s" % (m.app_label, m.name))
        out("migrations-checked")
    except Exception as exc:
        out("migrations-error", "%s: %s" % (type(exc).__name__, exc))
"#;

/// What the probe in the web container said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DbProbe {
    /// Django could not even start (settings error): the message.
    pub setup_error: Option<String>,
    /// (alias, vendor, host).
    pub ok: Vec<(String, String, String)>,
    /// (alias, vendor, host, the driver's error).
    pub errors: Vec<(String, String, String, String)>,
    pub unapplied: Vec<String>,
    pub conflicts: Vec<(String, String)>,
    pub migrations_checked: bool,
    pub migrations_error: Option<String>,
    /// The exec itself failed (no python, timeout): its output.
    pub exec_error: Option<String>,
}

pub fn parse_db_probe(stdout: &str) -> DbProbe {
    let mut p = DbProbe::default();
    for line in stdout.lines() {
        let mut w = line.split('\t');
        if w.next() != Some("djship-doctor") {
            continue;
        }
        let kind = w.next().unwrap_or("");
        let rest: Vec<String> = w.map(String::from).collect();
        let get = |i: usize| rest.get(i).cloned().unwrap_or_default();
        match kind {
            "setup" => p.setup_error = Some(get(0)),
            "db-ok" => p.ok.push((get(0), get(1), get(2))),
            "db-error" => p.errors.push((get(0), get(1), get(2), get(3))),
            "unapplied" => p.unapplied.push(get(0)),
            "conflict" => p.conflicts.push((get(0), get(1))),
            "migrations-checked" => p.migrations_checked = true,
            "migrations-error" => p.migrations_error = Some(get(0)),
            _ => {}
        }
    }
    p
}

/// Whether a driver's error says the server refused the password.
pub fn password_refused(error: &str) -> bool {
    let e = error.to_ascii_lowercase();
    e.contains("password authentication failed")
        || e.contains("access denied for user")
        || e.contains("(1045")
}

fn db_probe(engine: &Engine, t: &Target, web: &ServiceState) -> DbProbe {
    let cmd = engine.compose_cmd(
        &t.project,
        &["exec", "-T", &web.service, "python", "-c", DB_PROBE],
    );
    match run_timeout(cmd, None, Duration::from_secs(60)) {
        Err(e) => DbProbe {
            exec_error: Some(e),
            ..DbProbe::default()
        },
        Ok(o) => {
            let mut p = parse_db_probe(&String::from_utf8_lossy(&o.stdout));
            if p.setup_error.is_none() && p.ok.is_empty() && p.errors.is_empty() {
                p.exec_error = Some(output_text(&o));
            }
            p
        }
    }
}

fn database_check(t: &Target, engine: &Engine, p: &DbProbe, states: &[ServiceState]) -> Check {
    let web = crate::targets::compose::WEB_SERVICE;
    let mut findings = Vec::new();
    if let Some(e) = &p.exec_error {
        findings.push(
            Finding::error(
                format!("cannot run Python in the {web} container to reach the database"),
                format!(
                    "see the output below; `{}` shows the container's log",
                    format_args!(
                        "djship logs{} {} --service {web}",
                        if t.prod { " --prod" } else { "" },
                        quote(&t.shown)
                    )
                ),
            )
            .with_detail(e.lines().map(String::from).collect()),
        );
    }
    if let Some(e) = &p.setup_error {
        findings.push(Finding::error(
            format!("Django does not start in the {web} container: {e}"),
            "fix the settings error above (the env check names missing variables)",
        ));
    }
    let db_service = t.plan.database.as_ref().map(|d| d.service.clone());
    for (alias, vendor, host, error) in &p.errors {
        let db_state = states
            .iter()
            .find(|s| Some(&s.service) == db_service.as_ref() || s.service == *host);
        let remedy = if password_refused(error) {
            "the database refuses the password the web container was started with: see \
             database-password"
                .to_string()
        } else if let Some(s) = db_state.filter(|s| s.status != "running") {
            format!(
                "the {} service is not running ({}): start it: `{}`",
                s.service,
                s.describe(),
                engine.command_line(&t.project, &["start", &s.service])
            )
        } else if db_state.is_none() && db_service.as_deref().is_some_and(|d| d == host) {
            format!(
                "the {host} service has no container: `{} --no-build`",
                t.djship("up")
            )
        } else {
            format!(
                "check the database variables in .env (host {host:?}) and the database's log: \
                 `djship logs{} {} --service {}`",
                if t.prod { " --prod" } else { "" },
                quote(&t.shown),
                db_service.as_deref().unwrap_or(host)
            )
        };
        findings.push(Finding::error(
            format!(
                "the {web} container cannot connect to the {alias} database ({vendor}{}): {error}",
                if host.is_empty() {
                    String::new()
                } else {
                    format!(" at {host}")
                }
            ),
            remedy,
        ));
    }
    let summary = if p.ok.is_empty() {
        format!("Django's connection from the {web} container")
    } else {
        format!(
            "Django connects from the {web} container to {}",
            p.ok.iter()
                .map(|(a, v, h)| format!(
                    "{a} ({v}{})",
                    if h.is_empty() {
                        String::new()
                    } else {
                        format!(" at {h}")
                    }
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Check::done("database", summary, findings)
}

fn migrations_check(t: &Target, p: &DbProbe) -> Check {
    if !p.migrations_checked && p.migrations_error.is_none() {
        return Check::skipped(
            "migrations",
            "the web container cannot reach the database (see database)",
        );
    }
    let mut findings = Vec::new();
    let migrate = if t.prod {
        format!("`{} --no-build` (its migrate service applies them), or `djship manage --prod {} -- migrate`", t.djship("up"), quote(&t.shown))
    } else {
        format!("`djship manage {} -- migrate`", quote(&t.shown))
    };
    if let Some(e) = &p.migrations_error {
        findings.push(Finding::error(
            format!("Django cannot load the migrations: {e}"),
            "fix the migration files the message names",
        ));
    }
    for (app, names) in &p.conflicts {
        findings.push(Finding::error(
            format!("conflicting migrations in {app}: {names}"),
            format!(
                "merge them: `djship manage{} {} -- makemigrations --merge {app}` (then rebuild)",
                if t.prod { " --prod" } else { "" },
                quote(&t.shown)
            ),
        ));
    }
    if !p.unapplied.is_empty() {
        findings.push(
            Finding::error(
                format!(
                    "{} migration(s) not applied: {}",
                    p.unapplied.len(),
                    p.unapplied
                        .iter()
                        .take(8)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                        + if p.unapplied.len() > 8 { ", …" } else { "" }
                ),
                format!("apply them: {migrate}"),
            )
            .with_detail(p.unapplied.clone()),
        );
    }
    let summary = if p.unapplied.is_empty() && p.migrations_checked {
        "every migration of the default database is applied"
    } else {
        "the migrations of the default database"
    };
    Check::done("migrations", summary, findings)
}

// ---------------------------------------------------------------------------------------
// the database's password against .env

/// The variables of the database container for user, password and database.
fn db_credentials(
    kind: DbEngine,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
) {
    match kind {
        DbEngine::Postgresql => (&["POSTGRES_USER"], &["POSTGRES_PASSWORD"], &["POSTGRES_DB"]),
        DbEngine::Mariadb => (
            &["MARIADB_USER", "MYSQL_USER"],
            &["MARIADB_PASSWORD", "MYSQL_PASSWORD"],
            &["MARIADB_DATABASE", "MYSQL_DATABASE"],
        ),
    }
}

/// Connects over the container's own network address (loopback is trusted without a
/// password in the official images): the password comes on stdin, never in a command line.
const PG_PASSWORD_PROBE: &str = r#"read -r PGPASSWORD; export PGPASSWORD; ip=$(hostname -i | cut -d' ' -f1); exec psql -h "$ip" -U "$1" -d "$2" -Atc 'select 1'"#;
const MARIADB_PASSWORD_PROBE: &str = r#"read -r MYSQL_PWD; export MYSQL_PWD; ip=$(hostname -i | cut -d' ' -f1); if command -v mariadb >/dev/null; then c=mariadb; else c=mysql; fi; exec "$c" -h "$ip" -u "$1" -e 'select 1' "$2""#;

fn password_check(
    t: &Target,
    engine: &Engine,
    compose: &Compose,
    lookup: &Lookup,
    states: &[ServiceState],
) -> Check {
    let id = "database-password";
    let Some(db) = &t.plan.database else {
        return Check::skipped(id, "the stack has no database service");
    };
    let Some(svc) = compose.service(&db.service) else {
        return Check::skipped(
            id,
            format!("{} has no {} service", t.project.file, db.service),
        );
    };
    if !states
        .iter()
        .any(|s| s.service == db.service && s.status == "running")
    {
        return Check::skipped(id, format!("the {} service is not running", db.service));
    }
    let env: BTreeMap<String, (Option<String>, Option<Evidence>)> = svc
        .get("environment")
        .map(|e| {
            e.env_pairs()
                .into_iter()
                .map(|(k, v, r)| {
                    let v = v.map(|v| ports::interpolate(&v, &|n| lookup.get(n)).0);
                    (
                        k,
                        (
                            v,
                            Some(Evidence::at(
                                t.project.file.clone(),
                                compose.src.position(r.start).line,
                            )),
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let (users, passwords, dbs) = db_credentials(db.kind);
    let pick = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| env.get(*n).map(|v| (n.to_string(), v.clone())))
    };
    let Some((pw_var, (Some(password), pw_at))) = pick(passwords) else {
        return Check::skipped(
            id,
            format!(
                "the {} service's password is not set in {}",
                db.service, t.project.file
            ),
        );
    };
    let user = pick(users)
        .and_then(|(_, (v, _))| v)
        .unwrap_or_else(|| match db.kind {
            DbEngine::Postgresql => "postgres".into(),
            DbEngine::Mariadb => "root".into(),
        });
    let database = pick(dbs)
        .and_then(|(_, (v, _))| v)
        .unwrap_or_else(|| user.clone());
    let script = match db.kind {
        DbEngine::Postgresql => PG_PASSWORD_PROBE,
        DbEngine::Mariadb => MARIADB_PASSWORD_PROBE,
    };
    let cmd = engine.compose_cmd(
        &t.project,
        &[
            "exec",
            "-T",
            &db.service,
            "sh",
            "-c",
            script,
            "sh",
            &user,
            &database,
        ],
    );
    let summary = format!(
        "the {} service against {pw_var} from .env (user {user})",
        db.service
    );
    let out = match run_timeout(cmd, Some(&format!("{password}\n")), Duration::from_secs(30)) {
        Err(e) => {
            return Check::done(
                id,
                summary,
                vec![Finding::warning(
                    format!("cannot ask the {} service: {e}", db.service),
                    format!(
                        "see `djship logs{} {} --service {}`",
                        if t.prod { " --prod" } else { "" },
                        quote(&t.shown),
                        db.service
                    ),
                )],
            );
        }
        Ok(o) => o,
    };
    let text = output_text(&out);
    if out.status.success() {
        return Check::done(id, summary, Vec::new());
    }
    if !password_refused(&text) {
        return Check::done(
            id,
            summary,
            vec![Finding::warning(
                format!(
                    "cannot log in to the {} service to check the password",
                    db.service
                ),
                format!(
                    "see `djship logs{} {} --service {}`",
                    if t.prod { " --prod" } else { "" },
                    quote(&t.shown),
                    db.service
                ),
            )
            .with_detail(text.lines().map(String::from).collect())],
        );
    }
    let volume = lc::mounts(svc)
        .into_iter()
        .find(|m| !m.bind && m.target == db.data_dir.trim_end_matches('/'))
        .and_then(|m| m.source)
        .map(|v| format!("{}_{v}", t.project.name))
        .unwrap_or_else(|| "its data volume".into());
    let keep = match db.kind {
        DbEngine::Postgresql => format!(
            "; or keep the data and give the user .env's password: `{}` and type {pw_var} from .env twice",
            engine.command_line(&t.project, &["exec", &db.service, "psql", "-U", &user, "-d", &database, "-c", &format!("\\password {user}")])
        ),
        DbEngine::Mariadb => String::new(),
    };
    // Where .env sets the password (the line to change), else where compose reads it.
    let pw_at = std::fs::read_to_string(t.root.join(".env"))
        .ok()
        .and_then(|text| {
            env::read_env_file(&text)
                .into_iter()
                .find(|(k, _, _)| k == &pw_var)
                .map(|(_, _, line)| Evidence::at(".env", line))
        })
        .or(pw_at);
    Check::done(
        id,
        summary,
        vec![Finding::error(
            format!(
            "the database refuses {pw_var} from .env for {user}: {volume} was created with another \
             password (the database keeps the one it was first started with; a new .env does not \
             change it), so migrate and web stop at once with \"created with another password\""
        ),
            format!(
                "put the password the volume was created with back in .env ({pw_var}); or remove \
             the volume, which deletes the data: `{}` then `{}`{keep}",
                t.djship("down").replace("djship down", "djship down -v"),
                t.djship("up")
            ),
        )
        .at(pw_at)
        .with_detail(text.lines().map(String::from).collect())],
    )
}

// ---------------------------------------------------------------------------------------
// volumes

const VOLUME_PROBE: &str = r#"printf 'user\t%s\t%s\n' "$(id -u)" "$(id -g)"; for d in "$@"; do if [ -w "$d" ]; then w=writable; else w=read-only; fi; printf 'dir\t%s\t%s\t%s\n' "$d" "$(stat -c '%u:%g %a' "$d")" "$w"; done"#;

/// What the volume probe printed: the user (uid, gid) and each folder's owner, mode and
/// whether that user can write to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VolumeProbe {
    pub uid: String,
    pub gid: String,
    /// (path, "uid:gid", mode, writable)
    pub dirs: Vec<(String, String, String, bool)>,
}

pub fn parse_volume_probe(out: &str) -> VolumeProbe {
    let mut p = VolumeProbe::default();
    for line in out.lines() {
        let w: Vec<&str> = line.split('\t').collect();
        match w.as_slice() {
            ["user", uid, gid] => {
                p.uid = uid.to_string();
                p.gid = gid.to_string();
            }
            ["dir", path, stat, w] => {
                let (owner, mode) = stat.split_once(' ').unwrap_or((stat, ""));
                p.dirs.push((
                    path.to_string(),
                    owner.to_string(),
                    mode.to_string(),
                    *w == "writable",
                ));
            }
            _ => {}
        }
    }
    p
}

fn volumes_check(
    t: &Target,
    engine: &Engine,
    compose: &Compose,
    lookup: &Lookup,
    image: &str,
    image_exists: bool,
) -> Check {
    let id = "volumes";
    if !image_exists {
        return Check::skipped(id, format!("the image {image} does not exist (see image)"));
    }
    // The stack's volumes on the engine, by their compose name.
    let listed = engine
        .docker(&[
            "volume",
            "ls",
            "--filter",
            &format!("label=com.docker.compose.project={}", t.project.name),
            "--format",
            "{{.Name}}\t{{.Label \"com.docker.compose.volume\"}}",
        ])
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let volumes: BTreeMap<String, String> = listed
        .lines()
        .filter_map(|l| {
            let (n, v) = l.split_once('\t')?;
            Some((v.to_string(), n.to_string()))
        })
        .collect();
    let mut findings = Vec::new();
    let mut checked = Vec::new();
    let mut missing = Vec::new();
    let mut jobs = Vec::new();
    for (name, svc) in app_services(compose, image, lookup) {
        let mounts: Vec<(String, String, Option<Evidence>)> = lc::mounts(svc)
            .into_iter()
            .filter(|m| !m.bind)
            .filter(|m| {
                let ro_short = m
                    .node
                    .as_str()
                    .is_some_and(|s| s.ends_with(":ro") || s.contains(":ro,"));
                let ro_long = m.node.get("read_only").and_then(Node::as_str) == Some("true");
                !ro_short && !ro_long
            })
            .filter_map(|m| {
                let v = m.source.clone()?;
                Some((v, m.target.clone(), compose.line(m.node)))
            })
            .collect();
        let mut present = Vec::new();
        for (v, target, at) in mounts {
            match volumes.get(&v) {
                Some(real) => present.push((v, real.clone(), target, at)),
                None => missing.push(v),
            }
        }
        if present.is_empty() {
            continue;
        }
        let user = svc.get("user").and_then(Node::as_str).map(String::from);
        let mut args: Vec<String> = vec![
            "run".into(),
            "--rm".into(),
            "--network".into(),
            "none".into(),
            "--entrypoint".into(),
            "sh".into(),
        ];
        if let Some(u) = &user {
            args.extend(["-u".into(), u.clone()]);
        }
        for (_, real, target, _) in &present {
            // nocopy: an empty volume is not filled from the image (nor re-owned) by this look.
            args.extend(["-v".into(), format!("{real}:{target}:nocopy")]);
        }
        args.extend([
            image.to_string(),
            "-c".into(),
            VOLUME_PROBE.into(),
            "sh".into(),
        ]);
        args.extend(present.iter().map(|p| p.2.clone()));
        jobs.push((name, present, args));
    }
    // One throwaway container per service, side by side.
    let outs: Vec<Result<Output, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|(_, _, args)| {
                scope.spawn(move || {
                    let mut cmd = Command::new(&engine.docker);
                    cmd.args(args);
                    run_timeout(cmd, None, Duration::from_secs(60))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("the look failed".into())))
            .collect()
    });
    for ((name, present, _), out) in jobs.iter().zip(outs) {
        let out = match out {
            Ok(o) if o.status.success() => o,
            Ok(o) => {
                findings.push(
                    Finding::warning(
                        format!("cannot look into {name}'s volumes with the image {image}"),
                        "see the engine's output below",
                    )
                    .with_detail(output_text(&o).lines().map(String::from).collect()),
                );
                continue;
            }
            Err(e) => {
                findings.push(Finding::warning(
                    format!("cannot look into {name}'s volumes with the image {image}: {e}"),
                    "check that the engine answers (`docker info`)",
                ));
                continue;
            }
        };
        let probe = parse_volume_probe(&String::from_utf8_lossy(&out.stdout));
        for (_, real, target, at) in present {
            let Some((_, owner, mode, writable)) = probe.dirs.iter().find(|d| &d.0 == target)
            else {
                continue;
            };
            checked.push(format!("{target} ({real}, owner {owner}, mode {mode})"));
            if *writable {
                continue;
            }
            let what = if target == &t.plan.paths.media_root {
                "uploads fail with PermissionError"
            } else if target.contains("static") {
                "copying the static files there fails"
            } else {
                "the app cannot write there"
            };
            findings.push(
                Finding::error(
                    format!(
                        "{target} (volume {real}, mounted by {name}) belongs to {owner} with mode \
                         {mode}: {name} runs as uid {} and cannot write to it ({what})",
                        probe.uid
                    ),
                    format!(
                        "give it to the app's user: `{} run --rm -u 0 -v {real}:/v --entrypoint chown {image} -R {}:{} /v`",
                        quote(&engine.docker.display().to_string()),
                        probe.uid,
                        probe.gid
                    ),
                )
                .at(at.clone()),
            );
        }
    }
    if checked.is_empty() && findings.is_empty() {
        return Check::skipped(
            id,
            if missing.is_empty() {
                "the app services mount no named volume they write to".to_string()
            } else {
                format!(
                    "the volumes {} do not exist yet (`{}` creates them)",
                    missing.join(", "),
                    t.djship("up")
                )
            },
        );
    }
    Check::done(
        id,
        format!(
            "the volumes the app writes to, as its user: {}",
            checked.join(", ")
        ),
        findings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_versions() {
        assert_eq!(
            client_version("Docker version 28.2.2, build e6534b4\n").as_deref(),
            Some("28.2.2")
        );
        assert_eq!(
            client_version("Docker version 20.10.24+dfsg1, build 297e128").as_deref(),
            Some("20.10.24+dfsg1")
        );
        assert_eq!(client_version("podman"), None);
        assert_eq!(major("20.10.24+dfsg1"), Some(20));
        assert_eq!(major("28.2.2"), Some(28));
        assert_eq!(major("dev"), None);
    }

    #[test]
    fn engine_times() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2000-03-01T00:00:01.5Z"), Some(951868801));
        assert_eq!(
            rfc3339_seconds("2026-12-04T17:40:01.123456789Z"),
            Some(1796406001)
        );
        assert_eq!(
            rfc3339_seconds("2026-12-04T18:40:01+01:00"),
            rfc3339_seconds("2026-12-04T17:40:01Z")
        );
        assert_eq!(rfc3339_seconds("yesterday"), None);
        assert_eq!(rfc3339_seconds("9999999999999999-01-01T00:00:00Z"), None);
        assert_eq!(rfc3339_seconds("2026-13-01T00:00:00Z"), None);
        assert_eq!(
            rfc3339_seconds("2026-12-01T00:00:00+9999999999999999:00"),
            None
        );
    }

    #[test]
    fn the_web_containers_answer() {
        let out = "Operations to perform:\n\
                   djship-doctor\tdb-ok\tdefault\tpostgresql\tdb\n\
                   djship-doctor\tdb-error\tlegacy\tmysql\tolddb\tOperationalError: (2005, \"Unknown server host 'olddb'\")\n\
                   djship-doctor\tunapplied\tadmin.0001_initial\n\
                   djship-doctor\tunapplied\tadmin.0002_logentry_remove_auto_add\n\
                   djship-doctor\tconflict\tshop\t0002_a, 0002_b\n\
                   djship-doctor\tmigrations-checked\n";
        let p = parse_db_probe(out);
        assert_eq!(p.ok, [("default".into(), "postgresql".into(), "db".into())]);
        assert_eq!(p.errors.len(), 1);
        assert!(p.errors[0].3.starts_with("OperationalError: (2005"));
        assert_eq!(
            p.unapplied,
            ["admin.0001_initial", "admin.0002_logentry_remove_auto_add"]
        );
        assert_eq!(p.conflicts, [("shop".into(), "0002_a, 0002_b".into())]);
        assert!(p.migrations_checked);
        let p = parse_db_probe("djship-doctor\tsetup\tImproperlyConfigured: The SECRET_KEY setting must not be empty.\n");
        assert!(p.setup_error.unwrap().contains("SECRET_KEY"));
        assert_eq!(parse_db_probe("nothing"), DbProbe::default());
    }

    #[test]
    fn refused_passwords() {
        assert!(password_refused("OperationalError: connection failed: FATAL:  password authentication failed for user \"shop\""));
        assert!(password_refused(
            "ERROR 1045 (28000): Access denied for user 'shop'@'172.18.0.3' (using password: YES)"
        ));
        assert!(password_refused(
            "OperationalError: (1045, \"Access denied for user 'shop'@'x'\")"
        ));
        assert!(!password_refused(
            "could not translate host name \"db\" to address"
        ));
    }

    #[test]
    fn volume_owners() {
        let out = "user\t10001\t10001\ndir\t/app/media\t0:0 755\tread-only\ndir\t/srv/static\t10001:10001 755\twritable\n";
        let p = parse_volume_probe(out);
        assert_eq!((p.uid.as_str(), p.gid.as_str()), ("10001", "10001"));
        assert_eq!(
            p.dirs,
            [
                ("/app/media".into(), "0:0".into(), "755".into(), false),
                (
                    "/srv/static".into(),
                    "10001:10001".into(),
                    "755".into(),
                    true
                )
            ]
        );
    }

    #[test]
    fn health_log() {
        let c: serde_json::Value = serde_json::from_str(
            r#"{"State": {"Health": {"Status": "unhealthy", "Log": [
            {"ExitCode": 0, "Output": ""},
            {"ExitCode": 1, "Output": "unhealthy: timed out\n"}]}}}"#,
        )
        .unwrap();
        assert_eq!(last_health(&c), Some((1, "unhealthy: timed out".into())));
        assert_eq!(last_health(&serde_json::json!({"State": {}})), None);
    }

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

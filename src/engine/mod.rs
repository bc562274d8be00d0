//! The one place that talks to Docker: the user's `docker` CLI (BuildKit) and compose v2.
//!
//! `DJSHIP_DOCKER` names the docker binary (default `docker` on PATH); `DJSHIP_COMPOSE`
//! the compose command (default `docker compose`, else `docker-compose`).

pub mod doctor;
pub mod edge;
pub mod swarm;
pub mod verify;

use crate::error::{Error, Result};
pub use crate::shell::quote as shell_quote;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct Engine {
    docker: PathBuf,
    compose: Vec<String>,
}

/// One BuildKit step as the plain progress output reports it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    pub name: String,
    pub cached: bool,
    pub seconds: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct BuildReport {
    pub image: String,
    pub size_bytes: u64,
    pub seconds: f64,
    pub steps: Vec<Step>,
}

/// A compose project: folder, compose file and project name, plus extra environment.
#[derive(Debug, Clone)]
pub struct Project {
    pub dir: PathBuf,
    pub file: String,
    pub name: String,
    pub env: Vec<(String, String)>,
}

/// The compose command: `DJSHIP_COMPOSE` (words), else docker's compose plugin when it
/// answers, else `docker-compose`.
pub fn compose_command(docker: &Path) -> Vec<String> {
    match std::env::var("DJSHIP_COMPOSE") {
        Ok(c) => c.split_whitespace().map(String::from).collect(),
        Err(_) => {
            let plugin = Command::new(docker).args(["compose", "version"]).output();
            if plugin.is_ok_and(|o| o.status.success()) {
                vec![docker.display().to_string(), "compose".into()]
            } else {
                vec!["docker-compose".into()]
            }
        }
    }
}

fn engine_error(
    message: impl Into<String>,
    detail: impl Into<String>,
    hint: impl Into<String>,
) -> Error {
    Error::Engine {
        message: message.into(),
        detail: detail.into(),
        hint: hint.into(),
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

impl Engine {
    /// Find docker and compose, and check the engine answers.
    pub fn connect() -> Result<Engine> {
        let docker = std::env::var_os("DJSHIP_DOCKER")
            .map(PathBuf::from)
            .unwrap_or_else(|| "docker".into());
        let info = Command::new(&docker)
            .args(["info", "--format", "{{.ServerVersion}}"])
            .output();
        match info {
            Err(e) => {
                return Err(engine_error(
                    format!("cannot run {}: {e}", docker.display()),
                    "",
                    "install Docker (or set DJSHIP_DOCKER to the docker binary)",
                ))
            }
            Ok(o) if !o.status.success() => {
                return Err(engine_error(
                    "the Docker engine does not answer",
                    text(&o),
                    "start the engine (dockerd, Docker Desktop) and check `docker info`",
                ))
            }
            Ok(_) => {}
        }
        let compose = compose_command(&docker);
        Ok(Engine { docker, compose })
    }

    pub fn docker(&self, args: &[&str]) -> Result<Output> {
        Command::new(&self.docker)
            .args(args)
            .env("DOCKER_BUILDKIT", "1")
            .output()
            .map_err(|e| {
                engine_error(
                    format!("cannot run docker {}: {e}", args.join(" ")),
                    "",
                    "check that docker is installed",
                )
            })
    }

    /// Run docker; an error carries the command's whole output.
    pub fn docker_ok(&self, args: &[&str]) -> Result<String> {
        let o = self.docker(args)?;
        if !o.status.success() {
            return Err(engine_error(
                format!("docker {} failed", args.join(" ")),
                text(&o),
                "see the engine's output above",
            ));
        }
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    }

    /// The compose command for a project: `docker compose -p NAME -f FILE ARGS...`.
    fn compose_cmd(&self, p: &Project, args: &[&str]) -> Command {
        let (bin, pre) = self
            .compose
            .split_first()
            .expect("compose command is not empty");
        let mut cmd = Command::new(bin);
        cmd.args(pre)
            .current_dir(&p.dir)
            .args(["-p", &p.name, "-f", &p.file])
            .args(args)
            .envs(p.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    fn compose_spawn_error(&self, e: std::io::Error) -> Error {
        engine_error(
            format!("cannot run {}: {e}", self.compose.join(" ")),
            "",
            "install compose v2 (docker compose)",
        )
    }

    pub fn compose(&self, p: &Project, args: &[&str]) -> Result<Output> {
        self.compose_cmd(p, args)
            .output()
            .map_err(|e| self.compose_spawn_error(e))
    }

    /// Run compose with the terminal attached (logs, manage.py, shell).
    pub fn compose_status(&self, p: &Project, args: &[&str]) -> Result<std::process::ExitStatus> {
        self.compose_cmd(p, args)
            .status()
            .map_err(|e| self.compose_spawn_error(e))
    }

    pub fn compose_ok(&self, p: &Project, args: &[&str]) -> Result<String> {
        let o = self.compose(p, args)?;
        if !o.status.success() {
            return Err(engine_error(
                format!("docker compose {} failed for {}", args.join(" "), p.file),
                text(&o),
                "see compose's output above",
            ));
        }
        Ok(text(&o))
    }

    /// `docker compose up ARGS`: when it fails, the error keeps compose's error lines and
    /// adds the last log lines of the services compose names as the cause (a migration
    /// that exited 1 says why only in its own log).
    pub fn compose_up(&self, p: &Project, args: &[&str]) -> Result<()> {
        let mut all = vec!["up"];
        all.extend(args);
        let o = self.compose(p, &all)?;
        if o.status.success() {
            return Ok(());
        }
        let summary = verify::compose_failure_summary(&text(&o));
        let mut detail = summary.clone();
        let named = services_named_in(&p.name, &summary);
        let states = self.states(p).unwrap_or_default();
        for svc in &named {
            for s in states.iter().filter(|s| &s.service == svc) {
                detail.push_str(&format!(
                    "\n--- {} ({}), last log lines ---\n",
                    s.service,
                    s.describe()
                ));
                for l in self.log_tail(&s.id, 20).unwrap_or_default() {
                    detail.push_str(&l);
                    detail.push('\n');
                }
            }
        }
        Err(engine_error(
            format!("docker compose {} failed for {}", all.join(" "), p.file),
            detail.trim_end().to_string(),
            if named.is_empty() {
                "see compose's output above".to_string()
            } else {
                format!("the last log lines of {} are above", named.join(", "))
            },
        ))
    }

    /// Build `dir`'s Dockerfile with BuildKit, tagging every tag; live progress on stderr.
    pub fn build(
        &self,
        dir: &Path,
        tags: &[String],
        extra: &[String],
        progress: bool,
    ) -> Result<BuildReport> {
        if !dir.join("Dockerfile").is_file() {
            return Err(Error::Invalid {
                path: dir.join("Dockerfile"),
                message: "no Dockerfile".into(),
                hint: "run `djship init` first".into(),
            });
        }
        let mut cmd = Command::new(&self.docker);
        cmd.arg("build").arg("--progress=plain");
        for t in tags {
            cmd.args(["-t", t]);
        }
        cmd.args(extra)
            .arg(".")
            .current_dir(dir)
            .env("DOCKER_BUILDKIT", "1");
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let start = Instant::now();
        let mut child = cmd.spawn().map_err(|e| {
            engine_error(
                format!("cannot run docker build: {e}"),
                "",
                "check that docker is installed",
            )
        })?;
        let bar = if progress {
            indicatif::ProgressBar::new_spinner()
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.enable_steady_tick(Duration::from_millis(120));
        let mut log = String::new();
        let mut steps: Vec<(String, String, bool, f64)> = Vec::new(); // (id, name, cached, seconds)
        if let Some(err) = child.stderr.take() {
            for line in BufReader::new(err).lines().map_while(|l| l.ok()) {
                log.push_str(&line);
                log.push('\n');
                if let Some(ev) = parse_progress(&line) {
                    match ev {
                        Progress::Start(id, name) => {
                            bar.set_message(format!(
                                "{name}  ({:.0}s)",
                                start.elapsed().as_secs_f64()
                            ));
                            if !steps.iter().any(|s| s.0 == id) {
                                steps.push((id, name, false, 0.0));
                            }
                        }
                        Progress::Cached(id) => {
                            if let Some(s) = steps.iter_mut().find(|s| s.0 == id) {
                                s.2 = true;
                            }
                        }
                        Progress::Done(id, secs) => {
                            if let Some(s) = steps.iter_mut().find(|s| s.0 == id) {
                                s.3 = secs;
                            }
                        }
                    }
                }
            }
        }
        let status = child
            .wait()
            .map_err(|e| engine_error(format!("docker build: {e}"), "", ""))?;
        bar.finish_and_clear();
        if !status.success() {
            // A Docker 23+ client without buildx fails before the engine sees the build.
            let hint = if log.contains("buildx component is missing") {
                format!(
                    "the docker client {} has no buildx component: install it (Debian and \
                     Ubuntu: `apt-get install docker-buildx`), or set DJSHIP_DOCKER to a client \
                     that builds with BuildKit (`djship doctor` names one on this machine)",
                    self.docker.display()
                )
            } else {
                "the engine's output is above: fix the cause and run `djship build` again".into()
            };
            return Err(engine_error("the image build failed", log, hint));
        }
        let image = tags.first().cloned().unwrap_or_default();
        let size_bytes = self.image_size(&image)?;
        Ok(BuildReport {
            image,
            size_bytes,
            seconds: start.elapsed().as_secs_f64(),
            steps: steps
                .into_iter()
                .filter(|s| {
                    s.1.starts_with('[')
                        && !s.1.starts_with("[internal]")
                        && !s.1.contains("] FROM ")
                })
                .map(|(_, name, cached, seconds)| Step {
                    name,
                    cached,
                    seconds,
                })
                .collect(),
        })
    }

    pub fn image_size(&self, image: &str) -> Result<u64> {
        let out = self.docker_ok(&["image", "inspect", "-f", "{{.Size}}", image])?;
        out.trim()
            .parse()
            .map_err(|_| engine_error(format!("unexpected image size {out:?}"), "", ""))
    }

    /// Every container of a compose project (running or not), as the engine reports it.
    pub fn states(&self, p: &Project) -> Result<Vec<ServiceState>> {
        let out = self.compose_ok(p, &["ps", "-a", "-q"])?;
        let ids: Vec<&str> = out
            .split_whitespace()
            .filter(|s| s.chars().all(|c| c.is_ascii_hexdigit()))
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec!["inspect"];
        args.extend(&ids);
        let json = self.docker_ok(&args)?;
        parse_states(&json).map_err(|e| {
            engine_error(
                format!("unexpected output of docker inspect: {e}"),
                json.chars().take(2000).collect::<String>(),
                "check that the docker CLI and the engine are Docker 20.10 or newer",
            )
        })
    }

    /// The last `lines` lines a container wrote (stdout and stderr in the order written).
    pub fn log_tail(&self, container: &str, lines: usize) -> Result<Vec<String>> {
        let n = lines.to_string();
        let o = self.docker(&["logs", "--timestamps", "--tail", &n, container])?;
        if !o.status.success() {
            return Err(engine_error(
                format!("docker logs {container} failed"),
                text(&o),
                "see the engine's output above",
            ));
        }
        let mut merged = merge_logs(
            &String::from_utf8_lossy(&o.stdout),
            &String::from_utf8_lossy(&o.stderr),
        );
        let extra = merged.len().saturating_sub(lines);
        merged.drain(..extra);
        Ok(merged)
    }

    /// The services that explain a failure, with their state and last `lines` log lines:
    /// every container in a failing state, and the services `named` with the reason they
    /// are named (see [`select_failing`]). Healthy services that nobody named are not shown.
    pub fn diagnose(
        &self,
        p: &Project,
        named: &[(String, String)],
        lines: usize,
    ) -> Result<Vec<ServiceReport>> {
        let states = self.states(p)?;
        let chosen = select_failing(&states, named);
        let mut out = Vec::new();
        // The ones that explain the failure first, in the order chosen; then the others.
        for (i, reason) in &chosen {
            let s = &states[*i];
            let log_tail = self
                .log_tail(&s.id, lines)
                .unwrap_or_else(|e| vec![format!("(no log: {e})")]);
            out.push(ServiceReport {
                state: s.clone(),
                failing: true,
                reason: Some(reason.clone()),
                log_tail,
            });
        }
        for (i, s) in states.iter().enumerate() {
            if !chosen.iter().any(|(j, _)| *j == i) {
                out.push(ServiceReport {
                    state: s.clone(),
                    failing: false,
                    reason: None,
                    log_tail: Vec::new(),
                });
            }
        }
        Ok(out)
    }

    /// One look at a project: ready, still starting, or a service that will not come up.
    pub fn readiness(&self, p: &Project) -> Result<Readiness> {
        Ok(readiness(&self.states(p)?))
    }

    /// Wait until every service is healthy (or running, without a healthcheck), and every
    /// one-shot service has exited 0. Fails at once when one exits non-zero or restarts in
    /// a loop; the error names the services and says why, without their logs.
    pub fn wait_ready_quiet(
        &self,
        p: &Project,
        timeout: Duration,
    ) -> Result<std::result::Result<(), NotReady>> {
        let start = Instant::now();
        loop {
            match self.readiness(p)? {
                Readiness::Ready => return Ok(Ok(())),
                Readiness::Failed { service, message } => {
                    return Ok(Err(NotReady {
                        message,
                        services: vec![service],
                    }))
                }
                Readiness::Pending(pending) => {
                    if start.elapsed() > timeout {
                        return Ok(Err(NotReady {
                            message: format!(
                                "services not ready after {}s: {}",
                                timeout.as_secs(),
                                pending
                                    .iter()
                                    .map(|(s, why)| format!("{s} ({why})"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            services: pending.into_iter().map(|(s, _)| s).collect(),
                        }));
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// [`Engine::wait_ready_quiet`], and when a service does not come up, an error with the
    /// last log lines of the services that did not.
    pub fn wait_ready(&self, p: &Project, timeout: Duration) -> Result<()> {
        let Err(not) = self.wait_ready_quiet(p, timeout)? else {
            return Ok(());
        };
        let mut logs = String::new();
        let states = self.states(p)?;
        for svc in &not.services {
            for s in states.iter().filter(|s| &s.service == svc) {
                let tail = self.log_tail(&s.id, 40).unwrap_or_default();
                logs.push_str(&format!("--- {} ({}) ---\n", s.service, s.describe()));
                for l in tail {
                    logs.push_str(&l);
                    logs.push('\n');
                }
            }
        }
        Err(engine_error(
            not.message,
            logs,
            "the last log lines of the services that did not come up are above",
        ))
    }

    /// The shell command that runs compose `args` on this project as djship does, to
    /// print for the user: `cd DIR && HTTP_PORT=8080 docker compose -p NAME -f FILE ARGS`.
    pub fn command_line(&self, p: &Project, args: &[&str]) -> String {
        let mut words = vec!["cd".to_string(), shell_quote(&p.dir.display().to_string())];
        words.push("&&".into());
        words.extend(p.env.iter().map(|(k, v)| format!("{k}={}", shell_quote(v))));
        words.extend(self.compose.iter().map(|w| shell_quote(w)));
        words.extend(["-p", &p.name, "-f", &p.file].map(shell_quote));
        words.extend(args.iter().map(|a| shell_quote(a)));
        words.join(" ")
    }
}

enum Progress {
    Start(String, String),
    Cached(String),
    Done(String, f64),
}

/// BuildKit's plain progress: `#5 [builder 2/5] RUN ...`, `#5 CACHED`, `#5 DONE 1.2s`.
fn parse_progress(line: &str) -> Option<Progress> {
    let rest = line.strip_prefix('#')?;
    let (id, rest) = rest.split_once(' ')?;
    if !id.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if rest == "CACHED" {
        return Some(Progress::Cached(id.into()));
    }
    if let Some(t) = rest.strip_prefix("DONE ") {
        return Some(Progress::Done(
            id.into(),
            t.trim_end_matches('s').parse().unwrap_or(0.0),
        ));
    }
    if rest.starts_with('[') {
        return Some(Progress::Start(id.into(), rest.to_string()));
    }
    None
}

/// A minimal HTTP/1.1 GET on loopback: status, head and body.
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn http_get(port: u16, path: &str) -> Option<Response> {
    let mut s =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(3)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(15))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some(Response { status, head, body })
}

/// Poll until `path` answers `want`, up to `timeout`.
pub fn wait_http(
    port: u16,
    path: &str,
    want: u16,
    timeout: Duration,
) -> std::result::Result<Response, String> {
    let start = Instant::now();
    let mut last = "no answer".to_string();
    while start.elapsed() < timeout {
        match http_get(port, path) {
            Some(r) if r.status == want => return Ok(r),
            Some(r) => last = format!("status {}", r.status),
            None => last = "no answer".into(),
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Err(format!(
        "GET {path}: wanted {want}, got {last} after {}s",
        timeout.as_secs()
    ))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(8080)
}

/// One container of a compose project, as `docker inspect` reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ServiceState {
    /// The compose service (`com.docker.compose.service`).
    pub service: String,
    /// The container's name.
    pub container: String,
    #[serde(skip)]
    pub id: String,
    /// created, running, restarting, exited, dead, paused, removing.
    pub status: String,
    /// The last exit code (0 while it has never exited).
    pub exit_code: i64,
    /// starting, healthy or unhealthy while it runs; `None` without a healthcheck and when
    /// it is not running (the engine calls every stopped container with a healthcheck
    /// unhealthy, a one-shot service that exited 0 too).
    pub health: Option<String>,
    /// How often its restart policy restarted it.
    pub restarts: u64,
    pub restart_policy: String,
    pub oom_killed: bool,
    /// The engine's error when the container could not start (`exec: "x": not found`).
    pub error: Option<String>,
}

/// Restarts by policy after which a service counts as restarting in a loop.
pub const CRASH_LOOP_RESTARTS: u64 = 3;

impl ServiceState {
    fn restarted_by_policy(&self) -> bool {
        matches!(
            self.restart_policy.as_str(),
            "always" | "unless-stopped" | "on-failure"
        )
    }

    /// Why this container counts as failing, from its state alone; `None` when it does not
    /// (running and healthy or without a healthcheck, a one-shot that exited 0, still
    /// starting, or created and waiting for a dependency).
    pub fn failure(&self) -> Option<String> {
        let mut why = match self.status.as_str() {
            "exited" | "dead" if self.exit_code != 0 => {
                Some(format!("exited with code {}", self.exit_code))
            }
            "dead" => Some("dead".to_string()),
            "restarting" => Some(format!(
                "restarting ({} restarts, last exit code {})",
                self.restarts, self.exit_code
            )),
            _ if self.health.as_deref() == Some("unhealthy") => Some("unhealthy".to_string()),
            // Restarted by its policy and not healthy (again): a crash, maybe a loop.
            "running" if self.restarts > 0 && self.health.as_deref() != Some("healthy") => {
                Some(format!(
                    "restarted {} by its restart policy, {}",
                    times(self.restarts),
                    match self.health.as_deref() {
                        Some(h) => format!("health check {h}"),
                        None => "running again".to_string(),
                    }
                ))
            }
            _ => None,
        };
        if self.oom_killed {
            why = Some(format!(
                "{}, killed for lack of memory",
                why.unwrap_or_else(|| self.describe())
            ));
        }
        if let Some(e) = &self.error {
            why = Some(format!(
                "{}; the engine says: {e}",
                why.unwrap_or_else(|| self.describe())
            ));
        }
        why
    }

    /// The state in a few words: `exited with code 1`, `running, unhealthy`.
    pub fn describe(&self) -> String {
        let mut d = match self.status.as_str() {
            "exited" | "dead" => format!("{} with code {}", self.status, self.exit_code),
            "restarting" => format!("restarting (last exit code {})", self.exit_code),
            "created" => "created, never started".to_string(),
            other => other.to_string(),
        };
        if self.status == "running" {
            match self.health.as_deref() {
                Some("starting") => d.push_str(", health check starting"),
                Some(h) => {
                    d.push_str(", ");
                    d.push_str(h);
                }
                None => {}
            }
        }
        if self.restarts > 0 {
            d.push_str(&format!(", restarted {}", times(self.restarts)));
        }
        d
    }
}

fn times(n: u64) -> String {
    match n {
        1 => "once".to_string(),
        n => format!("{n} times"),
    }
}

/// A service in verify's explanation of a failure.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ServiceReport {
    #[serde(flatten)]
    pub state: ServiceState,
    /// True for the services that explain the failure; only they have a log tail.
    pub failing: bool,
    /// Why it is listed: its failing state, or what named it (a failed check).
    pub reason: Option<String>,
    /// Its last log lines, oldest first.
    pub log_tail: Vec<String>,
}

/// Why a project is not ready: a message and the services concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct NotReady {
    pub message: String,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Readiness {
    Ready,
    /// Still coming up: (service, its state).
    Pending(Vec<(String, String)>),
    /// Will not come up without a change: exited non-zero, dead or restarting in a loop.
    Failed {
        service: String,
        message: String,
    },
}

/// Ready when every service is running (healthy, where it has a healthcheck) and every
/// one-shot service (no restart policy) has exited 0.
pub fn readiness(states: &[ServiceState]) -> Readiness {
    let mut pending = Vec::new();
    for s in states {
        match s.status.as_str() {
            "exited" if s.exit_code == 0 && !s.restarted_by_policy() => {}
            "exited" if s.exit_code == 0 && s.restart_policy == "on-failure" => {}
            "exited" | "restarting" if s.restarted_by_policy() => {
                if s.restarts >= CRASH_LOOP_RESTARTS {
                    return Readiness::Failed {
                        service: s.service.clone(),
                        message: format!(
                            "service {} restarts in a loop: restarted {} times, last exit code {}",
                            s.service, s.restarts, s.exit_code
                        ),
                    };
                }
                pending.push((s.service.clone(), "restarting".to_string()));
            }
            "exited" | "dead" => {
                return Readiness::Failed {
                    service: s.service.clone(),
                    message: format!("service {} exited with code {}", s.service, s.exit_code),
                }
            }
            "running" if matches!(s.health.as_deref(), None | Some("healthy")) => {}
            _ => pending.push((s.service.clone(), s.describe())),
        }
    }
    if pending.is_empty() {
        Readiness::Ready
    } else {
        Readiness::Pending(pending)
    }
}

/// Which containers explain a failure, with why: the services `named` (service, reason:
/// the one that did not come up, the one a failed check exercises), then every other
/// container whose state is failing ([`ServiceState::failure`]). Indexes into `states`, in
/// that order; a container's own failing state is its reason, before what named it.
pub fn select_failing(states: &[ServiceState], named: &[(String, String)]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (svc, why) in named {
        for (i, s) in states.iter().enumerate() {
            if &s.service == svc && !out.iter().any(|(j, _)| *j == i) {
                out.push((i, s.failure().unwrap_or_else(|| why.clone())));
            }
        }
    }
    for (i, s) in states.iter().enumerate() {
        if out.iter().any(|(j, _)| *j == i) {
            continue;
        }
        if let Some(why) = s.failure() {
            out.push((i, why));
        }
    }
    out
}

/// The services of compose project `project` that a message of compose names: by their
/// container (`PROJECT-SERVICE-1`) or as `service "SERVICE"`, in the order named.
pub fn services_named_in(project: &str, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let prefix = format!("{project}-");
    for word in text.split(|c: char| c.is_whitespace() || "\"'`,:()".contains(c)) {
        let from_container = word.strip_prefix(&prefix).and_then(|rest| {
            let (svc, n) = rest.rsplit_once('-')?;
            (!svc.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
                .then_some(svc)
        });
        if let Some(svc) = from_container {
            if !out.iter().any(|o| o == svc) {
                out.push(svc.to_string());
            }
        }
    }
    let mut rest = text;
    while let Some(i) = rest.find("service \"") {
        rest = &rest[i + 9..];
        if let Some(end) = rest.find('"') {
            let svc = &rest[..end];
            if !svc.is_empty() && !out.iter().any(|o| o == svc) {
                out.push(svc.to_string());
            }
        }
    }
    out
}

/// The containers of `docker inspect ID...` (its JSON array).
pub fn parse_states(json: &str) -> std::result::Result<Vec<ServiceState>, String> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let arr = v.as_array().ok_or("not a JSON array")?;
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let mut out = Vec::new();
    for c in arr {
        let state = &c["State"];
        let nonempty =
            |v: &serde_json::Value| v.as_str().filter(|x| !x.is_empty()).map(String::from);
        out.push(ServiceState {
            service: nonempty(&c["Config"]["Labels"]["com.docker.compose.service"])
                .unwrap_or_else(|| s(&c["Name"]).trim_start_matches('/').to_string()),
            container: s(&c["Name"]).trim_start_matches('/').to_string(),
            id: s(&c["Id"]),
            status: s(&state["Status"]),
            exit_code: state["ExitCode"].as_i64().unwrap_or(0),
            health: nonempty(&state["Health"]["Status"])
                .filter(|_| matches!(state["Status"].as_str(), Some("running" | "paused"))),
            restarts: c["RestartCount"].as_u64().unwrap_or(0),
            restart_policy: s(&c["HostConfig"]["RestartPolicy"]["Name"]),
            oom_killed: state["OOMKilled"].as_bool().unwrap_or(false),
            error: nonempty(&state["Error"]),
        });
    }
    Ok(out)
}

/// Longest log line kept in a report; longer ones are cut (a minified bundle, a dump).
const LOG_LINE_CHARS: usize = 2000;

/// `docker logs --timestamps` splits a container's log into stdout and stderr: put the
/// lines back in the order written (by timestamp; stdout first on a tie) and drop the
/// timestamps. A line without a timestamp stays after the line before it.
pub fn merge_logs(stdout: &str, stderr: &str) -> Vec<String> {
    fn key(ts: &str) -> Option<(String, String)> {
        // 2025-01-02T03:04:05.123456789Z: the fraction has no fixed width everywhere.
        let (secs, rest) = ts.split_once('.').unwrap_or((ts.trim_end_matches('Z'), ""));
        if secs.len() < 19 || !secs.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let frac: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((secs.to_string(), format!("{frac:0<9}")))
    }
    fn lines(text: &str) -> Vec<((String, String), String)> {
        let mut out: Vec<((String, String), String)> = Vec::new();
        for l in text.lines() {
            let parsed = l
                .split_once(' ')
                .and_then(|(t, r)| Some((key(t)?, r)))
                .or_else(|| {
                    // A timestamp alone: an empty line.
                    key(l).map(|k| (k, ""))
                });
            match parsed {
                Some((k, rest)) => out.push((k, rest.to_string())),
                None => {
                    let k = out.last().map(|x| x.0.clone()).unwrap_or_default();
                    out.push((k, l.to_string()));
                }
            }
        }
        out
    }
    let (a, b) = (lines(stdout), lines(stderr));
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len() + b.len());
    while i < a.len() || j < b.len() {
        let take_a = j >= b.len() || (i < a.len() && a[i].0 <= b[j].0);
        let line = if take_a {
            i += 1;
            &a[i - 1].1
        } else {
            j += 1;
            &b[j - 1].1
        };
        out.push(if line.chars().count() > LOG_LINE_CHARS {
            format!("{}…", line.chars().take(LOG_LINE_CHARS).collect::<String>())
        } else {
            line.clone()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buildkit_plain_progress() {
        assert!(
            matches!(parse_progress("#7 [runtime 3/6] COPY --from=builder /opt/venv /opt/venv"), Some(Progress::Start(id, n)) if id == "7" && n.starts_with("[runtime 3/6]"))
        );
        assert!(matches!(parse_progress("#7 CACHED"), Some(Progress::Cached(id)) if id == "7"));
        assert!(
            matches!(parse_progress("#7 DONE 2.5s"), Some(Progress::Done(_, s)) if (s - 2.5).abs() < 1e-9)
        );
        assert!(parse_progress("#7 0.271 Using Python 3.11").is_none());
        assert!(parse_progress("random").is_none());
    }

    fn st(service: &str, status: &str, code: i64, health: Option<&str>) -> ServiceState {
        ServiceState {
            service: service.into(),
            container: format!("p-{service}-1"),
            id: format!("id-{service}"),
            status: status.into(),
            exit_code: code,
            health: health.map(String::from),
            restarts: 0,
            restart_policy: if service == "migrate" {
                "no"
            } else {
                "unless-stopped"
            }
            .into(),
            oom_killed: false,
            error: None,
        }
    }

    /// Two containers as `docker inspect` prints them (fields trimmed to those read).
    const INSPECT: &str = r#"[
      {"Id": "aaa", "Name": "/shop-verify-migrate-1", "RestartCount": 0,
       "State": {"Status": "exited", "ExitCode": 1, "OOMKilled": false, "Error": "",
                 "Health": {"Status": "unhealthy", "FailingStreak": 0}},
       "HostConfig": {"RestartPolicy": {"Name": "no"}},
       "Config": {"Labels": {"com.docker.compose.service": "migrate"}}},
      {"Id": "bbb", "Name": "/shop-verify-web-1", "RestartCount": 2,
       "State": {"Status": "running", "ExitCode": 0, "OOMKilled": true,
                 "Error": "", "Health": {"Status": "starting"}},
       "HostConfig": {"RestartPolicy": {"Name": "unless-stopped"}},
       "Config": {"Labels": {"com.docker.compose.service": "web"}}},
      {"Id": "ccc", "Name": "/lonely", "RestartCount": 0,
       "State": {"Status": "created", "ExitCode": 127,
                 "Error": "exec: \"gunicorn\": executable file not found in $PATH"},
       "HostConfig": {"RestartPolicy": {"Name": ""}}, "Config": {"Labels": null}}
    ]"#;

    #[test]
    fn docker_inspect_is_read_into_states() {
        let s = parse_states(INSPECT).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(
            (
                s[0].service.as_str(),
                s[0].container.as_str(),
                s[0].id.as_str()
            ),
            ("migrate", "shop-verify-migrate-1", "aaa")
        );
        assert_eq!((s[0].status.as_str(), s[0].exit_code), ("exited", 1));
        // The engine calls a stopped container with a healthcheck unhealthy: not a health.
        assert_eq!(s[0].health, None);
        assert_eq!(s[1].health.as_deref(), Some("starting"));
        assert_eq!((s[1].restarts, s[1].oom_killed), (2, true));
        assert_eq!(s[1].restart_policy, "unless-stopped");
        // No compose label: the container's name; the engine's error kept.
        assert_eq!(s[2].service, "lonely");
        assert_eq!(
            s[2].error.as_deref(),
            Some("exec: \"gunicorn\": executable file not found in $PATH")
        );
        assert!(parse_states("{}").is_err());
        assert!(parse_states("not json").is_err());
    }

    #[test]
    fn which_states_count_as_failing() {
        assert_eq!(
            st("migrate", "exited", 1, None).failure().as_deref(),
            Some("exited with code 1")
        );
        assert_eq!(st("migrate", "exited", 0, None).failure(), None);
        assert_eq!(st("web", "running", 0, Some("healthy")).failure(), None);
        assert_eq!(st("web", "running", 0, Some("starting")).failure(), None);
        assert_eq!(st("db", "running", 0, None).failure(), None);
        assert_eq!(st("nginx", "created", 0, None).failure(), None);
        assert_eq!(
            st("web", "running", 0, Some("unhealthy"))
                .failure()
                .as_deref(),
            Some("unhealthy")
        );
        assert!(st("web", "restarting", 3, None)
            .failure()
            .is_some_and(|f| f.contains("last exit code 3")));
        assert!(st("web", "dead", 0, None).failure().is_some());
        // Restarted by its policy: failing until it is healthy again.
        let mut web = st("web", "running", 0, Some("starting"));
        web.restarts = 2;
        assert!(web
            .failure()
            .is_some_and(|f| f.contains("restarted 2 times")));
        web.health = Some("healthy".into());
        assert_eq!(web.failure(), None);
        let mut oom = st("web", "running", 0, Some("healthy"));
        oom.oom_killed = true;
        assert!(oom.failure().is_some_and(|f| f.contains("memory")));
        let mut exec = st("web", "created", 127, None);
        exec.error = Some("exec: not found".into());
        assert!(exec
            .failure()
            .is_some_and(|f| f.contains("the engine says: exec: not found")));
    }

    #[test]
    fn states_in_words() {
        assert_eq!(
            st("migrate", "exited", 1, None).describe(),
            "exited with code 1"
        );
        assert_eq!(
            st("nginx", "created", 0, None).describe(),
            "created, never started"
        );
        assert_eq!(
            st("db", "running", 0, Some("healthy")).describe(),
            "running, healthy"
        );
        let mut web = st("web", "running", 0, Some("starting"));
        web.restarts = 1;
        assert_eq!(
            web.describe(),
            "running, health check starting, restarted once"
        );
    }

    #[test]
    fn failing_services_are_selected_named_first() {
        let states = vec![
            st("db", "running", 0, Some("healthy")),
            st("migrate", "exited", 1, None),
            st("web", "running", 0, Some("healthy")),
            st("nginx", "created", 0, None),
        ];
        // Nothing named: only the failing state; healthy and waiting services are not.
        assert_eq!(
            select_failing(&states, &[]),
            vec![(1, "exited with code 1".to_string())]
        );
        // A failed check names web (healthy): it comes first, with the check as reason;
        // a named service that is failing keeps its own state as the reason.
        let named = vec![
            ("web".to_string(), "the check \"page\" failed".to_string()),
            ("migrate".to_string(), "named".to_string()),
            ("web".to_string(), "again".to_string()),
            ("gone".to_string(), "no such service".to_string()),
        ];
        assert_eq!(
            select_failing(&states, &named),
            vec![
                (2, "the check \"page\" failed".to_string()),
                (1, "exited with code 1".to_string())
            ]
        );
        // Every container of a named service (scaled).
        let two = vec![st("web", "running", 0, None), st("web", "running", 0, None)];
        let named = [("web".to_string(), "check".to_string())];
        assert_eq!(select_failing(&two, &named).len(), 2);
    }

    #[test]
    fn readiness_of_a_stack() {
        let ok = vec![
            st("db", "running", 0, Some("healthy")),
            st("migrate", "exited", 0, None),
            st("web", "running", 0, None),
        ];
        assert_eq!(readiness(&ok), Readiness::Ready);
        let mut s = ok.clone();
        s[1].exit_code = 2;
        assert_eq!(
            readiness(&s),
            Readiness::Failed {
                service: "migrate".into(),
                message: "service migrate exited with code 2".into()
            }
        );
        let mut s = ok.clone();
        s[2] = st("web", "running", 0, Some("starting"));
        s.push(st("nginx", "created", 0, None));
        assert_eq!(
            readiness(&s),
            Readiness::Pending(vec![
                ("web".into(), "running, health check starting".into()),
                ("nginx".into(), "created, never started".into())
            ])
        );
        // Restarted by its policy: waited for, until it restarts in a loop.
        let mut s = ok.clone();
        s[2] = st("web", "restarting", 3, None);
        s[2].restarts = CRASH_LOOP_RESTARTS - 1;
        assert!(matches!(readiness(&s), Readiness::Pending(_)));
        s[2].restarts = CRASH_LOOP_RESTARTS;
        assert!(
            matches!(readiness(&s), Readiness::Failed { service, message } if service == "web" && message.contains("last exit code 3"))
        );
    }

    #[test]
    fn logs_are_merged_by_time_without_timestamps() {
        let out = "2025-01-02T03:04:05.1Z Operations to perform:\n\
                   2025-01-02T03:04:05.3Z   Applying app.0001... OK\n";
        let err = "2025-01-02T03:04:05.12Z Traceback (most recent call last):\n\
                   continued without a timestamp\n\
                   2025-01-02T03:04:06.000000001Z RuntimeError: boom\n\
                   2025-01-02T03:04:06.5Z\n";
        assert_eq!(
            merge_logs(out, err),
            [
                "Operations to perform:",
                "Traceback (most recent call last):",
                "continued without a timestamp",
                "  Applying app.0001... OK",
                "RuntimeError: boom",
                "",
            ]
        );
        let long = format!("2025-01-02T03:04:05.1Z {}", "x".repeat(LOG_LINE_CHARS + 10));
        let merged = merge_logs(&long, "");
        assert_eq!(merged[0].chars().count(), LOG_LINE_CHARS + 1);
        assert!(merged[0].ends_with('…'));
        assert!(merge_logs("", "").is_empty());
    }

    #[test]
    fn services_that_compose_names() {
        let text = "Container shop-verify-migrate-1 Error service \"migrate\" didn't complete \
                    successfully: exit 1\ndependency failed to start: container \
                    shop-verify-web-1 is unhealthy\nservice \"celery-beat\" didn't complete";
        assert_eq!(
            services_named_in("shop-verify", text),
            ["migrate", "web", "celery-beat"]
        );
        assert_eq!(
            services_named_in("shop-verify", "Container shop-verify-celery-worker-2 Error"),
            ["celery-worker"]
        );
        // Another project's containers, and words that only look alike, are not named.
        assert!(services_named_in(
            "shop-verify",
            "Container other-verify-web-1 Error; shop-verify-web; shop-verify-"
        )
        .is_empty());
    }

    #[test]
    fn a_compose_command_to_paste() {
        let engine = Engine {
            docker: "docker".into(),
            compose: vec!["/usr/bin/docker".into(), "compose".into()],
        };
        let p = Project {
            dir: "/srv/my shop".into(),
            file: "compose.prod.yaml".into(),
            name: "shop-verify".into(),
            env: vec![("HTTP_PORT".into(), "8080".into())],
        };
        assert_eq!(
            engine.command_line(&p, &["logs", "--tail", "50"]),
            "cd '/srv/my shop' && HTTP_PORT=8080 /usr/bin/docker compose -p shop-verify \
             -f compose.prod.yaml logs --tail 50"
        );
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_quote("compose.prod.yaml"), "compose.prod.yaml");
        assert_eq!(shell_quote("/tmp/my project"), "'/tmp/my project'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}

//! The one place that talks to Docker: the user's `docker` CLI (BuildKit) and compose v2.
//!
//! `DJSHIP_DOCKER` names the docker binary (default `docker` on PATH); `DJSHIP_COMPOSE`
//! the compose command (default `docker compose`, else `docker-compose`).

pub mod verify;

use crate::error::{Error, Result};
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
        let compose = match std::env::var("DJSHIP_COMPOSE") {
            Ok(c) => c.split_whitespace().map(String::from).collect(),
            Err(_) => {
                let plugin = Command::new(&docker).args(["compose", "version"]).output();
                if plugin.is_ok_and(|o| o.status.success()) {
                    vec![docker.display().to_string(), "compose".into()]
                } else {
                    vec!["docker-compose".into()]
                }
            }
        };
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
                "see the output above; `djship logs` shows the services' logs",
            ));
        }
        Ok(text(&o))
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
            return Err(engine_error(
                "the image build failed",
                log,
                "the engine's output is above: fix the cause and run `djship build` again",
            ));
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

    /// Container ids of a compose project's services, by service name.
    pub fn containers(&self, p: &Project) -> Result<Vec<(String, String)>> {
        let out = self.compose_ok(p, &["ps", "-a", "-q"])?;
        let mut res = Vec::new();
        for id in out
            .split_whitespace()
            .filter(|s| s.chars().all(|c| c.is_ascii_hexdigit()))
        {
            let svc = self.docker_ok(&[
                "inspect",
                "-f",
                "{{index .Config.Labels \"com.docker.compose.service\"}}",
                id,
            ])?;
            res.push((svc.trim().to_string(), id.to_string()));
        }
        Ok(res)
    }

    /// Wait until every service is healthy (or running, without a healthcheck), and every
    /// one-shot service has exited 0. Fails at once when one exits non-zero.
    pub fn wait_ready(&self, p: &Project, timeout: Duration) -> Result<()> {
        let start = Instant::now();
        loop {
            let mut pending = Vec::new();
            for (svc, id) in self.containers(p)? {
                let st = self.docker_ok(&["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.HostConfig.RestartPolicy.Name}}", &id])?;
                let parts: Vec<&str> = st.split_whitespace().collect();
                let (status, code, health, restart) = (
                    parts.first().copied().unwrap_or(""),
                    parts.get(1).copied().unwrap_or(""),
                    parts.get(2).copied().unwrap_or(""),
                    parts.get(3).copied().unwrap_or(""),
                );
                match (status, health) {
                    ("exited", _) if code == "0" && (restart == "no" || restart.is_empty()) => {}
                    // Restarted by its policy: wait for it.
                    ("exited" | "restarting", _)
                        if matches!(restart, "always" | "unless-stopped" | "on-failure") =>
                    {
                        pending.push(format!("{svc} (restarting)"))
                    }
                    ("exited", _) | ("dead", _) => {
                        let logs = self
                            .compose(p, &["logs", "--no-color", "--tail", "40", &svc])
                            .map(|o| text(&o))
                            .unwrap_or_default();
                        return Err(engine_error(
                            format!("service {svc} exited with code {code}"),
                            logs,
                            format!("`djship logs {svc}` shows its whole log"),
                        ));
                    }
                    ("running", "healthy" | "none") => {}
                    _ => pending.push(format!(
                        "{svc} ({status}{})",
                        if health == "none" {
                            String::new()
                        } else {
                            format!(", {health}")
                        }
                    )),
                }
            }
            if pending.is_empty() {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(engine_error(
                    format!(
                        "services not ready after {}s: {}",
                        timeout.as_secs(),
                        pending.join(", ")
                    ),
                    self.compose(p, &["logs", "--no-color", "--tail", "30"])
                        .map(|o| text(&o))
                        .unwrap_or_default(),
                    "the logs above show why; `djship logs SERVICE` for more",
                ));
            }
            std::thread::sleep(Duration::from_millis(500));
        }
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
}

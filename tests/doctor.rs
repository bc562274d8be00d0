//! `djship doctor` on the real engine: one production stack from `django-admin
//! startproject`, broken on purpose one way after the other (a port taken by a process, one
//! published by another project's container, a docker client without buildx, a variable the
//! settings read missing from .env, the media volume given to root, unapplied migrations, a
//! web server that stops answering its health check, the database stopped, a .env password
//! the database volume was not created with), and repaired in between. Each time doctor must
//! name the cause and its remedy, and exit 1; on the healthy stack it exits 0. Where the
//! remedy is a command, the test runs the command doctor printed and checks it repairs.
//!
//! Runs when DJSHIP_E2E=1, like tests/e2e.rs (dockerd and the stand-in base images of
//! tests/e2e/images; no registry is reachable here).

mod common;
use common::*;
use djship::engine::free_port;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PROJECT: &str = "e2edoctor";

/// djship with the engine, compose and the stack's ports of this test.
struct Dj {
    compose: PathBuf,
    http: String,
    https: String,
}

impl Dj {
    /// Exit code and output (stdout then stderr).
    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = djship()
            .args(args)
            .env("DJSHIP_DOCKER", docker_bin())
            .env("DJSHIP_COMPOSE", &self.compose)
            .env("HTTP_PORT", &self.http)
            .env("HTTPS_PORT", &self.https)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }
    fn ok(&self, args: &[&str]) -> String {
        let (code, out) = self.run(args);
        assert_eq!(code, 0, "djship {args:?} failed:\n{out}");
        out
    }
}

/// Removes what a killed earlier run left, and the stack at the end, failed or not.
struct Down<'a>(&'a Dj, String);

impl Drop for Down<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", self.0.run(&["logs", "--prod", &self.1]).1);
        }
        let _ = docker(&["rm", "-f", HOLDER]);
        let _ = self.0.run(&["down", "--prod", "-v", &self.1]);
    }
}

/// A container of another compose project that publishes this stack's HTTP port.
const HOLDER: &str = "e2edoctor-port-holder";

/// The text between the first pair of backticks after `marker` in doctor's output.
fn command_after(out: &str, marker: &str) -> String {
    let rest = &out[out
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in:\n{out}"))..];
    let start = rest.find('`').unwrap() + 1;
    let end = start + rest[start..].find('`').unwrap();
    rest[start..end].to_string()
}

fn sh(cmd: &str) {
    let (ok, out) = run(Command::new("sh").args(["-c", cmd]));
    assert!(ok, "{cmd} failed:\n{out}");
}

fn health(container: &str) -> String {
    docker(&["inspect", "-f", "{{.State.Health.Status}}", container])
        .1
        .trim()
        .to_string()
}

fn wait_health(container: &str, want: &str, secs: u64) {
    let start = Instant::now();
    while health(container) != want {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "{container} is not {want} after {secs}s: {}",
            health(container)
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"))
}

#[test]
fn doctor_names_each_cause_and_its_remedy() {
    if !e2e_enabled() {
        return;
    }
    base_images();
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject(tmp.path(), PROJECT).expect("django-admin is needed for e2e");
    std::fs::write(dir.join("requirements.txt"), "Django==5.2.*\n").unwrap();
    std::fs::write(dir.join(".python-version"), "3.11\n").unwrap();
    let out = djship()
        .args([
            "init",
            "--ca-cert",
            "/etc/ssl/certs/ca-certificates.crt",
            "--patch-settings",
            "--python-image",
            "djship-e2e/python:3.11",
            "--postgres-image",
            "djship-e2e/postgres:15",
            "--nginx-image",
            "djship-e2e/nginx:1.22",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dj = Dj {
        compose: tool("docker-compose").expect("docker-compose is needed for e2e"),
        http: free_port().to_string(),
        https: free_port().to_string(),
    };
    let d = dir.to_str().unwrap();
    dj.ok(&["down", "--prod", "-v", d]);
    let _ = docker(&["rm", "-f", HOLDER]);
    let _down = Down(&dj, d.to_string());
    let doctor = |json: bool| {
        let mut args = vec!["doctor", "--prod", d];
        if json {
            args.push("--json");
        }
        dj.run(&args)
    };

    // 1. The stack is not running and something holds its HTTPS port: doctor names the
    // process (this test) and the variable that moves the port; the checks that need the
    // running stack say they were skipped and why.
    let listener = std::net::TcpListener::bind(("127.0.0.1", dj.https.parse().unwrap())).unwrap();
    let (code, out) = doctor(false);
    assert_eq!(code, 1, "{out}");
    let pid = std::process::id();
    assert!(
        out.contains(&format!(
            "port {} (443 of nginx) is taken by the process",
            dj.https
        )) && out.contains(&format!("(pid {pid}"))
            && out.contains(&format!("`kill {pid}`"))
            && out.contains("HTTPS_PORT is set in the environment"),
        "{out}"
    );
    for id in ["services", "database", "migrations"] {
        assert!(
            out.contains(&format!(
                "skipped  {id}: the production stack is not running"
            )),
            "{id}:\n{out}"
        );
    }
    drop(listener);

    // A container of another compose project publishes the HTTP port: named, with its
    // project, and how to stop it.
    let (ok, o) = docker(&[
        "run",
        "-d",
        "--rm",
        "--name",
        HOLDER,
        "--label",
        "com.docker.compose.project=e2edoctor-other",
        "-p",
        &format!("{}:80", dj.http),
        "djship-e2e/python:3.11",
        "sleep",
        "300",
    ]);
    assert!(ok, "{o}");
    let (code, out) = doctor(false);
    let _ = docker(&["rm", "-f", HOLDER]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "port {} (80 of nginx) is taken by container {HOLDER} (compose project e2edoctor-other)",
            dj.http
        )) && out.contains(&format!("`docker stop {HOLDER}`"))
            && out.contains("`docker compose -p e2edoctor-other stop`"),
        "{out}"
    );

    // A docker client from Docker 23 on without buildx (as /usr/local/bin/docker is on the
    // test machines): doctor says what to install, and which client here builds instead.
    let no_buildx = Path::new("/usr/local/bin/docker");
    let lacks_buildx = no_buildx.is_file()
        && !run(Command::new(no_buildx).args(["buildx", "version"])).0
        && run(Command::new(no_buildx).arg("--version"))
            .1
            .split("version ")
            .nth(1)
            .and_then(|v| v.split('.').next()?.parse::<u32>().ok())
            .is_some_and(|m| m >= 23);
    if lacks_buildx {
        let out = djship()
            .args(["doctor", "--prod", d])
            .env("DJSHIP_DOCKER", no_buildx)
            .env("DJSHIP_COMPOSE", &dj.compose)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(
            text.contains("(/usr/local/bin/docker) has no buildx component")
                && text.contains("apt-get install docker-buildx")
                && text.contains(&format!("DJSHIP_DOCKER={}", docker_bin().display())),
            "{text}"
        );
        // `djship build` with that client says the same instead of the raw message alone.
        let out = djship()
            .args(["build", d])
            .env("DJSHIP_DOCKER", no_buildx)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{text}");
        assert!(
            text.contains("hint: the docker client /usr/local/bin/docker has no buildx component")
                && text.contains("`djship doctor` names one"),
            "{text}"
        );
    } else {
        eprintln!(
            "skipped the buildx case: no docker client without buildx at /usr/local/bin/docker"
        );
    }

    // 2. Healthy: exit 0, every check passes.
    dj.ok(&["up", "--prod", d]);
    let (code, out) = doctor(true);
    assert_eq!(code, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["errors"], 0, "{report:#}");
    assert_eq!(report["stack"], "production");
    assert_eq!(report["project"], PROJECT);
    assert_eq!(report["running"], true);
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "engine",
            "buildkit",
            "env",
            "ports",
            "image",
            "services",
            "database",
            "database-password",
            "volumes",
            "migrations"
        ]
    );
    for c in report["checks"].as_array().unwrap() {
        assert!(
            c["status"] == "ok" || c["status"] == "info",
            "{c:#} on the healthy stack"
        );
    }

    // 3. A variable the settings read without a default, missing from .env.
    let settings = dir.join("mysite/settings.py");
    let original = read(&settings);
    let line = original.lines().count() + 3;
    std::fs::write(
        &settings,
        format!(
            "{original}\nimport os\nDOCTOR_PROBE_REGION = os.environ[\"DOCTOR_PROBE_REGION\"]\n"
        ),
    )
    .unwrap();
    let (code, out) = doctor(false);
    std::fs::write(&settings, &original).unwrap();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "DOCTOR_PROBE_REGION is read by the settings at mysite/settings.py:{line} without a default"
        )) && out.contains("add `DOCTOR_PROBE_REGION=<value>` to .env"),
        "{out}"
    );

    // 4. The media volume given to root: web (uid 10001) cannot write uploads. The remedy
    // doctor prints gives it back.
    let volume = format!("{PROJECT}_media");
    let (ok, o) = docker(&[
        "run",
        "--rm",
        "-u",
        "0",
        "-v",
        &format!("{volume}:/v"),
        "--entrypoint",
        "chown",
        &format!("{PROJECT}:latest"),
        "0:0",
        "/v",
    ]);
    assert!(ok, "{o}");
    let (code, out) = doctor(false);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "/app/media (volume {volume}, mounted by web) belongs to 0:0 with mode 755: web runs as uid 10001"
        )),
        "{out}"
    );
    sh(&command_after(&out, "remedy: give it to the app's user"));
    let (code, out) = doctor(true);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(check(&report, "volumes")["status"], "ok", "{report:#}");
    assert_eq!(code, 0, "{report:#}");

    // 5. Unapplied migrations, and the remedy applies them.
    dj.ok(&["manage", "--prod", d, "--", "migrate", "admin", "zero"]);
    let (code, out) = doctor(false);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("migration(s) not applied: admin.0001_initial")
            && out.contains(&format!("`djship manage --prod {d} -- migrate`")),
        "{out}"
    );
    dj.ok(&["manage", "--prod", d, "--", "migrate"]);

    // 6. A failing health check: gunicorn stops answering (its processes frozen). doctor
    // names the service, the check's own output and the service's last log lines.
    let web = format!("{PROJECT}-web-1");
    let (ok, o) = docker(&[
        "exec",
        &web,
        "python",
        "-c",
        "import os, signal; os.kill(-1, signal.SIGSTOP)",
    ]);
    assert!(ok, "{o}");
    wait_health(&web, "unhealthy", 60);
    let (code, out) = doctor(false);
    let (ok, o) = docker(&[
        "exec",
        &web,
        "python",
        "-c",
        "import os, signal; os.kill(-1, signal.SIGCONT)",
    ]);
    assert!(ok, "{o}");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "{web}: unhealthy: its health check `CMD python /app/docker/healthcheck.py` fails"
        )) && out.contains(&format!("--- {web} last log lines ---"))
            // The web container's own lines (gunicorn's JSON log; nginx writes the access log).
            && out.contains("\"logger\": \"gunicorn.error\"")
            && out.contains(&format!("`djship logs --prod {d} --service web`")),
        "{out}"
    );
    wait_health(&web, "healthy", 30);

    // 7. The database stopped: the web container's driver error, and the command that
    // starts it again (run as printed).
    let (ok, o) = docker(&["stop", &format!("{PROJECT}-db-1")]);
    assert!(ok, "{o}");
    let (code, out) = doctor(false);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("{PROJECT}-db-1 is not running (exited with code 0)"))
            && out.contains("the web container cannot connect to the default database (postgresql at db): OperationalError")
            && out.contains("the db service is not running"),
        "{out}"
    );
    sh(&command_after(&out, "remedy: start it"));
    wait_health(&format!("{PROJECT}-db-1"), "healthy", 30);

    // 8. .env's database password is not the one the volume was created with.
    let env_file = dir.join(".env");
    let env = read(&env_file);
    let changed: String = env
        .lines()
        .map(|l| match l.strip_prefix("POSTGRES_PASSWORD=") {
            Some(_) => "POSTGRES_PASSWORD=not-the-volumes-password".to_string(),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&env_file, changed).unwrap();
    let (code, out) = doctor(false);
    std::fs::write(&env_file, &env).unwrap();
    assert_eq!(code, 1, "{out}");
    let pw_line = env
        .lines()
        .position(|l| l.starts_with("POSTGRES_PASSWORD="))
        .unwrap()
        + 1;
    assert!(
        out.contains("the database refuses POSTGRES_PASSWORD from .env")
            && out.contains("created with another password")
            && out.contains(&format!("at: .env:{pw_line}"))
            && out.contains(&format!("`djship down -v --prod {d}`"))
            && out.contains("password authentication failed"),
        "{out}"
    );

    // Repaired: healthy again.
    let start = Instant::now();
    loop {
        let (code, out) = doctor(false);
        if code == 0 {
            assert!(out.contains("healthy: no error found"), "{out}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "not healthy after the repairs:\n{out}"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Without an engine (a docker binary that does not exist): the engine check says what to
/// install or set, every check that needs the engine says it was skipped and why, and the
/// checks that need none still run. Needs no engine, so it runs everywhere.
#[test]
fn without_an_engine_the_checks_that_need_one_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = startproject(tmp.path(), "nodocker") else {
        return;
    };
    init_ok(&dir, &["--patch-settings"]);
    let missing = tmp.path().join("no-such-docker");
    let out = djship()
        .args(["doctor", "--json"])
        .arg(&dir)
        .env("DJSHIP_DOCKER", &missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["stack"], "development");
    assert_eq!(report["running"], false);
    let engine = check(&report, "engine");
    assert_eq!(engine["status"], "error");
    let f = &engine["findings"][0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains(&format!("DJSHIP_DOCKER={}", missing.display())),
        "{f:#}"
    );
    assert!(
        f["remedy"].as_str().unwrap().contains("install Docker"),
        "{f:#}"
    );
    for id in [
        "buildkit",
        "image",
        "services",
        "database",
        "database-password",
        "volumes",
        "migrations",
    ] {
        let c = check(&report, id);
        assert_eq!(c["status"], "skipped", "{c:#}");
        assert!(!c["skipped"].as_str().unwrap().is_empty(), "{c:#}");
    }
    // What needs no engine ran: the settings' variables against .env, the ports.
    assert_eq!(check(&report, "env")["status"], "info", "{report:#}");
    assert!(check(&report, "ports")["summary"]
        .as_str()
        .unwrap()
        .contains("(web)"));
    // Every field of the report is documented in docs/doctor.md.
    let doc = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/doctor.md"));
    let mut fields = Vec::new();
    for (k, _) in report.as_object().unwrap() {
        fields.push(k.clone());
    }
    for c in report["checks"].as_array().unwrap() {
        for (k, _) in c.as_object().unwrap() {
            fields.push(format!("checks[].{k}"));
        }
        for f in c["findings"].as_array().unwrap() {
            for (k, _) in f.as_object().unwrap() {
                fields.push(format!("checks[].findings[].{k}"));
            }
        }
    }
    for f in &fields {
        assert!(
            doc.contains(&format!("| `{f}` |")),
            "docs/doctor.md does not document the field {f}"
        );
    }
    assert!(fields.iter().any(|f| f == "checks[].findings[].evidence"));
    // Every finding of an error or a warning has a remedy.
    for c in report["checks"].as_array().unwrap() {
        for f in c["findings"].as_array().unwrap() {
            if f["severity"] != "info" {
                assert!(f["remedy"].is_string(), "{f:#}");
            }
        }
    }
}

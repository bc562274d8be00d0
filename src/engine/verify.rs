//! `djship verify`: build the production stack, start it under an isolated compose project
//! name, check what a working deployment must do, and tear it down.

use super::{free_port, http_get, wait_http, Engine, Project};
use crate::error::Result;
use crate::plan::Plan;
use serde::Serialize;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub project: String,
    pub image: String,
    pub image_bytes: u64,
    pub port: u16,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }
}

pub struct Options {
    pub keep: bool,
    pub progress: bool,
    pub build_args: Vec<String>,
}

/// What verify needs to know of the project.
pub struct Target<'a> {
    pub root: &'a Path,
    pub plan: &'a Plan,
    pub admin: bool,
    /// Values of .env that must not be found in the image.
    pub secrets: Vec<String>,
}

fn check(name: &'static str, r: std::result::Result<String, String>) -> Check {
    match r {
        Ok(detail) => Check {
            name,
            ok: true,
            detail,
        },
        Err(detail) => Check {
            name,
            ok: false,
            detail,
        },
    }
}

pub fn run(engine: &Engine, t: &Target, o: &Options) -> Result<Report> {
    let port = free_port();
    let project = Project {
        dir: t.root.to_path_buf(),
        file: "compose.prod.yaml".into(),
        name: format!("{}-verify", t.plan.name),
        env: vec![("HTTP_PORT".into(), port.to_string())],
    };
    let image = format!("{}:latest", t.plan.name);
    let _ = engine.compose(
        &project,
        &["down", "-v", "--remove-orphans", "--timeout", "5"],
    );
    let build = engine.build(
        t.root,
        &[image.clone(), format!("{}:dev", t.plan.name)],
        &o.build_args,
        o.progress,
    )?;
    let mut report = Report {
        project: project.name.clone(),
        image: image.clone(),
        image_bytes: build.size_bytes,
        port,
        checks: Vec::new(),
    };
    let result = (|| -> Result<()> {
        engine.compose_ok(&project, &["up", "-d", "--no-build"])?;
        engine.wait_ready(&project, Duration::from_secs(240))?;
        report.checks = checks(engine, &project, t, port, &image);
        Ok(())
    })();
    if !o.keep {
        let _ = engine.compose(
            &project,
            &["down", "-v", "--remove-orphans", "--timeout", "10"],
        );
    }
    result?;
    Ok(report)
}

fn checks(engine: &Engine, p: &Project, t: &Target, port: u16, image: &str) -> Vec<Check> {
    let page = if t.admin {
        "/admin/login/".to_string()
    } else {
        "/".to_string()
    };
    let web_exec = |args: &[&str]| -> std::result::Result<String, String> {
        let mut a = vec!["exec", "-T", "web"];
        a.extend_from_slice(args);
        engine.compose_ok(p, &a).map_err(|e| e.to_string())
    };
    let mut out = Vec::new();

    out.push(check("page through nginx", {
        wait_http(port, &page, 200, Duration::from_secs(60)).and_then(|r| {
            match r.header("Server") {
                Some(s) if s.starts_with("nginx") => Ok(format!(
                    "GET {page} → 200 ({} bytes) via nginx",
                    r.body.len()
                )),
                other => Err(format!(
                    "GET {page} → 200 but not through nginx (Server: {other:?})"
                )),
            }
        })
    }));

    out.push(check(
        "static file from nginx",
        (|| {
            let path = if t.admin {
                format!("{}admin/css/base.css", t.plan.paths.static_url)
            } else {
                let found = web_exec(&[
                    "sh",
                    "-c",
                    &format!(
                        "cd {} && find . -type f -name '*.css' | head -n 1",
                        t.plan.paths.static_root
                    ),
                ])?;
                let f = found
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches("./")
                    .to_string();
                if f.is_empty() {
                    return Ok("no static files collected: nothing to serve".into());
                }
                format!("{}{f}", t.plan.paths.static_url)
            };
            let r = http_get(port, &path).ok_or(format!("GET {path}: no answer"))?;
            let ctype = r.header("Content-Type").unwrap_or("");
            let cache = r.header("Cache-Control").unwrap_or("");
            let max_age: u64 = cache
                .split(',')
                .find_map(|d| d.trim().strip_prefix("max-age="))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if r.status != 200 {
                return Err(format!("GET {path} → {}", r.status));
            }
            if r.header("X-Frame-Options").is_some() {
                return Err(format!("GET {path} was answered by Django, not nginx"));
            }
            if !ctype.starts_with("text/css") {
                return Err(format!("GET {path}: Content-Type {ctype:?}"));
            }
            if max_age < 86_400 {
                return Err(format!(
                    "GET {path}: Cache-Control {cache:?} is not long-lived"
                ));
            }
            Ok(format!("GET {path} → 200 {ctype}, {cache}"))
        })(),
    ));

    out.push(check(
        "migrations applied",
        (|| {
            let plan = web_exec(&["python", "manage.py", "showmigrations", "--plan"])?;
            let applied = plan
                .lines()
                .filter(|l| l.trim_start().starts_with("[X]"))
                .count();
            let pending: Vec<&str> = plan
                .lines()
                .filter(|l| l.trim_start().starts_with("[ ]"))
                .collect();
            if pending.is_empty() {
                Ok(format!("{applied} applied, none pending"))
            } else {
                Err(format!(
                    "{} not applied: {}",
                    pending.len(),
                    pending.join("; ")
                ))
            }
        })(),
    ));

    out.push(check(
        "runs as non-root",
        (|| {
            let uid = web_exec(&["id", "-u"])?;
            let uid = uid.lines().last().unwrap_or("").trim().to_string();
            let top = engine
                .compose_ok(p, &["top", "web"])
                .map_err(|e| e.to_string())?;
            let root_procs: Vec<&str> = top
                .lines()
                .skip(1)
                .filter(|l| l.split_whitespace().next() == Some("root"))
                .collect();
            if uid == "0" || !root_procs.is_empty() {
                return Err(format!("uid {uid}; processes as root: {root_procs:?}"));
            }
            Ok(format!("uid {uid}, no process as root"))
        })(),
    ));

    out.push(check(
        "no .env value in the image",
        scan_image(engine, image, &t.secrets),
    ));

    out.push(check("restarts after SIGKILL", (|| {
        // SIGKILL to every process of the app (a crash; `docker kill` would count as a
        // manual stop, which restart policies deliberately ignore).
        let id = web_id(engine, p)?;
        let count = |e: &Engine| -> std::result::Result<u32, String> {
            let c = e.docker_ok(&["inspect", "-f", "{{.RestartCount}}", &id]).map_err(|e| e.to_string())?;
            Ok(c.trim().parse().unwrap_or(0))
        };
        let before = count(engine)?;
        let _ = engine.compose(p, &["exec", "-T", "web", "python", "-c", "import os, signal; os.kill(-1, signal.SIGKILL)"]);
        let start = std::time::Instant::now();
        while count(engine)? == before {
            if start.elapsed() > Duration::from_secs(60) {
                return Err("the container was not restarted within 60s".into());
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        engine.wait_ready(p, Duration::from_secs(120)).map_err(|e| e.to_string())?;
        wait_http(port, &page, 200, Duration::from_secs(60))?;
        Ok(format!("app processes killed with SIGKILL; restarted by its policy ({} restarts), serving again", count(engine)?))
    })()));

    out.push(check("data survives down and up", (|| {
        let Some(db) = &t.plan.database else {
            return Ok("no database service".into());
        };
        // A SQL client in the database container, as the app's user.
        let client = match db.service.as_str() {
            "db" => "psql -v ON_ERROR_STOP=1 -At -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\" -c",
            "mariadb" => "mariadb -N -u\"$MARIADB_USER\" -p\"$MARIADB_PASSWORD\" \"$MARIADB_DATABASE\" -e",
            other => return Ok(format!("not checked for {other}")),
        };
        let token = format!("djship-{}", std::process::id());
        let service = db.service.clone();
        let sql = |q: &str| engine.compose_ok(p, &["exec", "-T", &service, "sh", "-c", &format!("{client} \"{q}\"")]).map_err(|e| e.to_string());
        sql(&format!("CREATE TABLE IF NOT EXISTS djship_verify (token varchar(64)); INSERT INTO djship_verify VALUES ('{token}')"))?;
        engine.compose_ok(p, &["down", "--timeout", "10"]).map_err(|e| e.to_string())?;
        engine.compose_ok(p, &["up", "-d", "--no-build"]).map_err(|e| e.to_string())?;
        engine.wait_ready(p, Duration::from_secs(180)).map_err(|e| e.to_string())?;
        let rows = sql("SELECT token FROM djship_verify")?;
        if rows.contains(&token) {
            let _ = sql("DROP TABLE djship_verify");
            wait_http(port, &page, 200, Duration::from_secs(60))?;
            Ok("a row written before `down` is there after `up` (named volume)".into())
        } else {
            Err(format!("the row is gone after down/up: {rows}"))
        }
    })()));
    out
}

fn web_id(engine: &Engine, p: &Project) -> std::result::Result<String, String> {
    engine
        .containers(p)
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|(s, _)| s == "web")
        .map(|(_, id)| id)
        .ok_or_else(|| "no web container".to_string())
}

/// Look for each secret in the image config, its history and every layer (`docker save`).
fn scan_image(
    engine: &Engine,
    image: &str,
    secrets: &[String],
) -> std::result::Result<String, String> {
    let secrets: Vec<&String> = secrets.iter().filter(|s| s.len() >= 8).collect();
    if secrets.is_empty() {
        return Ok("no secret values to look for".into());
    }
    let meta = format!(
        "{}{}",
        engine
            .docker_ok(&["image", "inspect", image])
            .map_err(|e| e.to_string())?,
        engine
            .docker_ok(&["history", "--no-trunc", image])
            .map_err(|e| e.to_string())?
    );
    for s in &secrets {
        if meta.contains(s.as_str()) {
            return Err(format!(
                "a value of .env ({}…) is in the image config or history",
                &s[..4]
            ));
        }
    }
    let mut child = Command::new(&engine.docker)
        .args(["save", image])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("docker save: {e}"))?;
    let mut stdout = child.stdout.take().ok_or("docker save: no output")?;
    let finders: Vec<memchr::memmem::Finder> = secrets
        .iter()
        .map(|s| memchr::memmem::Finder::new(s.as_bytes()))
        .collect();
    let longest = secrets.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut buf = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut total = 0usize;
    loop {
        let n = stdout
            .read(&mut buf)
            .map_err(|e| format!("docker save: {e}"))?;
        if n == 0 {
            break;
        }
        total += n;
        carry.extend_from_slice(&buf[..n]);
        if let Some((i, _)) = finders
            .iter()
            .enumerate()
            .find(|(_, f)| f.find(&carry).is_some())
        {
            let _ = child.kill();
            return Err(format!(
                "a value of .env ({}…) is inside a layer",
                &secrets[i][..4]
            ));
        }
        let keep = carry.len().saturating_sub(longest);
        carry.drain(..keep);
    }
    let _ = child.wait();
    Ok(format!(
        "{} values looked for in the config, the history and {} MB of layers: none found",
        secrets.len(),
        total / 1_000_000
    ))
}

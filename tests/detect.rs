//! What `inspect --json` finds in each fixture: one fixture per dependency manager,
//! layout, database and serving mode.

mod common;
use common::*;
use serde_json::Value;

fn facts(name: &str) -> Value {
    inspect_json(&fixtures().join(name), &[])
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap_or_default().to_string())
        .collect()
}

fn env_names(j: &Value) -> Vec<String> {
    j["facts"]["env_vars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect()
}

fn codes(j: &Value) -> Vec<String> {
    j["facts"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn requirements_with_includes_nested_manage_py_and_whitenoise() {
    let j = facts("requirements-nested");
    let f = &j["facts"];
    assert_eq!(f["manage_py"], "src/manage.py");
    assert_eq!(j["plan"]["workdir"], "/app/src");
    assert_eq!(f["dependencies"]["manager"], "requirements");
    assert_eq!(
        names(&f["dependencies"]["install_files"]),
        [
            "requirements.txt",
            "requirements/base.txt",
            "constraints.txt"
        ]
    );
    assert_eq!(
        names(&f["dependencies"]["dev_files"]),
        ["requirements/dev.txt"]
    );
    let pkgs = f["dependencies"]["packages"].as_array().unwrap();
    let thing = pkgs
        .iter()
        .find(|p| p["name"] == "django-thing")
        .expect("VCS line with #egg");
    assert!(thing["url"].as_str().unwrap().starts_with("git+https://"));
    let psy = pkgs.iter().find(|p| p["name"] == "psycopg2").unwrap();
    assert_eq!(
        psy["pinned"], "2.9.9",
        "hash continuation lines do not break the pin"
    );
    assert_eq!(psy["evidence"]["line"], 3);
    let wn = pkgs.iter().find(|p| p["name"] == "whitenoise").unwrap();
    assert_eq!(wn["extras"], serde_json::json!(["brotli"]));
    assert!(
        pkgs.iter().find(|p| p["name"] == "gunicorn").unwrap()["marker"]
            .as_str()
            .unwrap()
            .contains("sys_platform")
    );
    assert_eq!(
        f["dependencies"]["installs_project"], true,
        "-e ./libs/localpkg"
    );
    assert_eq!(f["dependencies"]["no_binary"], serde_json::json!(["lxml"]));
    assert_eq!(f["python"]["version"], "3.12");
    assert_eq!(f["python"]["source"], "runtime.txt");
    assert_eq!(f["django"]["value"], "5.1");
    assert_eq!(f["static"]["whitenoise"], true);
    assert_eq!(f["static"]["root_in_image"], "/app/src/collected");
    assert_eq!(
        f["static"]["storage"]["value"],
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    );
    assert_eq!(f["media"]["root_in_image"], "/app/src/uploads");
    assert_eq!(j["plan"]["paths"]["static_url"], "/assets/");
    assert_eq!(j["plan"]["paths"]["media_url"], "/uploads/");
    assert_eq!(j["plan"]["paths"]["hashed_static"], true);
    // psycopg2 from source and lxml with --no-binary: compilers at build, libraries at run.
    let build = names(&j["plan"]["build_packages"]);
    let run = names(&j["plan"]["run_packages"]);
    for p in [
        "libpq-dev",
        "gcc",
        "libc6-dev",
        "libxml2-dev",
        "libxslt1-dev",
    ] {
        assert!(build.contains(&p.to_string()), "{p} missing from {build:?}");
    }
    assert_eq!(run, ["libpq5", "libxml2", "libxslt1.1"]);
    assert!(
        codes(&j).is_empty(),
        "a well-configured project has no problems: {:?}",
        codes(&j)
    );
    // Database fields come from POSTGRES_* variables: the .env feeds the same names.
    let vars: Vec<_> = j["plan"]["env"]["vars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap(), v["value"].clone()))
        .collect();
    assert!(
        vars.contains(&("POSTGRES_HOST", Value::from("db"))),
        "{vars:?}"
    );
    assert_eq!(j["plan"]["server"]["kind"], "gunicorn");
    assert!(
        j["plan"]["install"]["extra"].as_array().unwrap().is_empty(),
        "gunicorn and the driver are declared"
    );
}

#[test]
fn split_settings_package_with_environ_celery_beat_and_redis() {
    let j = facts("split-settings-celery");
    let f = &j["facts"];
    assert_eq!(f["settings"]["default"]["module"], "config.settings.local");
    assert_eq!(
        f["settings"]["production"]["module"],
        "config.settings.production"
    );
    assert_eq!(
        f["settings"]["development"]["module"],
        "config.settings.local"
    );
    assert_eq!(f["settings"]["split"], true);
    assert_eq!(
        names(&f["settings_files"]),
        ["config/settings/production.py", "config/settings/base.py"]
    );
    assert_eq!(f["dependencies"]["manager"], "requirements");
    assert_eq!(
        names(&f["dependencies"]["install_files"]),
        ["requirements/production.txt", "requirements/base.txt"]
    );
    assert_eq!(f["wsgi_application"]["value"], "config.wsgi.application");
    assert_eq!(f["databases"][0]["kind"], "postgresql");
    assert_eq!(f["databases"][0]["url_env"], "DATABASE_URL");
    assert_eq!(f["cache"]["redis"], true);
    assert_eq!(f["celery"]["app"], "config");
    assert_eq!(f["celery"]["beat"], true);
    assert_eq!(
        f["python"]["version"], "3.12",
        "newest Python Django 5.0 supports"
    );
    let env = env_names(&j);
    for v in [
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "REDIS_URL",
        "DJANGO_ALLOWED_HOSTS",
        "SENTRY_DSN",
    ] {
        assert!(env.contains(&v.to_string()), "{v} missing from {env:?}");
    }
    let secret: Vec<_> = f["env_vars"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["secret"] == true)
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(secret, ["DATABASE_URL", "DJANGO_SECRET_KEY", "SENTRY_DSN"]);
    assert_eq!(j["plan"]["redis"], true);
    assert_eq!(j["plan"]["celery"]["beat"], true);
    // psycopg[c] builds against libpq.
    assert!(names(&j["plan"]["build_packages"]).contains(&"libpq-dev".to_string()));
    // Required variables get build-only placeholders for collectstatic.
    let ph: Vec<_> = j["plan"]["env"]["build_placeholders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap().to_string())
        .collect();
    assert!(
        ph.contains(&"DATABASE_URL".to_string())
            && ph.contains(&"CELERY_BROKER_URL".to_string())
            && ph.contains(&"DJANGO_SECRET_KEY".to_string()),
        "{ph:?}"
    );
}

#[test]
fn poetry_with_mysql_and_decouple() {
    let j = facts("poetry-mysql");
    let f = &j["facts"];
    assert_eq!(f["dependencies"]["manager"], "poetry");
    assert_eq!(f["dependencies"]["lockfile"], "poetry.lock");
    assert_eq!(
        f["django"]["value"], "4.2.16",
        "the lock pin wins over ^4.2"
    );
    assert_eq!(
        f["python"]["version"], "3.12",
        "newest allowed by ^3.11 that Django 4.2 supports"
    );
    assert_eq!(f["databases"][0]["kind"], "mysql");
    assert_eq!(j["plan"]["database"]["service"], "mariadb");
    assert!(names(&j["plan"]["build_packages"]).contains(&"default-libmysqlclient-dev".to_string()));
    assert_eq!(names(&j["plan"]["run_packages"]), ["libmariadb3"]);
    assert!(env_names(&j).contains(&"DB_PASSWORD".to_string()));
    let c = codes(&j);
    assert!(
        c.contains(&"DJS005".to_string()) && c.contains(&"DJS006".to_string()),
        "{c:?}"
    );
    assert!(j["plan"]["install"]["commands"][0]
        .as_str()
        .unwrap()
        .contains("poetry export --only main"));
}

#[test]
fn uv_project_served_as_asgi_by_daphne() {
    let j = facts("uv-channels");
    let f = &j["facts"];
    assert_eq!(f["dependencies"]["manager"], "uv");
    assert!(f["dependencies"]["reason"]
        .as_str()
        .unwrap()
        .contains("uv.lock"));
    assert_eq!(
        names(&f["dependencies"]["also_present"]),
        ["requirements", "pep621"]
    );
    assert_eq!(f["asgi"]["required"], true);
    assert_eq!(f["asgi_application"]["value"], "chat.asgi.application");
    assert_eq!(j["plan"]["server"]["kind"], "daphne");
    assert_eq!(j["plan"]["server"]["target"], "chat.asgi:application");
    assert_eq!(f["python"]["version"], "3.13");
    assert_eq!(f["databases"][0]["url_env"], "DATABASE_URL");
    assert_eq!(
        f["databases"][0]["kind"], "postgresql",
        "the driver decides a URL from the environment"
    );
    assert_eq!(f["media"]["root_in_image"], "/data/media");
    assert_eq!(f["static"]["root_in_image"], "/app/static_root");
    assert_eq!(
        j["plan"]["install"]["commands"][0],
        "uv sync --frozen --no-dev --no-install-project"
    );
}

#[test]
fn pipenv_with_geodjango() {
    let j = facts("pipenv-gis");
    let f = &j["facts"];
    assert_eq!(f["dependencies"]["manager"], "pipenv");
    assert_eq!(f["python"]["version"], "3.11");
    assert_eq!(f["databases"][0]["gis"], true);
    let run = names(&j["plan"]["run_packages"]);
    assert!(run.contains(&"libgdal32".to_string()) && run.contains(&"libgeos-c1v5".to_string()));
    assert!(
        j["plan"]["build_packages"].as_array().unwrap().is_empty(),
        "psycopg2-binary needs no compiler"
    );
    assert!(j["plan"]["install"]["commands"][0]
        .as_str()
        .unwrap()
        .contains("pipenv requirements"));
}

#[test]
fn pdm_with_ldap_and_sqlite_problems() {
    let j = facts("pdm-ldap");
    let f = &j["facts"];
    assert_eq!(f["dependencies"]["manager"], "pdm");
    assert_eq!(f["python"]["version"], "3.12");
    assert!(names(&j["plan"]["build_packages"]).contains(&"libldap2-dev".to_string()));
    let c = codes(&j);
    for code in ["DJS002", "DJS003", "DJS004", "DJS006"] {
        assert!(c.contains(&code.to_string()), "{code} missing from {c:?}");
    }
    let p = &f["problems"].as_array().unwrap()[0];
    assert!(p["evidence"]["file"]
        .as_str()
        .unwrap()
        .ends_with("settings.py"));
    assert!(p["fix"].as_str().unwrap().len() > 10);
    assert_eq!(
        j["plan"]["database"]["service"], "db",
        "SQLite is replaced by PostgreSQL"
    );
    assert!(j["plan"]["install"]["extra"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["requirement"].as_str().unwrap().starts_with("psycopg")));
}

#[test]
fn several_lockfiles_the_configured_tool_wins() {
    let (_t, dir) = fixture("poetry-mysql");
    std::fs::write(dir.join("uv.lock"), "version = 1\n").unwrap();
    std::fs::write(dir.join("requirements.txt"), "django\n").unwrap();
    let j = inspect_json(&dir, &[]);
    assert_eq!(
        j["facts"]["dependencies"]["manager"], "poetry",
        "pyproject configures poetry"
    );
    assert!(j["facts"]["dependencies"]["reason"]
        .as_str()
        .unwrap()
        .contains("configures"));
    // Without [tool.poetry]: uv's lock wins by precedence.
    let py = read(&dir.join("pyproject.toml"))
        .replace("[tool.poetry]", "[tool.other]")
        .replace("[tool.poetry.", "[tool.other.")
        .replace("poetry.core.masonry.api", "setuptools.build_meta");
    std::fs::write(dir.join("pyproject.toml"), py).unwrap();
    let j = inspect_json(&dir, &[]);
    assert_eq!(j["facts"]["dependencies"]["manager"], "uv");
}

#[test]
fn inspect_human_output_names_evidence() {
    let out = djship()
        .arg("inspect")
        .arg(fixtures().join("split-settings-celery"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("config.settings.production"));
    assert!(text.contains("(config/settings/base.py:9)"), "{text}");
    assert!(text.contains("celery"));
}

/// The requirements-nested fixture with these requirements instead of its own, and
/// `.python-version` instead of its runtime.txt when given.
fn with_requirements(reqs: &str, python: Option<&str>) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = fixture("requirements-nested");
    std::fs::write(dir.join("requirements.txt"), reqs).unwrap();
    std::fs::remove_file(dir.join("runtime.txt")).unwrap();
    if let Some(v) = python {
        std::fs::write(dir.join(".python-version"), format!("{v}\n")).unwrap();
    }
    (tmp, dir)
}

#[test]
fn old_pins_choose_the_python_and_name_the_pins_that_held_it_back() {
    let (_t, dir) = with_requirements(
        "Django==4.2.11\npsycopg2-binary==2.9.5\nPyYAML==5.4.1\n",
        None,
    );
    let j = facts_of(&dir);
    let py = &j["facts"]["python"];
    // Django 4.2 allows 3.12; PyYAML 5.4.1 has wheels up to 3.9, psycopg2-binary 2.9.5 to 3.11.
    assert_eq!(py["version"], "3.9");
    assert_eq!(py["newest_allowed"], "3.12");
    let held: Vec<(String, Value, Value)> = py["held_back_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["package"].as_str().unwrap().to_string(),
                h["evidence"].clone(),
                h["pythons"].clone(),
            )
        })
        .collect();
    assert_eq!(
        held,
        [
            (
                "pyyaml".to_string(),
                serde_json::json!({"file": "requirements.txt", "line": 3}),
                serde_json::json!(["3.10", "3.11", "3.12"])
            ),
            (
                "psycopg2-binary".to_string(),
                serde_json::json!({"file": "requirements.txt", "line": 2}),
                serde_json::json!(["3.12"])
            ),
        ]
    );
    let plan = &j["plan"];
    assert_eq!(plan["images"]["python"], "python:3.9-slim-bookworm");
    let notes = names(&plan["notes"]);
    assert!(
        notes.iter().any(|n| n
            .starts_with("Python 3.9, not 3.12: held back by pyyaml==5.4.1 (requirements.txt:3")),
        "{notes:?}"
    );
    // gunicorn 27 needs Python 3.10: the server djship adds installs on 3.9.
    let extra: Vec<&str> = plan["install"]["extra"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["requirement"].as_str().unwrap())
        .collect();
    assert_eq!(extra, ["gunicorn==23.0.0"]);
    assert_eq!(plan["install"]["build_constraints"], serde_json::json!([]));
}

fn facts_of(dir: &std::path::Path) -> Value {
    inspect_json(dir, &[])
}

#[test]
fn old_sdists_get_their_build_constraint_and_binary_pins_their_build_libraries() {
    let reqs = "Django==4.2.11\ndjango-allauth==0.45.0\nPyYAML==5.4.1\npsycopg2-binary==2.9.3\n";
    let (_t, dir) = with_requirements(reqs, Some("3.11"));
    let j = facts_of(&dir);
    assert_eq!(j["facts"]["python"]["version"], "3.11");
    assert_eq!(
        j["facts"]["warnings"],
        serde_json::json!([]),
        "every source build is known to work"
    );
    let built: Vec<(String, bool)> = j["facts"]["python"]["source_builds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["package"].as_str().unwrap().to_string(),
                b["known"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        built,
        [
            ("django-allauth".to_string(), true),
            ("pyyaml".to_string(), true),
            ("psycopg2-binary".to_string(), true)
        ]
    );
    let install = &j["plan"]["install"];
    let constraints: Vec<(&str, Vec<String>)> = install["build_constraints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["constraint"].as_str().unwrap(), names(&c["requirements"])))
        .collect();
    assert_eq!(
        constraints,
        [
            ("setuptools<70", vec!["django-allauth==0.45.0".to_string()]),
            ("Cython<3.0", vec!["pyyaml==5.4.1".to_string()]),
        ]
    );
    let commands = names(&install["commands"]);
    assert_eq!(
        commands[0],
        "echo 'setuptools<70' > /tmp/build-constraints-1.txt"
    );
    assert_eq!(
        commands[1],
        "uv pip install --python /opt/venv/bin/python --no-deps --build-constraints /tmp/build-constraints-1.txt django-allauth==0.45.0"
    );
    assert!(commands[4].contains("-r requirements.txt"), "{commands:?}");
    // psycopg2-binary 2.8.6 has no wheel for 3.11: its sdist needs pg_config and libpq.
    let build = names(&j["plan"]["build_packages"]);
    assert!(build.iter().any(|p| p == "libpq-dev"), "{build:?}");
    assert!(names(&j["plan"]["run_packages"])
        .iter()
        .any(|p| p == "libpq5"));

    // Near misses: releases that build with current tools, and the same pins on a Python
    // with their wheels, get no constraint.
    let (_t, dir) = with_requirements(
        "Django==4.2.11\ndjango-allauth==0.50.0\nPyYAML==6.0.1\npsycopg2-binary==2.9.9\n",
        Some("3.11"),
    );
    let j = facts_of(&dir);
    assert_eq!(
        j["plan"]["install"]["build_constraints"],
        serde_json::json!([])
    );
    assert!(!names(&j["plan"]["install"]["commands"])
        .iter()
        .any(|c| c.contains("build-constraints")));
    assert!(!names(&j["plan"]["build_packages"])
        .iter()
        .any(|p| p == "libpq-dev"));
    let (_t, dir) = with_requirements("Django==3.2.25\nPyYAML==5.4.1\n", Some("3.9"));
    assert_eq!(
        facts_of(&dir)["plan"]["install"]["build_constraints"],
        serde_json::json!([])
    );
}

#[test]
fn dependency_files_beside_manage_py() {
    // requirements-nested keeps manage.py in src/: move its requirements there.
    let (_t, dir) = fixture("requirements-nested");
    for f in ["requirements.txt", "constraints.txt", "runtime.txt"] {
        std::fs::rename(dir.join(f), dir.join("src").join(f)).unwrap();
    }
    std::fs::rename(dir.join("requirements"), dir.join("src/requirements")).unwrap();
    let j = facts_of(&dir);
    let deps = &j["facts"]["dependencies"];
    assert_eq!(deps["dir"], "src/");
    assert_eq!(
        names(&deps["install_files"]),
        [
            "src/requirements.txt",
            "src/requirements/base.txt",
            "src/constraints.txt"
        ]
    );
    assert_eq!(j["facts"]["python"]["source"], "src/runtime.txt");
    let cmd = names(&j["plan"]["install"]["commands"]).join("\n");
    assert!(cmd.contains("-r src/requirements.txt"), "{cmd}");
    assert_eq!(
        names(&j["plan"]["install"]["copy"])[0],
        "src/requirements.txt"
    );
}

#[test]
fn a_uv_project_keeps_its_own_build_settings() {
    // uv could not have locked an sdist that does not build: no constraint step is added
    // to `uv sync` (the project's `[tool.uv] build-constraint-dependencies` apply).
    let (_t, dir) = fixture("uv-channels");
    let lock = read(&dir.join("uv.lock"));
    std::fs::write(
        dir.join("uv.lock"),
        format!("{lock}\n[[package]]\nname = \"django-allauth\"\nversion = \"0.45.0\"\nsource = {{ registry = \"https://pypi.org/simple\" }}\n"),
    )
    .unwrap();
    let j = facts_of(&dir);
    let allauth = j["facts"]["dependencies"]["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "django-allauth")
        .cloned()
        .unwrap();
    assert_eq!(allauth["pinned"], "0.45.0");
    assert_eq!(allauth["evidence"]["file"], "uv.lock");
    assert!(allauth["evidence"]["line"].as_u64().is_some());
    assert_eq!(
        j["plan"]["install"]["build_constraints"],
        serde_json::json!([])
    );
    // The same pin from requirements gets the constraint (the true positive).
    let (_t, dir) = with_requirements("Django==4.2.11\ndjango-allauth==0.45.0\n", Some("3.11"));
    assert_eq!(
        facts_of(&dir)["plan"]["install"]["build_constraints"][0]["constraint"],
        "setuptools<70"
    );
}

/// docs/dependency-managers.md is generated from the managers' units, and every manager
/// is named where inspect's JSON schema lists them.
#[test]
fn dependency_managers_reference_is_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("docs/dependency-managers.md");
    let want = djship::detect::deps::reference();
    if std::env::var_os("DJSHIP_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        want,
        "docs/dependency-managers.md is stale: run with DJSHIP_UPDATE_DOCS=1"
    );
    let schema = std::fs::read_to_string(root.join("docs/inspect-json.md")).unwrap();
    let line = schema
        .lines()
        .find(|l| l.starts_with("| `facts.dependencies.manager`"))
        .expect("docs/inspect-json.md describes facts.dependencies.manager");
    for m in djship::detect::deps::ALL {
        assert!(
            line.contains(&format!("`{}`", m.name)),
            "docs/inspect-json.md does not list the manager {}",
            m.name
        );
        assert!(!m.doc.is_empty(), "{} has no documentation", m.name);
    }
}

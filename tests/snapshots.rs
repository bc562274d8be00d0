//! Golden snapshots of every file `djship init` writes, for every target, for every project
//! fixture and for projects made by `django-admin startproject` and `wagtail start`.
//! Snapshots are named `<target>-<case>__<file>`: registering a target without snapshots
//! fails these tests.
//!
//! A template or plan change shows here as a reviewed diff instead of an end-to-end failure.
//! After a deliberate change: `INSTA_UPDATE=always cargo nextest run --test snapshots`, then
//! read the diff of tests/snapshots/ before committing it (the commit says why).
//!
//! Generated secrets differ on every run: djship runs twice on identical copies, and a .env
//! value that differs between the runs is shown as `<generated>`.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Every regular file under `dir`, relative path to content (text only).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Run `djship init` with `args` on a copy of `project` (named `name`); the files it
/// created or changed, and its standard output.
fn init(project: &Path, name: &str, args: &[&str]) -> (BTreeMap<String, String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    copy_dir(project, &dir);
    let before = files(&dir);
    let out = djship().arg("init").arg(&dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "djship init {name} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = files(&dir)
        .into_iter()
        .filter(|(k, v)| before.get(k) != Some(v))
        .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
        .collect();
    let stdout = String::from_utf8_lossy(&out.stdout).replace(&*dir.to_string_lossy(), "<project>");
    (written, stdout)
}

/// `.env` lines whose values differ between two runs are random: replace them.
fn redact(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .map(|(x, y)| {
            if x == y {
                x.to_string()
            } else {
                match x.split_once('=') {
                    Some((k, _)) => format!("{k}=<generated>"),
                    None => "<generated>".to_string(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `django-admin startproject` writes a random key into the settings it makes.
fn scaffold_key(text: &str) -> String {
    const MARK: &str = "django-insecure-";
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i + MARK.len()]);
        out.push_str("<scaffold>");
        rest = &rest[i + MARK.len()..];
        let end = rest.find(['\'', '"', '\n']).unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Snapshot every file `init` writes for `project`, under `case`, for every target
/// djship has (a target registered without snapshots fails here).
fn snapshot_init(case: &str, project: &Path, name: &str, args: &[&str]) {
    for target in djship::targets::names() {
        let mut with_target = vec!["--target", target];
        with_target.extend(args);
        snapshot_target(&format!("{target}-{case}"), project, name, &with_target);
    }
}

fn snapshot_target(case: &str, project: &Path, name: &str, args: &[&str]) {
    let (first, stdout) = init(project, name, args);
    let (second, _) = init(project, name, args);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>(),
        "two runs of init on {case} wrote different files"
    );
    assert!(!first.is_empty(), "init on {case} wrote nothing");
    let mut listing = String::new();
    for (path, content) in &first {
        listing.push_str(path);
        listing.push('\n');
        let shown = if content == &second[path] {
            content.clone()
        } else if content.contains("-----BEGIN ") {
            // A generated key or certificate: what it holds, not its bytes.
            content
                .lines()
                .filter(|l| l.starts_with("-----BEGIN "))
                .map(|l| format!("{l} <generated>"))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            redact(content, &second[path])
        };
        let shown = scaffold_key(&shown)
            .replace(
                concat!("djship ", env!("CARGO_PKG_VERSION")),
                "djship <version>",
            )
            .replace(
                concat!("version=\"", env!("CARGO_PKG_VERSION"), "\""),
                "version=\"<version>\"",
            );
        insta::assert_snapshot!(format!("{case}__{}", path.replace('/', "__")), shown);
    }
    insta::assert_snapshot!(format!("{case}__files"), listing);
    insta::assert_snapshot!(format!("{case}__stdout"), stdout);
}

#[test]
fn every_target_has_snapshots_of_every_fixture() {
    for name in PROJECT_FIXTURES {
        snapshot_init(name, &fixtures().join(name), name, &[]);
    }
}

#[test]
fn fixture_with_patch_settings_and_ca_cert() {
    // The settings patch and the CA bundle are files init writes only on request.
    let tmp = tempfile::tempdir().unwrap();
    let ca = tmp.path().join("ca.pem");
    std::fs::write(
        &ca,
        "-----BEGIN CERTIFICATE-----\nMIIBfixture\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    snapshot_init(
        "split-settings-celery-patched",
        &fixtures().join("split-settings-celery"),
        "split-settings-celery",
        &["--patch-settings", "--ca-cert", ca.to_str().unwrap()],
    );
}

#[test]
fn every_target_on_startproject() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = startproject(tmp.path(), "mysite") else {
        assert!(!tools_required(), "django-admin is required");
        eprintln!("skipped: django-admin not found");
        return;
    };
    snapshot_init("startproject", &dir, "mysite", &[]);
    snapshot_init(
        "startproject-patched",
        &dir,
        "mysite",
        &["--patch-settings"],
    );
    // Monitoring: django-prometheus in the settings, gunicorn's metrics hooks, Prometheus,
    // the exporters and Grafana (compose); the app side only on swarm and k8s.
    snapshot_init("startproject-monitoring", &dir, "mysite", &["--monitoring"]);
    // The log store (Loki and Vector) is compose's only.
    snapshot_target(
        "compose-startproject-logstore",
        &dir,
        "mysite",
        &["--target", "compose", "--monitoring", "--log-store", "loki"],
    );
}

#[test]
fn every_target_on_wagtail() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = wagtail_start(tmp.path(), "mysite") else {
        assert!(!tools_required(), "wagtail is required");
        eprintln!("skipped: wagtail not found");
        return;
    };
    // `wagtail start` writes its own Dockerfile and .dockerignore: djship replaces them.
    snapshot_init("wagtail", &dir, "mysite", &["--force"]);
}

/// The pipeline files of every CI provider (`init --ci`), on projects with MariaDB, with
/// Redis, with pytest-django, and from startproject: the files `--ci` adds to a plain init.
#[test]
fn ci_pipelines() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, std::path::PathBuf, Vec<&str>)> = [
        "poetry-mysql",
        "split-settings-celery",
        "requirements-nested",
    ]
    .iter()
    .map(|n| (n.to_string(), fixtures().join(n), vec![]))
    .collect();
    if let Some(dir) = startproject(tmp.path(), "mysite") {
        cases.push(("startproject-patched".into(), dir, vec!["--patch-settings"]));
    } else {
        assert!(!tools_required(), "django-admin is required");
    }
    for (case, dir, args) in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (plain, _) = init(dir, &name, args);
        for provider in djship::targets::ci::names() {
            let mut with_ci = vec!["--ci", provider];
            with_ci.extend(args);
            let (written, _) = init(dir, &name, &with_ci);
            let added: Vec<_> = written
                .iter()
                .filter(|(k, _)| !plain.contains_key(*k))
                .collect();
            assert!(!added.is_empty(), "--ci {provider} wrote nothing on {case}");
            for (path, content) in added {
                let shown = content.replace(
                    concat!("djship ", env!("CARGO_PKG_VERSION")),
                    "djship <version>",
                );
                insta::assert_snapshot!(
                    format!("ci-{provider}-{case}__{}", path.replace('/', "__")),
                    shown
                );
            }
        }
    }
}

/// No snapshot is left over: each file snapshot of a case is in that case's listing of the
/// files init wrote (a file init no longer writes leaves its snapshot behind otherwise), and
/// every case is named after a registered target or CI provider.
#[test]
fn no_snapshot_is_left_over() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut cases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix("snapshots__")
            .and_then(|n| n.strip_suffix(".snap"))
        else {
            continue;
        };
        let (case, file) = rest.split_once("__").unwrap_or((rest, ""));
        cases
            .entry(case.to_string())
            .or_default()
            .push(file.to_string());
    }
    let targets = djship::targets::names();
    let providers = djship::targets::ci::names();
    for (case, snapshots) in &cases {
        if let Some(ci) = case.strip_prefix("ci-") {
            assert!(
                providers.iter().any(|p| ci.starts_with(&format!("{p}-"))),
                "snapshots of {case}: no such CI provider"
            );
            continue;
        }
        assert!(
            targets.iter().any(|t| case.starts_with(&format!("{t}-"))),
            "snapshots of {case}: no such target"
        );
        let listing = std::fs::read_to_string(dir.join(format!("snapshots__{case}__files.snap")))
            .unwrap_or_else(|_| panic!("{case} has file snapshots but no listing"));
        // After the header, between its two `---` lines.
        let listed: Vec<String> = listing
            .lines()
            .skip(1)
            .skip_while(|l| *l != "---")
            .skip(1)
            .map(|l| l.replace('/', "__"))
            .collect();
        assert!(
            listed.iter().any(|l| l == "Dockerfile"),
            "{case}: {listed:?}"
        );
        for s in snapshots
            .iter()
            .filter(|s| !["files", "stdout"].contains(&s.as_str()))
        {
            assert!(
                listed.contains(s),
                "tests/snapshots/snapshots__{case}__{s}.snap is left over: init on {case} does not write it (delete it)"
            );
        }
    }
}

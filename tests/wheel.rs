//! The Python package: maturin builds the wheel (pyproject.toml, `bindings = "bin"`), and
//! `pip install` of it into a fresh virtualenv gives a djship that reports its version and
//! commit and inspects a project. uv runs it the way `uvx djship` does.
//!
//! The wheel is built with the dev profile into target/wheel (its own folder, so the build
//! never replaces the binary other tests are running); a release wheel is the same command
//! with `--release`.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

#[test]
fn the_wheel_installs_with_pip_and_runs() {
    let Some(maturin) = tool("maturin") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    must(
        "maturin build",
        run(Command::new(&maturin)
            .args(["build", "--profile", "dev", "--out"])
            .arg(out.path())
            .arg("--target-dir")
            .arg(root.join("target/wheel"))
            .current_dir(root)),
    );
    let wheels: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    let wheel = &wheels[0];
    let name = wheel.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with(&format!("djship-{}-py3-none-", env!("CARGO_PKG_VERSION"))),
        "{name}"
    );

    // A fresh virtualenv, nothing from an index: the wheel alone.
    let venv = out.path().join("venv");
    must(
        "python3 -m venv",
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv)),
    );
    must(
        "pip install the wheel",
        run(Command::new(venv.join("bin/pip"))
            .args(["install", "--no-index", "--disable-pip-version-check"])
            .arg(wheel)),
    );
    let installed = venv.join("bin/djship");
    let version = must(
        "djship --version",
        run(Command::new(&installed).arg("--version")),
    );
    assert!(
        version.starts_with(&format!("djship {}", djship::cli::VERSION)),
        "the installed djship is not this build: {version}"
    );
    let inspect = must(
        "djship inspect --json",
        run(Command::new(&installed)
            .args(["inspect", "--json"])
            .arg(fixtures().join("requirements-nested"))),
    );
    let json: serde_json::Value =
        serde_json::from_str(&inspect[inspect.find('{').expect("inspect printed JSON")..]).unwrap();
    assert_eq!(json["facts"]["manage_py"], "src/manage.py", "{json:#}");

    // `uvx djship`: uv runs the package's binary from the wheel in a throwaway environment.
    if let Some(uv) = tool("uv") {
        let text = must(
            "uv tool run",
            run(Command::new(uv)
                .args(["tool", "run", "--offline", "--from"])
                .arg(wheel)
                .args(["djship", "--version"])
                .env("UV_TOOL_DIR", out.path().join("uv-tools"))
                .env("UV_CACHE_DIR", out.path().join("uv-cache"))),
        );
        assert!(text.contains(djship::cli::VERSION), "{text}");
    }
}

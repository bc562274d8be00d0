//! Commands that operate the stack through the engine: build, up, down, verify, manage, logs.

use super::{analyse, Analysis, Common};
use crate::engine::{verify, Engine, Project};
use crate::error::{Error, Result};
use std::path::Path;
use std::time::Duration;

fn project(a: &Analysis, prod: bool) -> Result<Project> {
    let file = if prod {
        "compose.prod.yaml"
    } else {
        "compose.yaml"
    };
    if !a.root.join(file).is_file() {
        return Err(Error::Invalid {
            path: a.root.join(file),
            message: "no compose file".into(),
            hint: "run `djship init` first".into(),
        });
    }
    Ok(Project {
        dir: a.root.clone(),
        file: file.into(),
        name: a.plan.name.clone(),
        env: Vec::new(),
    })
}

fn tags(a: &Analysis) -> Vec<String> {
    vec![
        format!("{}:latest", a.plan.name),
        format!("{}:dev", a.plan.name),
    ]
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

pub fn build(c: &Common, json: bool) -> Result<i32> {
    let a = analyse(c, false)?;
    let engine = Engine::connect()?;
    let report = engine.build(&a.root, &tags(&a), &[], !json)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
        return Ok(0);
    }
    let cached = report.steps.iter().filter(|s| s.cached).count();
    println!(
        "built {} ({}) in {:.1}s; {cached} of {} steps from cache",
        report.image,
        mb(report.size_bytes),
        report.seconds,
        report.steps.len()
    );
    for s in &report.steps {
        println!("  {} {}", if s.cached { "cached " } else { &"" }, s.name);
    }
    Ok(0)
}

pub fn up(c: &Common, prod: bool, no_build: bool) -> Result<i32> {
    let a = analyse(c, false)?;
    let engine = Engine::connect()?;
    let p = project(&a, prod)?;
    if !no_build {
        let r = engine.build(&a.root, &tags(&a), &[], true)?;
        eprintln!(
            "built {} ({}) in {:.1}s",
            r.image,
            mb(r.size_bytes),
            r.seconds
        );
    }
    engine.compose_ok(&p, &["up", "-d", "--no-build", "--remove-orphans"])?;
    eprintln!("waiting for every service to be healthy...");
    engine.wait_ready(&p, Duration::from_secs(300))?;
    let url = if prod {
        let port = std::env::var("HTTP_PORT").unwrap_or_else(|_| "80".into());
        format!("http://localhost:{port}/")
    } else {
        let port = std::env::var("WEB_PORT").unwrap_or_else(|_| a.plan.port.to_string());
        format!("http://localhost:{port}/")
    };
    println!("{} is up: {url}", a.plan.name);
    Ok(0)
}

pub fn down(c: &Common, prod: bool, volumes: bool) -> Result<i32> {
    let a = analyse(c, false)?;
    let engine = Engine::connect()?;
    let p = project(&a, prod)?;
    let mut args = vec!["down", "--remove-orphans"];
    if volumes {
        args.push("-v");
    }
    engine.compose_ok(&p, &args)?;
    println!(
        "{} is down{}",
        a.plan.name,
        if volumes { " (volumes removed)" } else { "" }
    );
    Ok(0)
}

pub fn verify(c: &Common, json: bool, keep: bool) -> Result<i32> {
    let a = analyse(c, false)?;
    let engine = Engine::connect()?;
    project(&a, true)?;
    let env_text = std::fs::read_to_string(a.root.join(".env"))
        .map_err(|e| Error::io(a.root.join(".env"), e))?;
    let values = crate::write::secrets::parse_env(&env_text);
    let secrets: Vec<String> = a
        .plan
        .env
        .vars
        .iter()
        .filter(|v| v.secret || v.generate.is_some())
        .filter_map(|v| values.get(&v.name).cloned())
        .filter(|v| !v.is_empty())
        .collect();
    let target = verify::Target {
        root: &a.root,
        plan: &a.plan,
        admin: a
            .facts
            .installed_apps
            .iter()
            .any(|x| x == "django.contrib.admin"),
        secrets,
    };
    let report = verify::run(
        &engine,
        &target,
        &verify::Options {
            keep,
            progress: !json,
            build_args: Vec::new(),
        },
    )?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        println!(
            "verify {} ({}, {}):",
            report.image,
            mb(report.image_bytes),
            report.project
        );
        for ch in &report.checks {
            println!(
                "  {} {:<28} {}",
                if ch.ok { "PASS" } else { "FAIL" },
                ch.name,
                ch.detail
            );
        }
        let passed = report.checks.iter().filter(|c| c.ok).count();
        println!("{passed} passed, {} failed", report.checks.len() - passed);
    }
    Ok(if report.ok() { 0 } else { 1 })
}

fn at(path: &Path) -> Result<Analysis> {
    analyse(&Common::at(path, None), false)
}

pub fn manage(path: &Path, prod: bool, args: &[String]) -> Result<i32> {
    let a = at(path)?;
    let engine = Engine::connect()?;
    let p = project(&a, prod)?;
    let mut cmd: Vec<&str> = vec!["exec"];
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        cmd.push("-T");
    }
    cmd.extend(["web", "python", "manage.py"]);
    cmd.extend(args.iter().map(String::as_str));
    interactive(&engine, &p, &cmd)
}

pub fn logs(path: &Path, prod: bool, follow: bool, service: Option<&str>) -> Result<i32> {
    let a = at(path)?;
    let engine = Engine::connect()?;
    let p = project(&a, prod)?;
    let mut cmd = vec!["logs", "--no-color"];
    if follow {
        cmd.push("--follow");
    }
    cmd.extend(service);
    interactive(&engine, &p, &cmd)
}

/// Run a compose command with the terminal attached; its exit code is ours.
fn interactive(engine: &Engine, p: &Project, args: &[&str]) -> Result<i32> {
    let status = engine.compose_status(p, args)?;
    Ok(status.code().unwrap_or(1))
}

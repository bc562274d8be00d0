//! `djship up`: build, start the development (or production) stack, wait until healthy.

use super::args::StackArgs;
use super::{report, stack};
use crate::engine::Engine;
use crate::error::{Error, Result};
use clap::Args;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct UpArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Use the images already built.
    #[arg(long)]
    pub no_build: bool,
    /// Run N web replicas behind nginx (production stack only); nginx spreads requests
    /// over them and follows them as they come and go.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub scale: Option<u32>,
}

pub fn run(args: &UpArgs) -> Result<i32> {
    let prod = args.stack.prod;
    let (o, a, p) = stack::of(&args.stack)?;
    if args.scale.is_some() && !prod {
        return Err(Error::Invalid {
            path: o.root.join(crate::targets::compose::DEV_FILE),
            message: "--scale runs several web replicas behind nginx: only the production stack has nginx (the development stack publishes runserver's port, which one container can hold)".into(),
            hint: "run `djship up --prod --scale N`".into(),
        });
    }
    let engine = Engine::connect()?;
    if !args.no_build {
        let r = engine.build(&o.root, &stack::tags(&a), &[], true)?;
        eprintln!(
            "built {} ({}) in {:.1}s",
            r.image,
            report::mb(r.size_bytes),
            r.seconds
        );
    }
    // The stack stays as it is when it does not come up: djship logs can show why.
    let logs_hint = |e: Error| match e {
        Error::Engine {
            message,
            detail,
            hint,
        } => Error::Engine {
            message,
            detail,
            hint: format!(
                "{hint}; the stack is left as it is: `djship logs {}{} --service SERVICE` \
                 shows a service's whole log",
                o.root.display(),
                if prod { " --prod" } else { "" }
            ),
        },
        other => other,
    };
    let scale = args
        .scale
        .map(|n| format!("{}={n}", crate::targets::compose::WEB_SERVICE));
    let mut up = vec!["-d", "--no-build", "--remove-orphans"];
    if let Some(s) = &scale {
        up.extend(["--scale", s.as_str()]);
    }
    engine.compose_up(&p, &up).map_err(logs_hint)?;
    eprintln!("waiting for every service to be healthy...");
    engine
        .wait_ready(&p, Duration::from_secs(300))
        .map_err(logs_hint)?;
    let tls = std::fs::read_to_string(o.root.join(&p.file))
        .is_ok_and(|c| crate::targets::compose::Written::read(&c).tls);
    let url = if prod && tls {
        match std::env::var("HTTPS_PORT").ok().filter(|p| p != "443") {
            Some(port) => format!("https://localhost:{port}/"),
            None => "https://localhost/".into(),
        }
    } else if prod {
        let port = std::env::var("HTTP_PORT").unwrap_or_else(|_| "80".into());
        format!("http://localhost:{port}/")
    } else {
        let port = std::env::var("WEB_PORT").unwrap_or_else(|_| a.plan.port.to_string());
        format!("http://localhost:{port}/")
    };
    match args.scale {
        Some(n) => println!(
            "{} is up with {n} web replicas behind nginx: {url}",
            a.plan.name
        ),
        None => println!("{} is up: {url}", a.plan.name),
    }
    Ok(0)
}

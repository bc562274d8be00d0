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
}

pub fn run(args: &UpArgs) -> Result<i32> {
    let prod = args.stack.prod;
    let (o, a, p) = stack::of(&args.stack)?;
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
            message, detail, ..
        } => Error::Engine {
            message,
            detail,
            hint: format!(
                "the stack is left as it is: `djship logs {}{} --service SERVICE` shows a \
                 service's whole log",
                o.root.display(),
                if prod { " --prod" } else { "" }
            ),
        },
        other => other,
    };
    engine
        .compose_ok(&p, &["up", "-d", "--no-build", "--remove-orphans"])
        .map_err(logs_hint)?;
    eprintln!("waiting for every service to be healthy...");
    engine
        .wait_ready(&p, Duration::from_secs(300))
        .map_err(logs_hint)?;
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

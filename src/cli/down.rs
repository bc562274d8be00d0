//! `djship down`: stop the stack.

use super::args::StackArgs;
use super::stack;
use crate::engine::Engine;
use crate::error::Result;
use clap::Args;

#[derive(Args, Debug)]
pub struct DownArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Also remove the volumes (database data, media).
    #[arg(short = 'v', long)]
    pub volumes: bool,
}

pub fn run(args: &DownArgs) -> Result<i32> {
    let (_, a, p) = stack::of(&args.stack)?;
    let engine = Engine::connect()?;
    let mut cmd = vec!["down", "--remove-orphans"];
    if args.volumes {
        cmd.push("-v");
    }
    engine.compose_ok(&p, &cmd)?;
    println!(
        "{} is down{}",
        a.plan.name,
        if args.volumes {
            " (volumes removed)"
        } else {
            ""
        }
    );
    Ok(0)
}

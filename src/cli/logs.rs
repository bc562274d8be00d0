//! `djship logs`: the logs of the stack, or of one service.

use super::args::StackArgs;
use super::{manage::interactive, stack};
use crate::engine::Engine;
use crate::error::Result;
use clap::Args;

#[derive(Args, Debug)]
pub struct LogsArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Keep following.
    #[arg(short, long)]
    pub follow: bool,
    /// Only this service's log (web, nginx, db...).
    #[arg(short, long)]
    pub service: Option<String>,
}

pub fn run(args: &LogsArgs) -> Result<i32> {
    let (_, _, p) = stack::of(&args.stack)?;
    let engine = Engine::connect()?;
    let mut cmd = vec!["logs", "--no-color"];
    if args.follow {
        cmd.push("--follow");
    }
    cmd.extend(args.service.as_deref());
    interactive(&engine, &p, &cmd)
}

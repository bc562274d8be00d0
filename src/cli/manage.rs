//! `djship manage` and `djship shell`: manage.py in the web container.

use super::args::StackArgs;
use super::stack;
use crate::engine::{compose::Project, Engine};
use crate::error::Result;
use crate::targets::compose::WEB_SERVICE;
use clap::Args;

#[derive(Args, Debug)]
pub struct ManageArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// The manage.py command and its arguments, after `--`.
    #[arg(last = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ShellArgs {
    #[command(flatten)]
    pub stack: StackArgs,
}

pub fn run(args: &ManageArgs) -> Result<i32> {
    manage(&args.stack, &args.args)
}

pub fn shell(args: &ShellArgs) -> Result<i32> {
    manage(&args.stack, &["shell".to_string()])
}

fn manage(s: &StackArgs, args: &[String]) -> Result<i32> {
    let (_, _, p) = stack::of(s)?;
    let engine = Engine::connect()?;
    let mut cmd: Vec<&str> = vec!["exec"];
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        cmd.push("-T");
    }
    cmd.extend([WEB_SERVICE, "python", "manage.py"]);
    cmd.extend(args.iter().map(String::as_str));
    interactive(&engine, &p, &cmd)
}

/// Run a compose command with the terminal attached; its exit code is ours.
pub fn interactive(engine: &Engine, p: &Project, args: &[&str]) -> Result<i32> {
    let status = engine.compose_status(p, args)?;
    Ok(status.code().unwrap_or(1))
}

//! `djship completions SHELL`: the completion script for a shell, from the same clap
//! definitions as the commands (so it never falls behind them).

use crate::error::Result;
use clap::Args;
use clap_complete::Shell;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs, cmd: &mut clap::Command) -> Result<i32> {
    clap_complete::generate(args.shell, cmd, "djship", &mut std::io::stdout());
    Ok(0)
}

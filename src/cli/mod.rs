//! The command line: clap definitions and dispatch. One file per command; each parses its
//! arguments, calls the pipeline and prints. [`report`] holds what they print for people.

mod args;
mod build;
mod deploy;
mod doctor;
mod down;
mod init;
mod inspect;
mod lint;
mod logs;
mod manage;
mod report;
mod rule;
mod stack;
mod up;
mod verify;

pub use inspect::SCHEMA_VERSION;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "djship",
    version,
    about = "Understand a Django project and give it a correct, secure container setup"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Report what djship finds in a project (with evidence) and the plan it would generate.
    Inspect(inspect::InspectArgs),
    /// Write the container setup: Dockerfile, compose files, nginx config, .env and more.
    Init(init::InitArgs),
    /// Build the image with BuildKit (live progress, then a summary).
    Build(build::BuildArgs),
    /// Deploy to Docker Swarm (`djship deploy swarm`): build, deploy the stack, wait until
    /// every service converged; exit 1 when one rolled back or did not converge.
    Deploy(deploy::DeployArgs),
    /// Build, start the development (or --prod) stack, and wait until it is healthy.
    Up(up::UpArgs),
    /// Stop the stack.
    Down(down::DownArgs),
    /// Prove the production stack works: build, start under an isolated name, check, tear down.
    Verify(verify::VerifyArgs),
    /// Run manage.py in the web container: `djship manage [PATH] -- createsuperuser`.
    Manage(manage::ManageArgs),
    /// A Django shell in the web container.
    Shell(manage::ShellArgs),
    /// Check the development (or --prod) stack and explain what keeps it from working, each
    /// finding with its remedy: engine and BuildKit, ports, variables, image, services and
    /// health checks, database, volumes, migrations. Exit 1 when an error is found.
    Doctor(doctor::DoctorArgs),
    /// Show the logs of the stack, or of one service (`--service web`).
    Logs(logs::LogsArgs),
    /// Check Dockerfiles, compose files, .dockerignore and Django settings for the
    /// mistakes the tutorials make. Exit 1 when a finding reaches --fail-on, 2 on errors.
    Lint(lint::LintArgs),
    /// Show a lint rule's documentation: `djship rule DJL001` (or its name); without an
    /// ID, list the rules.
    Rule(rule::RuleArgs),
}

pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Init(a) => init::run(a),
        Command::Build(a) => build::run(a),
        Command::Up(a) => up::run(a),
        Command::Down(a) => down::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Deploy(a) => deploy::run(a),
        Command::Manage(a) => manage::run(a),
        Command::Shell(a) => manage::shell(a),
        Command::Logs(a) => logs::run(a),
        Command::Doctor(a) => doctor::run(a),
        Command::Lint(a) => Ok(lint::run(a)),
        Command::Rule(a) => rule::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

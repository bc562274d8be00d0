//! The command line: clap definitions and dispatch. One file per command; each parses its
//! arguments, calls the pipeline and prints. [`report`] holds what they print for people.

mod args;
mod build;
mod completions;
mod deploy;
mod doctor;
mod down;
mod examples;
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

/// The version and the commit it was built from (see build.rs): `0.1.0 (1a2b3c4d5e6f 2026-12-04)`.
pub const VERSION: &str = env!("DJSHIP_VERSION_LONG");

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "djship",
    version = VERSION,
    about = "Understand a Django project and give it a correct, secure container setup",
    after_help = "Examples:\n  djship inspect             what djship finds in the project here, with evidence\n  \
djship init --dry-run      the files it would write, as a diff\n  \
djship verify              prove the production stack serves the app\n  \
djship lint                check Dockerfiles, compose files and settings\n\n\
`djship COMMAND --help` shows a command's options and examples."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Report what djship finds in a project (with evidence) and the plan it would generate.
    #[command(after_help = examples::INSPECT)]
    Inspect(inspect::InspectArgs),
    /// Write the container setup: Dockerfile, compose files, nginx config, .env and more.
    #[command(after_help = examples::INIT)]
    Init(init::InitArgs),
    /// Build the image with BuildKit (live progress, then a summary).
    #[command(after_help = examples::BUILD)]
    Build(build::BuildArgs),
    /// Deploy to Docker Swarm (`djship deploy swarm`): build, deploy the stack, wait until
    /// every service converged; exit 1 when one rolled back or did not converge.
    #[command(after_help = examples::DEPLOY)]
    Deploy(deploy::DeployArgs),
    /// Build, start the development (or --prod) stack, and wait until it is healthy.
    #[command(after_help = examples::UP)]
    Up(up::UpArgs),
    /// Stop the stack.
    #[command(after_help = examples::DOWN)]
    Down(down::DownArgs),
    /// Prove the production stack works: build, start under an isolated name, check, tear down.
    #[command(after_help = examples::VERIFY)]
    Verify(verify::VerifyArgs),
    /// Run manage.py in the web container: `djship manage [PATH] -- createsuperuser`.
    #[command(after_help = examples::MANAGE)]
    Manage(manage::ManageArgs),
    /// A Django shell in the web container.
    #[command(after_help = examples::SHELL)]
    Shell(manage::ShellArgs),
    /// Check the development (or --prod) stack and explain what keeps it from working, each
    /// finding with its remedy: engine and BuildKit, ports, variables, image, services and
    /// health checks, database, volumes, migrations. Exit 1 when an error is found.
    #[command(after_help = examples::DOCTOR)]
    Doctor(doctor::DoctorArgs),
    /// Show the logs of the stack, or of one service (`--service web`).
    #[command(after_help = examples::LOGS)]
    Logs(logs::LogsArgs),
    /// Check Dockerfiles, compose files, .dockerignore and Django settings for the
    /// mistakes the tutorials make. Exit 1 when a finding reaches --fail-on, 2 on errors.
    #[command(after_help = examples::LINT)]
    Lint(lint::LintArgs),
    /// Show a lint rule's documentation: `djship rule DJL001` (or its name); without an
    /// ID, list the rules.
    #[command(after_help = examples::RULE)]
    Rule(rule::RuleArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to standard output.
    #[command(after_help = examples::COMPLETIONS)]
    Completions(completions::CompletionsArgs),
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
        Command::Completions(a) => {
            completions::run(a, &mut <Cli as clap::CommandFactory>::command())
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::{CommandFactory, Parser};

    /// The command lines of a help text's examples: lines starting with `djship`, without
    /// the comment after two spaces and without an output redirection.
    fn example_lines(help: &str) -> Vec<Vec<String>> {
        help.lines()
            .map(str::trim)
            .filter(|l| l.starts_with("djship "))
            .map(|l| {
                let command = l.split("  ").next().unwrap_or(l);
                let command = command.split(" > ").next().unwrap_or(command);
                command.split_whitespace().map(String::from).collect()
            })
            .collect()
    }

    #[test]
    fn every_command_has_examples_and_every_example_parses() {
        let cli = Cli::command();
        let top = cli
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        let mut all = example_lines(&top);
        assert!(all.len() >= 3, "{top}");
        for sub in cli.get_subcommands() {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            let lines = example_lines(&help);
            assert!(
                help.starts_with("Examples:") && !lines.is_empty(),
                "`djship {} --help` has no examples",
                sub.get_name()
            );
            for l in &lines {
                assert_eq!(
                    l[1],
                    sub.get_name(),
                    "an example of {} runs {l:?}",
                    sub.get_name()
                );
            }
            all.extend(lines);
        }
        for words in all {
            if let Err(e) = Cli::try_parse_from(&words) {
                panic!("the example `{}` does not parse:\n{e}", words.join(" "));
            }
        }
    }

    #[test]
    fn version_names_the_commit_when_built_from_git() {
        // Built from a git checkout (as here and in CI): the commit and its date follow the
        // package version. From a source archive without DJSHIP_COMMIT it is the bare version.
        let v = super::VERSION;
        assert!(v.starts_with(env!("CARGO_PKG_VERSION")), "{v}");
        if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(".git")
            .exists()
        {
            let commit = v.split(['(', ' ']).nth(2).unwrap_or("");
            assert!(
                commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit()),
                "{v}"
            );
        }
    }
}

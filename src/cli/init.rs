//! `djship init`: write the container setup.

use super::args::PlanArgs;
use super::report;
use crate::detect::problems::Severity;
use crate::error::Result;
use crate::options::Options;
use crate::pipeline;
use crate::write::{self, Status};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Overwrite existing files whose content would change.
    #[arg(long)]
    pub force: bool,
    /// Print a unified diff of what would change and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Append the minimal change to the production settings so they read deployment values
    /// from the environment (the diff is printed first).
    #[arg(long)]
    pub patch_settings: bool,
    /// Monitoring beside the production stack: django-prometheus in the settings (the diff
    /// is printed first) served by gunicorn in multiprocess mode, Prometheus scraping every
    /// web replica, nginx and PostgreSQL exporters, alert rules, Grafana with a dashboard
    /// (docs/monitoring.md).
    #[arg(long)]
    pub monitoring: bool,
    /// Ship every service's logs to a store, with --monitoring: Loki, fed by Vector from
    /// Docker's log files, read in Grafana (compose profile `logs`; docs/logging.md).
    #[arg(long, value_name = "STORE")]
    pub log_store: Option<crate::config::LogStoreKind>,
    /// Trust this CA bundle while installing dependencies in the build (TLS-intercepting
    /// proxies); it is copied to docker/ca-cert.pem and mounted only into build steps.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Also write a CI pipeline: github, gitlab or jenkins (repeat, or a comma list;
    /// default: `ci` of [tool.djship]). It builds the image, runs check --deploy,
    /// makemigrations --check and the tests in it against the database, lints, and pushes
    /// the image on the default branch (docs/ci.md).
    #[arg(long, value_name = "PROVIDER", value_delimiter = ',',
          value_parser = clap::builder::PossibleValuesParser::new(crate::targets::ci::names()))]
    pub ci: Vec<String>,
}

pub fn run(args: &InitArgs) -> Result<i32> {
    let flags = crate::options::Flags {
        patch_settings: args.patch_settings,
        monitoring: args.monitoring,
        log_store: args.log_store,
        ca_cert: args.ca_cert.clone(),
        ci: args.ci.clone(),
        ..args.plan.flags()
    };
    let o = Options::resolve(&flags)?;
    let a = pipeline::analyse(&o)?;
    report::print_warnings(&a.facts);
    let changes = pipeline::changes(&a, &o)?;
    if args.dry_run {
        let d = write::diff(&changes);
        if d.is_empty() {
            println!("Nothing would change.");
        } else {
            print!("{d}");
        }
        return Ok(0);
    }
    // A change to the user's own file, asked for by a flag: always shown.
    if let Some(patch) = &a.plan.settings_patch {
        for ch in changes.iter().filter(|ch| ch.requested) {
            let mut what = Vec::new();
            if !patch.fixes.is_empty() {
                what.push(format!("fixes {}", patch.fixes.join(", ")));
            }
            what.extend(patch.adds.iter().map(|a| format!("adds {a}")));
            println!(
                "Patching {} ({}):\n{}",
                ch.path,
                what.join("; "),
                write::diff(std::slice::from_ref(ch))
            );
        }
    }
    write::apply(&o.root, &changes, args.force)?;

    // In path order: the order the targets produce them in is not the user's concern.
    let mut listed: Vec<_> = changes.iter().collect();
    listed.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out = String::new();
    for ch in listed {
        let tag = match ch.status {
            Status::Create => "created",
            Status::Update => "updated",
            Status::Unchanged => "unchanged",
        };
        out.push_str(&format!("  {tag:<10}{}\n", ch.path));
    }
    println!(
        "djship wrote the container setup for {}:\n{out}",
        a.plan.name
    );
    if !a.facts.problems.is_empty() {
        let errors = a
            .facts
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        print!("{}", report::problems_report(&a.facts));
        if errors > 0 {
            println!("  The setup will not work as it should until the errors above are fixed.");
        }
    }
    print!("\nNext:\n{}", pipeline::target(&o)?.next_steps(&a.plan));
    for p in pipeline::ci_providers(&o)? {
        print!("{}", p.next_steps(&a.plan));
    }
    Ok(0)
}

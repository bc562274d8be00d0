//! `djship verify`: build the production stack, start it under an isolated name, check that
//! it serves the app, tear it down.

use super::args::ProjectArgs;
use super::{report, stack};
use crate::engine::{verify, Engine};
use crate::error::{Error, Result};
use clap::Args;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Leave the stack running afterwards.
    #[arg(long)]
    pub keep: bool,
}

pub fn run(args: &VerifyArgs) -> Result<i32> {
    let (o, a) = stack::analyse(&args.project.flags())?;
    let engine = Engine::connect()?;
    stack::project(&o, &a, true)?;
    let env_path = o.root.join(".env");
    let env_text = std::fs::read_to_string(&env_path).map_err(|e| Error::io(&env_path, e))?;
    let values = crate::plan::secrets::parse_env(&env_text);
    let secrets: Vec<String> = a
        .plan
        .env
        .vars
        .iter()
        .filter(|v| v.secret || v.generate.is_some())
        .filter_map(|v| values.get(&v.name).cloned())
        .filter(|v| !v.is_empty())
        .collect();
    // The edge as the generated stack has it (init's flags are not repeated here).
    let written = crate::targets::compose::Written::read(
        &std::fs::read_to_string(o.root.join(crate::targets::compose::PROD_FILE))
            .unwrap_or_default(),
    );
    let tls = written.tls.then(|| verify::Tls {
        ca: written
            .self_signed
            .then(|| {
                std::fs::read_to_string(
                    o.root
                        .join(crate::options::deploy::SELF_SIGNED_DIR)
                        .join("ca.pem"),
                )
                .ok()
            })
            .flatten(),
    });
    let target = verify::Target {
        tls,
        root: &o.root,
        plan: &a.plan,
        admin: a
            .facts
            .installed_apps
            .iter()
            .any(|x| x == "django.contrib.admin"),
        secrets,
    };
    let json = args.json;
    let mut print = |r: &verify::Report| {
        if !json {
            print!("{}", report::verify_report(r));
            if !r.ok() && r.kept.is_none() {
                println!(
                    "tearing down {} (`djship verify --keep` leaves it running to look at)",
                    r.project
                );
            }
        }
    };
    let r = verify::run(
        &engine,
        &target,
        &verify::Options {
            keep: args.keep,
            progress: !json,
            build_args: Vec::new(),
        },
        &mut print,
    )?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
    } else {
        print!("{}", report::verify_after(&r));
    }
    Ok(if r.ok() { 0 } else { 1 })
}

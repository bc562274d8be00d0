//! `djship deploy swarm`: build the image, deploy the stack `djship init --target swarm`
//! wrote, wait until every service converged, and fail when one rolled back or did not.

use super::args::ProjectArgs;
use super::{report, stack};
use crate::engine::swarm::{self, Release};
use crate::error::Result;
use clap::Args;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct DeployArgs {
    /// Where to deploy: swarm (Docker Swarm, from stack.yaml).
    #[arg(value_parser = ["swarm"])]
    pub to: String,
    #[command(flatten)]
    pub project: ProjectArgs,
    /// The release's image tag (default: release-<unix time>); the migrate job runs once
    /// for each.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Deploy the image already tagged (--tag) instead of building it.
    #[arg(long, requires = "tag")]
    pub no_build: bool,
    /// Push the release's image to the registry its name gives (init --image
    /// registry.example.com/team/shop), so every node can pull it; the stack is deployed
    /// with the registry login (--with-registry-auth). Needed on a swarm of several nodes.
    #[arg(long)]
    pub push: bool,
    /// Seconds to wait for every service to converge.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &DeployArgs) -> Result<i32> {
    let (o, a) = stack::analyse(&args.project.flags())?;
    let release = Release {
        tag: args.tag.clone(),
        build: !args.no_build,
        push: args.push,
        timeout: Duration::from_secs(args.timeout),
        progress: !args.json,
    };
    let d = swarm::deploy(&o.root, &a.plan, &release)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
    } else {
        print!("{}", report::deployment(&d));
    }
    Ok(if d.ok() { 0 } else { 1 })
}

//! `djship build`: build the image with BuildKit.

use super::args::ProjectArgs;
use super::{report, stack};
use crate::engine::Engine;
use crate::error::Result;
use clap::Args;

#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &BuildArgs) -> Result<i32> {
    let (o, a) = stack::analyse(&args.project.flags())?;
    let engine = Engine::connect()?;
    let r = engine.build(&o.root, &stack::tags(&a), &[], !args.json)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
        return Ok(0);
    }
    let cached = r.steps.iter().filter(|s| s.cached).count();
    println!(
        "built {} ({}) in {:.1}s; {cached} of {} steps from cache",
        r.image,
        report::mb(r.size_bytes),
        r.seconds,
        r.steps.len()
    );
    for s in &r.steps {
        println!("  {} {}", if s.cached { "cached " } else { &"" }, s.name);
    }
    Ok(0)
}

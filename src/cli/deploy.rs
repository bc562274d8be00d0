//! `djship deploy swarm`: build the image, deploy the stack `djship init --target swarm`
//! wrote, wait until every service converged, and fail when one rolled back or did not.

use super::args::ProjectArgs;
use super::{report, stack};
use crate::engine::swarm::{registry_of, Deployment};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::targets::swarm::{data_label, secret_versions, stack_image, STACK_FILE};
use clap::Args;
use std::time::{Duration, Instant};

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
    let file = o.root.join(STACK_FILE);
    if !file.is_file() {
        return Err(Error::Invalid {
            path: file,
            message: "no stack file".into(),
            hint: "run `djship init --target swarm` first".into(),
        });
    }
    let engine = Engine::connect()?;
    let node = engine.swarm_node()?;
    let started = Instant::now();
    let tag = args.tag.clone().unwrap_or_else(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        format!("release-{secs}")
    });
    // The repository stack.yaml was written for (init --image), else the plan's.
    let stack_text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
    let image = stack_image(&stack_text).unwrap_or_else(|| a.plan.deploy.image.clone());
    if !args.no_build {
        let r = engine.build(
            &o.root,
            &[format!("{image}:{tag}"), format!("{image}:latest")],
            &[],
            !args.json,
        )?;
        if !args.json {
            eprintln!(
                "built {image}:{tag} ({}) in {:.1}s",
                report::mb(r.size_bytes),
                r.seconds
            );
        }
    }
    if args.push {
        let reference = format!("{image}:{tag}");
        if registry_of(&image).is_none() {
            return Err(Error::Invalid {
                path: o.root.join(STACK_FILE),
                message: format!(
                    "--push: the image {image} names no registry (it would go to Docker Hub)"
                ),
                hint: "name the registry in the image: djship init --target swarm --force --image registry.example.com/team/NAME (or image in [tool.djship.deploy])".into(),
            });
        }
        if !args.json {
            eprintln!("pushing {reference}...");
        }
        engine.push(&reference)?;
    }
    let labelled = engine.ensure_label(&data_label(&a.plan), &node)?;
    if let (Some(n), false) = (&labelled, args.json) {
        eprintln!(
            "labelled node {n} with {}=true: the database and its volume stay there",
            data_label(&a.plan)
        );
    }
    let mut env = vec![
        ("DJSHIP_IMAGE".to_string(), image.clone()),
        ("DJSHIP_TAG".to_string(), tag.clone()),
    ];
    env.extend(secret_versions(&o.root, &stack_text)?);
    engine.stack_deploy(&o.root, STACK_FILE, &a.plan.name, &env, args.push)?;
    if !args.json {
        eprintln!(
            "deployed the stack {} with {image}:{tag}; waiting for every service to converge...",
            a.plan.name
        );
    }
    let services = engine.wait_converged(&a.plan.name, Duration::from_secs(args.timeout))?;
    let mut d = Deployment {
        stack: a.plan.name.clone(),
        image: format!("{image}:{tag}"),
        labelled,
        services,
        removed_secrets: Vec::new(),
        seconds: started.elapsed().as_secs_f64(),
    };
    // Only after a release converged: a failed one may still roll back to what it replaced.
    if d.ok() {
        d.removed_secrets = engine.remove_unused_secrets(&a.plan.name)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
    } else {
        print!("{}", report::deployment(&d));
    }
    Ok(if d.ok() { 0 } else { 1 })
}

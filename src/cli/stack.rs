//! What the commands that operate a running stack share: which compose file, the image tags.

use super::args::StackArgs;
use crate::engine::Project;
use crate::error::{Error, Result};
use crate::options::{Flags, Options};
use crate::pipeline::{self, Analysis};
use crate::targets::compose;

/// The project's options and analysis, for a stack command.
pub fn analyse(flags: &Flags) -> Result<(Options, Analysis)> {
    let o = Options::resolve(flags)?;
    let a = pipeline::analyse(&o)?;
    Ok((o, a))
}

/// The compose project of the development or production stack `djship init` wrote.
pub fn project(o: &Options, a: &Analysis, prod: bool) -> Result<Project> {
    let file = if prod {
        compose::PROD_FILE
    } else {
        compose::DEV_FILE
    };
    if !o.root.join(file).is_file() {
        return Err(Error::Invalid {
            path: o.root.join(file),
            message: "no compose file".into(),
            hint: "run `djship init` first".into(),
        });
    }
    Ok(Project {
        dir: o.root.clone(),
        file: file.into(),
        name: a.plan.name.clone(),
        env: Vec::new(),
    })
}

/// The tags `build` and `up` give the image.
pub fn tags(a: &Analysis) -> Vec<String> {
    vec![
        format!("{}:latest", a.plan.name),
        format!("{}:dev", a.plan.name),
    ]
}

/// The project and stack of a command that takes no planning flags.
pub fn of(args: &StackArgs) -> Result<(Options, Analysis, Project)> {
    let (o, a) = analyse(&args.project.flags())?;
    let p = project(&o, &a, args.prod)?;
    Ok((o, a, p))
}

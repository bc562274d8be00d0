//! What the commands that operate a running stack share: which compose file, the image tags.

use super::args::StackArgs;
use crate::engine::compose::Project;
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
    let text = std::fs::read_to_string(o.root.join(file)).unwrap_or_default();
    Ok(Project {
        dir: o.root.clone(),
        file: file.into(),
        name: a.plan.name.clone(),
        env: profiles_env(&text, std::env::var_os("COMPOSE_PROFILES").is_some()),
    })
}

/// The compose profiles the stack's file defines (the monitoring services'), all active for
/// every compose command djship runs, so that `up`, `logs` and `down` see the same services.
/// A COMPOSE_PROFILES the user set wins: compose reads it, and djship sets nothing.
fn profiles_env(compose_file: &str, user_set: bool) -> Vec<(String, String)> {
    let profiles = compose::Written::read(compose_file).profiles;
    if user_set || profiles.is_empty() {
        return Vec::new();
    }
    vec![("COMPOSE_PROFILES".into(), profiles.join(","))]
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

#[cfg(test)]
mod tests {
    use super::profiles_env;

    #[test]
    fn every_profile_of_the_file_is_active_unless_the_user_chose() {
        let file = "  prometheus:\n    profiles: [\"monitoring\"]\n  grafana:\n    profiles: [\"grafana\"]\n";
        assert_eq!(
            profiles_env(file, false),
            vec![(
                "COMPOSE_PROFILES".to_string(),
                "monitoring,grafana".to_string()
            )]
        );
        assert!(profiles_env(file, true).is_empty());
        assert!(profiles_env("services: {}", false).is_empty());
    }
}

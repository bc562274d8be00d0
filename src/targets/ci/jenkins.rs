//! Jenkins: a declarative `Jenkinsfile` for an agent with Docker (`agent any`, as the seed). Stages:
//! lint (`djship lint`, SARIF archived), build (the registry image of the main branch as the
//! layer cache), the checks in the image against the database, and on main only the push,
//! tagged with the commit SHA, with a username/password credential.

use super::{CiPlan, Provider};
use crate::error::Result;
use crate::plan::Plan;
use crate::targets::{Artifact, Templates};

pub const FILE: &str = "Jenkinsfile";
/// The credential (username with password) the push logs in with.
pub const CREDENTIAL: &str = "djship-registry";

pub struct Jenkins;

/// The registry host of an image reference (`registry.example.com/shop`), if it names one.
pub fn registry_host(image: &str) -> Option<&str> {
    let (first, _) = image.split_once('/')?;
    (first.contains('.') || first.contains(':') || first == "localhost").then_some(first)
}

impl Provider for Jenkins {
    fn name(&self) -> &'static str {
        "jenkins"
    }

    fn about(&self) -> &'static str {
        "Jenkins: a declarative Jenkinsfile (an agent with Docker; push with a registry credential)"
    }

    fn artifacts(&self, plan: &Plan, ci: &CiPlan, t: &Templates) -> Result<Vec<Artifact>> {
        let content = t.render_with(
            "ci-jenkins.groovy.j2",
            plan,
            minijinja::context! {
                ci => ci,
                sarif => super::LINT_SARIF,
                credential => CREDENTIAL,
                registry => registry_host(&plan.deploy.image).unwrap_or(""),
            },
        )?;
        Ok(vec![Artifact::generated(FILE, content, 0o644)])
    }

    fn next_steps(&self, plan: &Plan) -> String {
        format!(
            "  Jenkins:      commit {FILE}; add the credential {CREDENTIAL:?} (username and password) for {}\n",
            plan.deploy.image
        )
    }
}

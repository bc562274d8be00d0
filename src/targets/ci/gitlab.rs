//! GitLab CI: `.gitlab-ci.yml`. `lint` runs first (`djship lint`, its SARIF kept as an
//! artifact); `test` builds in Docker-in-Docker with the registry image of the default
//! branch as the layer cache, runs the checks in the image against the database, and on the
//! default branch only pushes the image tested to `$CI_REGISTRY_IMAGE`, tagged with the
//! commit SHA (and the branch's name, the next build's cache).

use super::{CiPlan, Provider};
use crate::error::Result;
use crate::plan::Plan;
use crate::targets::{Artifact, Templates};

pub const FILE: &str = ".gitlab-ci.yml";
/// The Docker CLI image and the daemon service of the build job.
pub const DOCKER_IMAGE: &str = "docker:28-cli";
pub const DIND_IMAGE: &str = "docker:28-dind";

pub struct Gitlab;

impl Provider for Gitlab {
    fn name(&self) -> &'static str {
        "gitlab"
    }

    fn about(&self) -> &'static str {
        "GitLab CI: .gitlab-ci.yml (Docker-in-Docker; the image to $CI_REGISTRY_IMAGE)"
    }

    fn artifacts(&self, plan: &Plan, ci: &CiPlan, t: &Templates) -> Result<Vec<Artifact>> {
        let content = t.render_with(
            "ci-gitlab.yml.j2",
            plan,
            minijinja::context! {
                ci => ci,
                sarif => super::LINT_SARIF,
                docker_image => DOCKER_IMAGE,
                dind_image => DIND_IMAGE,
            },
        )?;
        Ok(vec![Artifact::generated(FILE, content, 0o644)])
    }

    fn next_steps(&self, _plan: &Plan) -> String {
        format!("  GitLab:       commit {FILE}; the runner needs privileged Docker-in-Docker; variables the settings require are listed in it\n")
    }
}

//! GitHub Actions: `.github/workflows/djship.yml`. Three jobs, each with only the
//! permissions it needs: `test` (build with BuildKit and the GitHub Actions cache, the
//! checks in the image against the database), `lint` (`djship lint`, SARIF uploaded to code
//! scanning) and `push` (default branch only: the image to ghcr.io, tagged with the commit
//! SHA, with GITHUB_TOKEN).

use super::{CiPlan, Provider};
use crate::error::Result;
use crate::plan::Plan;
use crate::targets::{Artifact, Templates};

pub const WORKFLOW: &str = ".github/workflows/djship.yml";

/// Actions the workflow uses, pinned by commit (the tag's commit, read from each
/// repository): (placeholder, action, commit, tag).
pub const ACTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "checkout",
        "actions/checkout",
        "3d3c42e5aac5ba805825da76410c181273ba90b1",
        "v7.0.1",
    ),
    (
        "setup_buildx",
        "docker/setup-buildx-action",
        "37fe631027851001ddb9b187196cc803df7f5f0e",
        "v4.3.0",
    ),
    (
        "build_push",
        "docker/build-push-action",
        "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a",
        "v7.3.0",
    ),
    (
        "login",
        "docker/login-action",
        "4907a6ddec9925e35a0a9e82d7399ccc52663121",
        "v4.1.0",
    ),
    (
        "upload_sarif",
        "github/codeql-action/upload-sarif",
        "8aad20d150bbac5944a9f9d289da16a4b0d87c1e",
        "v4.36.2",
    ),
];

pub struct Github;

impl Provider for Github {
    fn name(&self) -> &'static str {
        "github"
    }

    fn about(&self) -> &'static str {
        "GitHub Actions: .github/workflows/djship.yml (image to ghcr.io, lint to code scanning)"
    }

    fn artifacts(&self, plan: &Plan, ci: &CiPlan, t: &Templates) -> Result<Vec<Artifact>> {
        let uses: std::collections::BTreeMap<&str, String> = ACTIONS
            .iter()
            .map(|(k, a, sha, tag)| (*k, format!("{a}@{sha} # {tag}")))
            .collect();
        let content = t.render_with(
            "ci-github.yml.j2",
            plan,
            minijinja::context! { ci => ci, uses => uses, sarif => super::LINT_SARIF },
        )?;
        Ok(vec![Artifact::generated(WORKFLOW, content, 0o644)])
    }

    fn next_steps(&self, _plan: &Plan) -> String {
        format!("  GitHub:       commit {WORKFLOW}; the image goes to ghcr.io/<owner>/<repository> on the default branch\n")
    }
}

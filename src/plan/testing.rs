//! How the project's tests run: Django's runner, or pytest when the project uses
//! pytest-django. CI pipelines run this command inside the built image.

use crate::detect::Facts;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Tests {
    /// `django` (manage.py test) or `pytest`.
    pub runner: String,
    /// The command, run in the image's working directory (manage.py's folder).
    pub command: Vec<String>,
    /// Packages the image lacks for this runner (development-only dependencies), installed
    /// into the image's virtualenv just before the tests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub install: Vec<String>,
    pub why: String,
}

/// Test tools installed with pytest-django when the project declares them for development.
const PYTEST_PACKAGES: &[&str] = &["pytest", "pytest-django"];

pub fn plan(facts: &Facts) -> Tests {
    let deps = &facts.dependencies;
    let pytest_django = deps.packages.iter().find(|p| p.name == "pytest-django");
    let Some(pd) = pytest_django else {
        return Tests {
            runner: "django".into(),
            command: ["python", "manage.py", "test"].map(String::from).to_vec(),
            install: Vec::new(),
            why: if deps.packages.iter().any(|p| p.name == "pytest") {
                "pytest without pytest-django, which would set Django up for it: Django's test runner"
            } else {
                "no pytest-django among the dependencies: Django's test runner"
            }
            .into(),
        };
    };
    let mut install = Vec::new();
    if pd.dev {
        for name in PYTEST_PACKAGES {
            let pin = deps
                .packages
                .iter()
                .find(|p| p.name == *name)
                .and_then(|p| p.pinned.clone());
            install.push(match pin {
                Some(v) => format!("{name}=={v}"),
                None => name.to_string(),
            });
        }
    }
    Tests {
        runner: "pytest".into(),
        command: ["python", "-m", "pytest", "-p", "no:cacheprovider"]
            .map(String::from)
            .to_vec(),
        why: format!(
            "pytest-django is a {}dependency ({})",
            if pd.dev { "development " } else { "" },
            pd.evidence
        ),
        install,
    }
}

//! Files every target needs: the image (Dockerfile, .dockerignore, the scripts it runs), the
//! environment file and its documented example, .env kept out of git, the CA bundle of
//! `--ca-cert`, and the settings change of `--patch-settings`.

use super::{Artifact, Kind, Secrecy, Templates};
use crate::error::Result;
use crate::options::deploy::SELF_SIGNED_DIR;
use crate::plan::{Plan, CA_CERT_PATH};

/// (template, output path, Unix mode)
const FILES: &[(&str, &str, u32)] = &[
    ("Dockerfile.j2", "Dockerfile", 0o644),
    ("dockerignore.j2", ".dockerignore", 0o644),
    ("entrypoint.sh.j2", "docker/entrypoint.sh", 0o755),
    ("wait_for_db.py.j2", "docker/wait_for_db.py", 0o644),
    ("healthcheck.py.j2", "docker/healthcheck.py", 0o644),
    ("env.example.j2", ".env.example", 0o644),
    (
        "djship_logging.py.j2",
        "docker/python/djship_logging.py",
        0o644,
    ),
];

/// Lines of a .gitignore that already keep .env out of git.
const ENV_IGNORED: &[&str] = &[".env", "/.env", ".env*", "*.env", ".env.*", "/.env*"];

pub fn artifacts(plan: &Plan, t: &Templates) -> Result<Vec<Artifact>> {
    let mut out = Artifact::render_all(plan, t, FILES)?;
    if plan.server.kind == "gunicorn" {
        out.push(Artifact::generated(
            crate::plan::observe::GUNICORN_CONFIG,
            t.render("gunicorn.conf.py.j2", plan)?,
            0o644,
        ));
    }
    out.push(Artifact {
        secret: Secrecy::env_file(plan),
        ..Artifact::generated(".env", t.render("env.j2", plan)?, 0o600)
    });
    out.push(Artifact {
        path: ".gitignore".into(),
        content: "# Secrets written by djship: never commit them\n.env\n".into(),
        mode: Some(0o644),
        secret: Secrecy::Public,
        kind: Kind::Append {
            present: ENV_IGNORED.iter().map(|s| s.to_string()).collect(),
        },
    });
    if let (Some(files), Some(tls)) = (t.tls(), &plan.deploy.tls) {
        if let Some(ca) = &tls.ca {
            out.push(Artifact::generated(ca, files.ca.clone(), 0o644));
        }
        out.push(Artifact::generated(&tls.cert, files.cert.clone(), 0o644));
        out.push(Artifact {
            secret: Secrecy::Whole,
            ..Artifact::generated(&tls.key, files.key.clone(), 0o600)
        });
        out.push(Artifact {
            path: ".gitignore".into(),
            content: format!(
                "# The self-signed certificate's private key: local only\n{SELF_SIGNED_DIR}/\n"
            ),
            mode: Some(0o644),
            secret: Secrecy::Public,
            kind: Kind::Append {
                present: [
                    format!("{SELF_SIGNED_DIR}/"),
                    SELF_SIGNED_DIR.to_string(),
                    format!("/{SELF_SIGNED_DIR}/"),
                    format!("/{SELF_SIGNED_DIR}"),
                    format!("{SELF_SIGNED_DIR}/key.pem"),
                ]
                .to_vec(),
            },
        });
    }
    if let Some(ca) = &plan.ca_cert {
        out.push(Artifact::generated(CA_CERT_PATH, ca.pem.clone(), 0o644));
    }
    if let (Some(patch), Some(text)) = (&plan.settings_patch, &plan.patched_settings) {
        out.push(Artifact {
            path: patch.file.clone(),
            content: text.clone(),
            mode: None,
            secret: Secrecy::Public,
            kind: Kind::Requested,
        });
    }
    Ok(out)
}

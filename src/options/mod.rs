//! Options: the command-line flags, the project's djship config and the defaults, resolved
//! once, before anything is read. Every later stage takes them from here.

pub mod deploy;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::evidence::{Evidence, Warning};
use std::path::{Path, PathBuf};

/// Images the user chose (a flag wins over the config); `None` leaves the plan's default,
/// which depends on the project (the Python and Node versions).
#[derive(Debug, Clone, Default)]
pub struct ImageChoice {
    pub python: Option<String>,
    pub postgres: Option<String>,
    pub nginx: Option<String>,
    pub redis: Option<String>,
    pub mariadb: Option<String>,
    pub node: Option<String>,
    pub prometheus: Option<String>,
    pub grafana: Option<String>,
    pub nginx_exporter: Option<String>,
    pub postgres_exporter: Option<String>,
    pub alertmanager: Option<String>,
    pub loki: Option<String>,
    pub vector: Option<String>,
}

impl ImageChoice {
    /// Flags first, then the config.
    pub fn merge(flags: &ImageChoice, config: &Config) -> ImageChoice {
        let pick = |f: &Option<String>, c: &Option<String>| f.clone().or_else(|| c.clone());
        ImageChoice {
            python: pick(&flags.python, &config.python_image),
            postgres: pick(&flags.postgres, &config.postgres_image),
            nginx: pick(&flags.nginx, &config.nginx_image),
            redis: pick(&flags.redis, &config.redis_image),
            mariadb: pick(&flags.mariadb, &config.mariadb_image),
            node: pick(&flags.node, &config.node_image),
            prometheus: pick(&flags.prometheus, &config.prometheus_image),
            grafana: pick(&flags.grafana, &config.grafana_image),
            nginx_exporter: pick(&flags.nginx_exporter, &config.nginx_exporter_image),
            postgres_exporter: pick(&flags.postgres_exporter, &config.postgres_exporter_image),
            alertmanager: pick(&flags.alertmanager, &config.alertmanager_image),
            loki: pick(&flags.loki, &config.loki_image),
            vector: pick(&flags.vector, &config.vector_image),
        }
    }
}

/// A CA bundle to trust in the build (`--ca-cert` or the config's `ca-cert`).
#[derive(Debug, Clone)]
pub struct CaCert {
    pub source: PathBuf,
    pub pem: String,
}

/// What the command line says, before the config is read.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub path: PathBuf,
    pub manage: Option<PathBuf>,
    pub images: ImageChoice,
    pub resolve_with_uv: bool,
    pub patch_settings: bool,
    /// `--monitoring`: Prometheus, exporters and Grafana beside the production stack.
    pub monitoring: bool,
    /// `--log-store`: ship the logs to a store.
    pub log_store: Option<crate::config::LogStoreKind>,
    pub ca_cert: Option<PathBuf>,
    pub target: Option<String>,
    /// CI providers (`--ci`); empty: the config's `ci`.
    pub ci: Vec<String>,
    /// Deployment flags (`--host`, `--no-tls`, `--replicas`...), in the config's form.
    pub deploy: crate::config::DeployConfig,
}

impl Flags {
    /// A project folder and nothing else.
    pub fn at(path: &Path, manage: Option<PathBuf>) -> Flags {
        Flags {
            path: path.to_path_buf(),
            manage,
            ..Default::default()
        }
    }
}

/// Everything the pipeline needs to know, resolved once.
pub struct Options {
    /// The project folder, canonical.
    pub root: PathBuf,
    pub config: Config,
    pub manage: Option<PathBuf>,
    pub images: ImageChoice,
    /// The uv binary `--resolve-with-uv` found on PATH.
    pub uv: Option<PathBuf>,
    pub patch_settings: bool,
    /// Monitoring asked for (`--monitoring` or the config's `monitoring = true`).
    pub monitoring: bool,
    /// The log store asked for (`--log-store` or the config's `log-store`).
    pub log_store: Option<crate::config::LogStoreKind>,
    pub ca_cert: Option<CaCert>,
    /// The target asked for (`--target`); `None`: the default. The pipeline looks it up.
    pub target: Option<String>,
    /// The CI providers whose pipelines `init` writes (`--ci`, else the config's `ci`).
    pub ci: Vec<String>,
    /// Templates the project overrides (the config's `templates` folder).
    pub template_dir: Option<PathBuf>,
    /// The application's name: the project folder's, as a DNS label (`My Site_2`:
    /// `my-site-2`); it names the image, the stack, the database and the namespace.
    pub name: String,
    /// How the production targets run the application (flags, then config, then defaults).
    pub deploy: deploy::Deploy,
    /// Warnings about the options themselves (a bad config value, uv missing).
    pub warnings: Vec<Warning>,
}

impl Options {
    pub fn resolve(flags: &Flags) -> Result<Options> {
        let root = std::fs::canonicalize(&flags.path).map_err(|e| Error::Invalid {
            path: flags.path.clone(),
            message: format!("cannot open the project folder: {e}"),
            hint: "pass the folder of a Django project (the one that holds manage.py)".into(),
        })?;
        let mut warnings = Vec::new();
        let config = Config::load(&root, &mut warnings);
        let uv = if flags.resolve_with_uv {
            let found = std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join("uv"))
                    .find(|p| p.is_file())
            });
            if found.is_none() {
                warnings.push(Warning {
                    evidence: Evidence::file("PATH"),
                    message: "uv is not on PATH (--resolve-with-uv)".into(),
                    fallback: "used djship's wheel table (PyPI's file lists, built in)".into(),
                });
            }
            found
        } else {
            None
        };
        let ca_cert = match flags
            .ca_cert
            .clone()
            .or_else(|| config.ca_cert.as_ref().map(|p| root.join(p)))
        {
            Some(source) => {
                let pem = std::fs::read_to_string(&source).map_err(|e| Error::io(&source, e))?;
                if !pem.contains("-----BEGIN CERTIFICATE-----") {
                    return Err(Error::Invalid {
                        path: source,
                        message: "not a PEM certificate bundle (no BEGIN CERTIFICATE)".into(),
                        hint: "pass the CA bundle your proxy's certificates chain to, in PEM form"
                            .into(),
                    });
                }
                Some(CaCert { source, pem })
            }
            None => None,
        };
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "app".into());
        let mut deploy_flags = flags.deploy.clone();
        // Flags name files from the current folder; the stack mounts them from the project's.
        for (f, what) in [
            (&mut deploy_flags.tls_cert, "CERTIFICATE"),
            (&mut deploy_flags.tls_key, "PRIVATE KEY"),
        ] {
            if let Some(p) = f.as_mut() {
                *p = project_file(&root, Path::new(p), what)?;
            }
        }
        for (f, what) in [
            (&config.deploy.tls_cert, "CERTIFICATE"),
            (&config.deploy.tls_key, "PRIVATE KEY"),
        ] {
            if let Some(p) = f {
                project_file(&root, &root.join(p), what)?;
            }
        }
        let deploy = deploy::build(
            &merge_deploy(&deploy_flags, &config.deploy),
            &slug(&name),
            &mut warnings,
        );
        let ci = if flags.ci.is_empty() {
            config.ci.clone().unwrap_or_default()
        } else {
            flags.ci.clone()
        };
        let mut ci_names = Vec::new();
        for name in ci {
            if !ci_names.contains(&name) {
                ci_names.push(name);
            }
        }
        Ok(Options {
            ci: ci_names,
            name: slug(&name),
            deploy,
            images: ImageChoice::merge(&flags.images, &config),
            template_dir: config.templates.as_ref().map(|t| root.join(t)),
            root,
            manage: flags.manage.clone(),
            uv,
            patch_settings: flags.patch_settings,
            monitoring: flags.monitoring || config.monitoring == Some(true),
            log_store: flags.log_store.or(config.log_store),
            ca_cert,
            target: flags.target.clone(),
            config,
            warnings,
        })
    }
}

/// Each deployment setting from the flags, else from the config.
fn merge_deploy(
    f: &crate::config::DeployConfig,
    c: &crate::config::DeployConfig,
) -> crate::config::DeployConfig {
    macro_rules! pick {
        ($($field:ident),*) => {
            crate::config::DeployConfig { $($field: f.$field.clone().or_else(|| c.$field.clone())),* }
        };
    }
    pick!(
        hosts,
        tls,
        tls_cert,
        tls_key,
        image,
        replicas,
        max_replicas,
        cpu_target,
        cpu_request,
        cpu_limit,
        memory_request,
        memory_limit,
        publish_mode,
        endpoint_mode,
        ingress_class,
        ingress_namespace
    )
}

/// `path` as a path relative to the project, checked to be a PEM file holding `what`
/// ("CERTIFICATE", "PRIVATE KEY"): compose mounts it from the project folder.
fn project_file(root: &Path, path: &Path, what: &str) -> Result<String> {
    let full = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    let rel = full.strip_prefix(root).map_err(|_| Error::Invalid {
        path: path.to_path_buf(),
        message: "the file is outside the project folder".into(),
        hint: format!(
            "copy it into the project (for example under {}/, which .gitignore keeps out of git) and name that copy",
            deploy::SELF_SIGNED_DIR
        ),
    })?;
    let text = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
    if !text.contains("-----BEGIN ") || !text.contains(&format!("{what}-----")) {
        return Err(Error::Invalid {
            path: path.to_path_buf(),
            message: format!("not a PEM file holding a {}", what.to_lowercase()),
            hint: "pass the certificate chain (--tls-cert) and its private key (--tls-key) in PEM form".into(),
        });
    }
    Ok(rel.to_string_lossy().into_owned())
}

/// A name as a DNS label: lowercase ASCII letters, digits and single hyphens, starting
/// with a letter.
pub fn slug(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() || !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!("app-{out}").trim_end_matches('-').to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod slug_tests {
    use super::slug;

    #[test]
    fn names_become_dns_labels() {
        assert_eq!(slug("My Site_2"), "my-site-2");
        assert_eq!(slug("123"), "app-123");
        assert_eq!(slug("--"), "app");
    }
}

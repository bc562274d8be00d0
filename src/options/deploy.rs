//! How the production targets run the application: the site's host names, HTTPS at the edge,
//! the image the clusters pull, replicas and resources. One value each, from the flags, then
//! `[tool.djship.deploy]`, then the defaults below; a value that does not make sense is a
//! warning and its default.

use crate::config::DeployConfig;
use crate::evidence::{Evidence, Warning};
use serde::Serialize;

/// Where a self-signed certificate, its key and the CA that signed it are written.
pub const SELF_SIGNED_DIR: &str = "docker/tls";

#[derive(Debug, Clone, Serialize)]
pub struct Deploy {
    /// Host names the site answers to: the certificate's names, the allowed hosts, the
    /// Ingress rules. The first is the canonical one.
    pub hosts: Vec<String>,
    /// nginx terminates TLS; `None`: plain HTTP behind a load balancer that terminates it
    /// and sends X-Forwarded-Proto.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
    /// Image repository the cluster targets push and pull (tagged per release).
    pub image: String,
    /// Web replicas (Swarm; the autoscaler's minimum on Kubernetes).
    pub replicas: u32,
    pub max_replicas: u32,
    /// Average CPU use (percent of the request) the autoscaler keeps.
    pub cpu_target: u32,
    pub resources: Resources,
    pub swarm: SwarmNetwork,
    pub kubernetes: KubernetesNetwork,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tls {
    /// Certificate chain nginx serves, relative to the project.
    pub cert: String,
    /// Its private key, relative to the project (never committed: .gitignore'd when djship
    /// generates it).
    pub key: String,
    /// djship generates the pair (and a CA to trust it) for local use and `verify`.
    pub self_signed: bool,
    /// The CA of a self-signed pair, for clients to trust (`curl --cacert`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca: Option<String>,
}

/// Requests and limits of each web container, in Kubernetes' notation.
#[derive(Debug, Clone, Serialize)]
pub struct Resources {
    pub cpu_request: String,
    pub cpu_limit: String,
    pub memory_request: String,
    pub memory_limit: String,
}

/// Swarm's networking choices. Real clusters use the routing mesh and virtual IPs; some
/// engines (single-node test machines) route neither, where host publishing and DNS
/// round-robin work.
#[derive(Debug, Clone, Serialize)]
pub struct SwarmNetwork {
    /// "ingress" or "host".
    pub publish_mode: String,
    /// "vip" or "dnsrr".
    pub endpoint_mode: String,
}

/// Where Kubernetes traffic comes from.
#[derive(Debug, Clone, Serialize)]
pub struct KubernetesNetwork {
    /// The Ingress's class; `None`: the cluster's default IngressClass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_class: Option<String>,
    /// The ingress controller's namespace: the only one the NetworkPolicy lets reach web.
    pub ingress_namespace: String,
}

pub const DEFAULT_HOST: &str = "localhost";
pub const DEFAULT_INGRESS_NAMESPACE: &str = "ingress-nginx";

/// A Kubernetes object name (RFC 1123 label): lowercase letters, digits and '-', at most 63,
/// starting and ending with a letter or digit.
fn is_dns_label(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| ok(c) || c == '-')
        && s.starts_with(ok)
        && s.ends_with(ok)
}
pub const DEFAULT_REPLICAS: u32 = 2;
pub const DEFAULT_MAX_REPLICAS: u32 = 10;
pub const DEFAULT_CPU_TARGET: u32 = 70;

/// The deployment settings from the merged flags and config (`c`), for the project `name`.
pub fn build(c: &DeployConfig, name: &str, warnings: &mut Vec<Warning>) -> Deploy {
    let mut warn = |key: &str, message: String, fallback: String| {
        warnings.push(Warning {
            evidence: Evidence::file(format!("[tool.djship.deploy] {key}")),
            message,
            fallback,
        })
    };
    let mut hosts: Vec<String> = Vec::new();
    for h in c.hosts.iter().flatten() {
        let h = h.trim().to_ascii_lowercase();
        if valid_host(&h) {
            if !hosts.contains(&h) {
                hosts.push(h);
            }
        } else {
            warn(
                "hosts",
                format!("{h:?} is not a host name"),
                "left it out".into(),
            );
        }
    }
    if hosts.is_empty() {
        hosts.push(DEFAULT_HOST.into());
    }
    let tls = match c.tls {
        Some(false) => None,
        _ => Some(match (&c.tls_cert, &c.tls_key) {
            (Some(cert), Some(key)) => Tls {
                cert: cert.clone(),
                key: key.clone(),
                self_signed: false,
                ca: None,
            },
            (cert, key) => {
                if cert.is_some() != key.is_some() {
                    warn(
                        "tls-cert",
                        "a certificate needs both tls-cert and tls-key".into(),
                        "generated a self-signed pair".into(),
                    );
                }
                Tls {
                    cert: format!("{SELF_SIGNED_DIR}/cert.pem"),
                    key: format!("{SELF_SIGNED_DIR}/key.pem"),
                    self_signed: true,
                    ca: Some(format!("{SELF_SIGNED_DIR}/ca.pem")),
                }
            }
        }),
    };
    let replicas = match c.replicas {
        Some(0) => {
            warn(
                "replicas",
                "0 web replicas serve nothing".into(),
                format!("used {DEFAULT_REPLICAS}"),
            );
            DEFAULT_REPLICAS
        }
        Some(n) => n,
        None => DEFAULT_REPLICAS,
    };
    let max_replicas = match c.max_replicas {
        Some(m) if m < replicas => {
            warn(
                "max-replicas",
                format!("{m} is below replicas ({replicas})"),
                format!("used {replicas}"),
            );
            replicas
        }
        Some(m) => m,
        None => DEFAULT_MAX_REPLICAS.max(replicas),
    };
    let cpu_target = match c.cpu_target {
        Some(t) if (1..=100).contains(&t) => t,
        Some(t) => {
            warn(
                "cpu-target",
                format!("{t}% is not a share of the CPU request (1 to 100)"),
                format!("used {DEFAULT_CPU_TARGET}"),
            );
            DEFAULT_CPU_TARGET
        }
        None => DEFAULT_CPU_TARGET,
    };
    let mut quantity = |key: &str, v: &Option<String>, cpu: bool, default: &str| -> String {
        match v {
            Some(q) if valid_quantity(q, cpu) => q.clone(),
            Some(q) => {
                warn(
                    key,
                    format!(
                        "{q:?} is not a {} quantity ({})",
                        if cpu { "CPU" } else { "memory" },
                        if cpu {
                            "\"500m\" or \"1\""
                        } else {
                            "\"512Mi\" or \"1Gi\""
                        }
                    ),
                    format!("used {default}"),
                );
                default.into()
            }
            None => default.into(),
        }
    };
    let resources = Resources {
        cpu_request: quantity("cpu-request", &c.cpu_request, true, "250m"),
        cpu_limit: quantity("cpu-limit", &c.cpu_limit, true, "1"),
        memory_request: quantity("memory-request", &c.memory_request, false, "256Mi"),
        memory_limit: quantity("memory-limit", &c.memory_limit, false, "512Mi"),
    };
    let mut choice = |key: &str, v: &Option<String>, allowed: [&str; 2]| -> String {
        match v.as_deref() {
            Some(x) if allowed.contains(&x) => x.to_string(),
            Some(x) => {
                warn(
                    key,
                    format!("{x:?} is neither {:?} nor {:?}", allowed[0], allowed[1]),
                    format!("used {}", allowed[0]),
                );
                allowed[0].to_string()
            }
            None => allowed[0].to_string(),
        }
    };
    let swarm = SwarmNetwork {
        publish_mode: choice("publish-mode", &c.publish_mode, ["ingress", "host"]),
        endpoint_mode: choice("endpoint-mode", &c.endpoint_mode, ["vip", "dnsrr"]),
    };
    let mut label = |key: &str, v: &Option<String>| -> Option<String> {
        match v {
            Some(x) if is_dns_label(x) => Some(x.clone()),
            Some(x) => {
                warn(
                    key,
                    format!("{x:?} is not a Kubernetes name (lowercase letters, digits and '-', at most 63)"),
                    "used the default".into(),
                );
                None
            }
            None => None,
        }
    };
    let kubernetes = KubernetesNetwork {
        ingress_class: label("ingress-class", &c.ingress_class),
        ingress_namespace: label("ingress-namespace", &c.ingress_namespace)
            .unwrap_or_else(|| DEFAULT_INGRESS_NAMESPACE.into()),
    };
    Deploy {
        hosts,
        tls,
        image: c.image.clone().unwrap_or_else(|| name.to_string()),
        replicas,
        max_replicas,
        cpu_target,
        resources,
        swarm,
        kubernetes,
    }
}

impl Deploy {
    /// The origins a browser posts forms from (CSRF_TRUSTED_ORIGINS): HTTPS on every host,
    /// and plain HTTP too where nginx serves it (TLS terminated in front, or not at all).
    pub fn origins(&self) -> Vec<String> {
        let mut out: Vec<String> = self.hosts.iter().map(|h| format!("https://{h}")).collect();
        if self.tls.is_none() {
            out.extend(self.hosts.iter().map(|h| format!("http://{h}")));
        }
        out
    }

    /// ALLOWED_HOSTS: the site's names, and the loopback names the health checks and
    /// `verify` use.
    pub fn allowed_hosts(&self) -> Vec<String> {
        let mut out = self.hosts.clone();
        for h in ["localhost", "127.0.0.1"] {
            if !out.iter().any(|x| x == h) {
                out.push(h.into());
            }
        }
        out
    }
}

/// A DNS name (labels of letters, digits and hyphens), a wildcard name (`*.example.com`)
/// or an IPv4 address.
pub fn valid_host(h: &str) -> bool {
    let name = h.strip_prefix("*.").unwrap_or(h);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// A Kubernetes quantity of the kinds djship writes: CPU as cores or millicores ("1",
/// "0.5", "250m"), memory with a binary or decimal suffix ("512Mi", "1G") or in bytes.
pub fn valid_quantity(q: &str, cpu: bool) -> bool {
    let suffixes: &[&str] = if cpu {
        &["m", ""]
    } else {
        &["Ki", "Mi", "Gi", "Ti", "k", "M", "G", "T", ""]
    };
    suffixes.iter().any(|s| {
        q.strip_suffix(s).is_some_and(|n| {
            !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit() || c == '.')
                && n.chars().filter(|&c| c == '.').count() <= 1
                && !n.starts_with('.')
                && !n.ends_with('.')
                && n.parse::<f64>().is_ok_and(|v| v > 0.0)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_localhost_over_https_with_a_self_signed_pair() {
        let mut w = Vec::new();
        let d = build(&DeployConfig::default(), "shop", &mut w);
        assert!(w.is_empty());
        assert_eq!(d.hosts, ["localhost"]);
        let tls = d.tls.as_ref().unwrap();
        assert!(tls.self_signed);
        assert_eq!(tls.cert, "docker/tls/cert.pem");
        assert_eq!(d.image, "shop");
        assert_eq!((d.replicas, d.max_replicas, d.cpu_target), (2, 10, 70));
        assert_eq!(d.origins(), ["https://localhost"]);
        assert_eq!(d.allowed_hosts(), ["localhost", "127.0.0.1"]);
    }

    #[test]
    fn bad_values_are_warnings_and_their_defaults() {
        let mut w = Vec::new();
        let c = DeployConfig {
            hosts: Some(vec!["shop.example.com".into(), "bad host".into()]),
            tls: Some(false),
            replicas: Some(4),
            max_replicas: Some(2),
            cpu_target: Some(300),
            cpu_request: Some("lots".into()),
            memory_limit: Some("1Gi".into()),
            publish_mode: Some("mesh".into()),
            endpoint_mode: Some("dnsrr".into()),
            tls_cert: None,
            tls_key: None,
            image: None,
            cpu_limit: None,
            memory_request: None,
            ingress_class: Some("traefik".into()),
            ingress_namespace: Some("Kube_System".into()),
        };
        let d = build(&c, "shop", &mut w);
        assert_eq!(d.kubernetes.ingress_class.as_deref(), Some("traefik"));
        assert_eq!(d.kubernetes.ingress_namespace, "ingress-nginx");
        assert_eq!(d.hosts, ["shop.example.com"]);
        assert!(d.tls.is_none());
        assert_eq!((d.replicas, d.max_replicas, d.cpu_target), (4, 4, 70));
        assert_eq!(d.resources.cpu_request, "250m");
        assert_eq!(d.resources.memory_limit, "1Gi");
        assert_eq!(d.swarm.publish_mode, "ingress");
        assert_eq!(d.swarm.endpoint_mode, "dnsrr");
        let said: Vec<&str> = w.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(said.len(), 6, "{said:?}");
        assert_eq!(
            d.origins(),
            ["https://shop.example.com", "http://shop.example.com"]
        );
    }

    #[test]
    fn quantities() {
        for ok in ["250m", "1", "0.5", "2"] {
            assert!(valid_quantity(ok, true), "{ok}");
        }
        for bad in ["", "m", "1.", "-1", "1Gi", "abc"] {
            assert!(!valid_quantity(bad, true), "{bad}");
        }
        for ok in ["512Mi", "1Gi", "1G", "1048576"] {
            assert!(valid_quantity(ok, false), "{ok}");
        }
        assert!(!valid_quantity("512MB", false));
    }
}

//! The certificate nginx serves when the user names none: a local CA and a server
//! certificate it signed, for the site's hosts and the loopback names (`verify` and a
//! browser on this machine). The CA's key is thrown away once the certificate is signed, so
//! trusting the CA trusts this one certificate and nothing else it could sign later.
//!
//! A pair already on disk is kept while it still fits (every host named, more than 30 days
//! left, the key matches): re-running `djship init` changes nothing.

use crate::error::{Error, Result};
use crate::options::deploy::{Deploy, Tls};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use std::path::Path;
use time::{Duration, OffsetDateTime};

/// A self-signed pair's files, PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: String,
    pub cert: String,
    pub key: String,
}

/// Days a generated certificate is valid.
pub const VALID_DAYS: i64 = 365;
/// A pair on disk with fewer days left is replaced.
const RENEW_DAYS: i64 = 30;

/// The names a generated certificate covers: the site's hosts, then the loopback names
/// (the allowed hosts: what verify and the health checks send).
pub fn names(d: &Deploy) -> Vec<String> {
    d.allowed_hosts()
}

/// The self-signed pair for `deploy` in the project at `root`: the one on disk when it still
/// fits, else a new one. `None` when nginx serves the user's files or no TLS at all.
pub fn resolve(deploy: &Deploy, root: &Path, project: &str) -> Result<Option<TlsFiles>> {
    let Some(tls) = deploy.tls.as_ref().filter(|t| t.self_signed) else {
        return Ok(None);
    };
    let names = names(deploy);
    if let Some(existing) = on_disk(tls, root) {
        if fits(&existing, &names) {
            return Ok(Some(existing));
        }
    }
    generate(&names, project).map(Some)
}

fn on_disk(tls: &Tls, root: &Path) -> Option<TlsFiles> {
    let read = |p: &str| std::fs::read_to_string(root.join(p)).ok();
    Some(TlsFiles {
        ca: read(tls.ca.as_deref()?)?,
        cert: read(&tls.cert)?,
        key: read(&tls.key)?,
    })
}

/// The certificate names every one of `names`, has more than [`RENEW_DAYS`] left, and was
/// made for the key beside it.
fn fits(f: &TlsFiles, names: &[String]) -> bool {
    use x509_parser::extensions::GeneralName;
    let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(f.cert.as_bytes()) else {
        return false;
    };
    let Ok(cert) = pem.parse_x509() else {
        return false;
    };
    let left = cert.validity().time_to_expiration();
    if left.is_none_or(|d| d.whole_days() <= RENEW_DAYS) {
        return false;
    }
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return false;
    };
    let covered: Vec<String> = san
        .value
        .general_names
        .iter()
        .filter_map(|n| match n {
            GeneralName::DNSName(d) => Some(d.to_ascii_lowercase()),
            GeneralName::IPAddress(ip) if ip.len() == 4 => {
                Some(format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]))
            }
            _ => None,
        })
        .collect();
    if !names.iter().all(|n| covered.contains(n)) {
        return false;
    }
    let Ok(key) = KeyPair::from_pem(&f.key) else {
        return false;
    };
    key.public_key_raw() == cert.public_key().subject_public_key.data.as_ref()
}

/// A new CA and a server certificate for `names`, signed by it; the CA's key is dropped.
pub fn generate(names: &[String], project: &str) -> Result<TlsFiles> {
    let fail = |e: rcgen::Error| Error::Invalid {
        path: crate::options::deploy::SELF_SIGNED_DIR.into(),
        message: format!("could not make the self-signed certificate: {e}"),
        hint: "name your own with --tls-cert and --tls-key, or turn TLS off with --no-tls".into(),
    };
    let now = OffsetDateTime::now_utc();
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name = DistinguishedName::new();
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("djship local CA for {project} (key discarded)"),
    );
    ca.not_before = now - Duration::days(1);
    ca.not_after = now + Duration::days(VALID_DAYS + 1);
    let ca_key = KeyPair::generate().map_err(fail)?;
    let ca_cert = ca.self_signed(&ca_key).map_err(fail)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(names.to_vec()).map_err(fail)?;
    leaf.distinguished_name = DistinguishedName::new();
    leaf.distinguished_name.push(
        DnType::CommonName,
        names.first().cloned().unwrap_or_default(),
    );
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    leaf.not_before = now - Duration::days(1);
    leaf.not_after = now + Duration::days(VALID_DAYS);
    let key = KeyPair::generate().map_err(fail)?;
    let cert = leaf.signed_by(&key, &issuer).map_err(fail)?;
    Ok(TlsFiles {
        ca: ca_cert.pem(),
        // The chain nginx sends: the server certificate, then its CA.
        cert: format!("{}{}", cert.pem(), ca_cert.pem()),
        key: key.serialize_pem(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DeployConfig;

    fn deploy(hosts: &[&str]) -> Deploy {
        let c = DeployConfig {
            hosts: Some(hosts.iter().map(|h| h.to_string()).collect()),
            ..Default::default()
        };
        crate::options::deploy::build(&c, "shop", &mut Vec::new())
    }

    #[test]
    fn a_generated_pair_fits_and_is_kept_until_the_hosts_change() {
        let tmp = tempfile::tempdir().unwrap();
        let d = deploy(&["shop.example.com"]);
        let first = resolve(&d, tmp.path(), "shop").unwrap().unwrap();
        assert!(first.cert.matches("BEGIN CERTIFICATE").count() == 2);
        assert!(first.key.contains("PRIVATE KEY"));
        assert!(fits(&first, &names(&d)));
        std::fs::create_dir_all(tmp.path().join("docker/tls")).unwrap();
        for (f, text) in [
            ("ca.pem", &first.ca),
            ("cert.pem", &first.cert),
            ("key.pem", &first.key),
        ] {
            std::fs::write(tmp.path().join("docker/tls").join(f), text).unwrap();
        }
        assert_eq!(resolve(&d, tmp.path(), "shop").unwrap().unwrap(), first);
        // A new host: a new pair.
        let d2 = deploy(&["shop.example.com", "www.shop.example.com"]);
        let second = resolve(&d2, tmp.path(), "shop").unwrap().unwrap();
        assert_ne!(second.cert, first.cert);
        assert!(fits(&second, &names(&d2)));
        // A key that is not the certificate's: does not fit.
        let mixed = TlsFiles {
            key: second.key.clone(),
            ..first.clone()
        };
        assert!(!fits(&mixed, &names(&d)));
        // Garbage never panics.
        let junk = TlsFiles {
            ca: "x".into(),
            cert: "-----BEGIN CERTIFICATE-----\nnope\n".into(),
            key: "y".into(),
        };
        assert!(!fits(&junk, &names(&d)));
    }

    #[test]
    fn user_files_and_no_tls_generate_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let c = DeployConfig {
            tls: Some(false),
            ..Default::default()
        };
        let d = crate::options::deploy::build(&c, "shop", &mut Vec::new());
        assert!(resolve(&d, tmp.path(), "shop").unwrap().is_none());
    }
}

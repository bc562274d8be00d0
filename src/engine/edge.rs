//! The site as a browser reaches it: HTTPS through nginx (trusting the generated CA), or
//! plain HTTP with the X-Forwarded-Proto a load balancer in front would send. Redirects are
//! not followed and cookies are kept by hand, so every check sees each answer as it is.

use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::tls::{Certificate, RootCerts, TlsConfig};

/// One answer: status, headers (lowercase names) and body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn text(&self) -> &str {
        &self.body
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The cookies the answer sets: (name, value, attributes).
    pub fn cookies(&self) -> Vec<(String, String, String)> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .filter_map(|(_, v)| {
                let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
                let (n, val) = pair.split_once('=')?;
                Some((n.trim().into(), val.trim().into(), attrs.trim().into()))
            })
            .collect()
    }
}

/// How the site is reached.
pub struct Edge {
    agent: ureq::Agent,
    /// `https://localhost:PORT` or `http://localhost:PORT`.
    pub origin: String,
    /// Plain HTTP behind a load balancer: requests say they came over HTTPS.
    forwarded: bool,
    /// Cookies the site set, sent back with every request.
    jar: Vec<(String, String)>,
}

impl Edge {
    /// HTTPS on `port`, trusting `ca` (PEM); `None` trusts any certificate (the user's own,
    /// made for names other than localhost).
    pub fn https(port: u16, ca: Option<&str>) -> Result<Edge, String> {
        let tls = match ca {
            Some(pem) => {
                let certs: Vec<Certificate<'static>> = pem_blocks(pem)
                    .iter()
                    .map(|b| Certificate::from_pem(b.as_bytes()).map(|c| c.to_owned()))
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("the CA certificate does not parse: {e}"))?;
                TlsConfig::builder()
                    .root_certs(RootCerts::Specific(Arc::new(certs)))
                    .build()
            }
            None => TlsConfig::builder().disable_verification(true).build(),
        };
        Ok(Edge {
            agent: agent(Some(tls)),
            origin: format!("https://localhost:{port}"),
            forwarded: false,
            jar: Vec::new(),
        })
    }

    /// Plain HTTP on `port`; `forwarded`: as a TLS-terminating load balancer sends it.
    pub fn http(port: u16, forwarded: bool) -> Edge {
        Edge {
            agent: agent(None),
            origin: format!("http://localhost:{port}"),
            forwarded,
            jar: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, a: &Answer) {
        for (name, value, attrs) in a.cookies() {
            self.jar.retain(|(k, _)| *k != name);
            let expired = attrs.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            if !expired {
                self.jar.push((name, value));
            }
        }
    }

    /// The origin the browser sees: behind a load balancer, its HTTPS one.
    pub fn browser_origin(&self) -> String {
        if self.forwarded {
            self.origin.replacen("http://", "https://", 1)
        } else {
            self.origin.clone()
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.jar
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Answer, String> {
        let mut r = r.map_err(|e| e.to_string())?;
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let status = r.status().as_u16();
        let body = r
            .body_mut()
            .with_config()
            .limit(20 << 20)
            .read_to_string()
            .unwrap_or_default();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    pub fn get(&mut self, path: &str) -> Result<Answer, String> {
        let mut req = self.agent.get(format!("{}{path}", self.origin));
        if self.forwarded {
            req = req.header("X-Forwarded-Proto", "https");
        }
        if !self.jar.is_empty() {
            req = req.header("Cookie", self.cookie_header());
        }
        let a = Self::answer(req.call())?;
        self.keep_cookies(&a);
        Ok(a)
    }

    /// A form post as a browser sends it from `from` on this site: Origin, Referer, cookies.
    pub fn post_form(
        &mut self,
        path: &str,
        from: &str,
        fields: &[(&str, &str)],
    ) -> Result<Answer, String> {
        let origin = self.browser_origin();
        let mut req = self
            .agent
            .post(format!("{}{path}", self.origin))
            .header("Origin", &origin)
            .header("Referer", format!("{origin}{from}"));
        if self.forwarded {
            req = req.header("X-Forwarded-Proto", "https");
        }
        if !self.jar.is_empty() {
            req = req.header("Cookie", self.cookie_header());
        }
        let a = Self::answer(req.send_form(fields.iter().copied()))?;
        self.keep_cookies(&a);
        Ok(a)
    }

    /// Poll `path` until it answers `want`, up to `timeout`.
    pub fn wait(&mut self, path: &str, want: u16, timeout: Duration) -> Result<Answer, String> {
        let start = Instant::now();
        let mut last = "no answer".to_string();
        while start.elapsed() < timeout {
            match self.get(path) {
                Ok(a) if a.status == want => return Ok(a),
                Ok(a) => last = format!("status {}", a.status),
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        Err(format!(
            "GET {}{path}: wanted {want}, got {last} after {}s",
            self.origin,
            timeout.as_secs()
        ))
    }
}

fn agent(tls: Option<TlsConfig>) -> ureq::Agent {
    let mut c = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .ip_family(ureq::config::IpFamily::Ipv4Only)
        .timeout_global(Some(Duration::from_secs(30)));
    if let Some(t) = tls {
        c = c.tls_config(t);
    }
    c.build().into()
}

/// Each `-----BEGIN CERTIFICATE-----` block of a PEM bundle.
fn pem_blocks(pem: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for l in pem.lines() {
        if l.starts_with("-----BEGIN CERTIFICATE-----") {
            cur = Some(String::new());
        }
        if let Some(c) = cur.as_mut() {
            c.push_str(l);
            c.push('\n');
        }
        if l.starts_with("-----END CERTIFICATE-----") {
            if let Some(c) = cur.take() {
                out.push(c);
            }
        }
    }
    out
}

/// The value of the hidden `csrfmiddlewaretoken` input of a Django form.
pub fn csrf_token(html: &str) -> Option<String> {
    let i = html.find("name=\"csrfmiddlewaretoken\"")?;
    // The input's tag: from its `<` to its `>`.
    let start = html[..i].rfind('<')?;
    let end = i + html[i..].find('>')?;
    let tag = &html[start..end];
    let v = tag.split("value=\"").nth(1)?;
    Some(v.split('"').next()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_token_of_a_django_form() {
        let html = r#"<form><input type="hidden" name="csrfmiddlewaretoken" value="abc123XYZ"><input name="username"></form>"#;
        assert_eq!(csrf_token(html).as_deref(), Some("abc123XYZ"));
        let reordered = r#"<input value="tok" type="hidden" name="csrfmiddlewaretoken">"#;
        assert_eq!(csrf_token(reordered).as_deref(), Some("tok"));
        assert_eq!(csrf_token("<form></form>"), None);
    }

    #[test]
    fn cookies_with_attributes() {
        let a = Answer {
            status: 200,
            headers: vec![
                (
                    "set-cookie".into(),
                    "csrftoken=xyz; expires=Thu, 01 Jan 2099; Path=/; SameSite=Lax; Secure".into(),
                ),
                ("set-cookie".into(), "sessionid=s1; HttpOnly".into()),
            ],
            body: String::new(),
        };
        let c = a.cookies();
        assert_eq!(c[0].0, "csrftoken");
        assert!(c[0].2.contains("Secure"));
        assert_eq!(c[1].1, "s1");
    }
}

use super::{image, is_built, production};
use crate::lint::{Context, Hit, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DJL032",
    name: "app-port-published",
    buildkit: None,
    severity: Severity::Warning,
    summary: "the app server is published beside a reverse proxy in production",
    doc: "### What it does\nFinds, in a production compose file that has a reverse proxy (nginx, Caddy, Traefik,\nhttpd, HAProxy), a service built from the project that also publishes `ports:` on the\nhost's interfaces.\n### Why is this bad?\nRequests can bypass the proxy: gunicorn faces the internet directly, without the\nproxy's TLS, buffering of slow clients, request limits and static file serving (seed\n003's production file publishes gunicorn's 8080 beside nginx's 80).\n### Example\n```yaml\nweb:\n  build: .\n  ports: [\"8080:8080\"]\nnginx:\n  image: nginx:1.27\n  ports: [\"80:80\"]\n```\n### Fix\nUse `expose:` (or nothing: services on one network reach each other) for the app, and\npublish only the proxy.",
    fixable: false,
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut out = Vec::new();
    for (file, c) in production(ctx) {
        let proxy = c.services().find_map(|(n, _, s)| {
            let img = image(s)?;
            let base = img.rsplit('/').next().unwrap_or(img);
            let name = base.split([':', '@']).next().unwrap_or(base);
            matches!(
                name,
                "nginx"
                    | "nginx-unprivileged"
                    | "caddy"
                    | "traefik"
                    | "httpd"
                    | "haproxy"
                    | "envoy"
            )
            .then_some(n)
        });
        let Some(proxy) = proxy else { continue };
        for (name, _, svc) in c.services() {
            if !is_built(svc) || name == proxy {
                continue;
            }
            for entry in svc.get("ports").map(|p| p.items()).unwrap_or(&[]) {
                if !super::published_on_all_interfaces(entry) {
                    continue;
                }
                out.push(Hit::new(
                    file,
                    entry.span.clone(),
                    format!(
                        "service `{name}` is published on the host: requests can bypass `{proxy}`"
                    ),
                ));
            }
        }
    }
    out
}

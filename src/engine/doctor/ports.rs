//! The ports check: the ports a compose file publishes on the host, and who holds a port:
//! compose's variable interpolation, the `ports:` syntax, and the host's listening sockets
//! (`/proc/net/tcp`, `/proc/net/tcp6` and `/proc/*/fd`, or `ss -ltnp`). Pure functions over
//! text, plus the read-only walk of `/proc`; the check itself also asks the engine which
//! container publishes a port (`docker ps`).

use super::{Check, Compose, Finding, Lookup, Target};
use crate::engine::{state::ServiceState, Engine};
use crate::evidence::Evidence;
use crate::lint::compose::Node;
use crate::shell::quote;
use std::path::Path;
use std::process::Command;

/// A `${NAME...}` (or `$NAME`) reference in a compose file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    /// The default after `:-` or `-`.
    pub default: Option<String>,
    /// `${NAME:?message}` / `${NAME?message}`: compose refuses to start without it.
    pub required: bool,
}

/// Compose's interpolation of `text`: `$$` is a `$`; `${X}`, `${X:-d}`, `${X-d}`,
/// `${X:?m}`, `${X?m}`, `${X:+v}`, `${X+v}` and `$X` take their value from `lookup`.
/// Returns the text and the variables it reads.
pub fn interpolate(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> (String, Vec<VarRef>) {
    let mut out = String::new();
    let mut refs = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(r) = rest.strip_prefix('{') {
            let Some(end) = r.find('}') else {
                out.push_str("${");
                rest = r;
                continue;
            };
            let body = &r[..end];
            rest = &r[end + 1..];
            let name_len = body
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(body.len());
            let (name, op) = body.split_at(name_len);
            let value = lookup(name);
            let (op, arg) = if let Some(a) = op.strip_prefix(":-") {
                (":-", a)
            } else if let Some(a) = op.strip_prefix(":?") {
                (":?", a)
            } else if let Some(a) = op.strip_prefix(":+") {
                (":+", a)
            } else if op.is_empty() {
                ("", "")
            } else {
                let first = op.chars().next().map_or(0, char::len_utf8);
                op.split_at(first)
            };
            let set = value.is_some();
            let nonempty = value.as_deref().is_some_and(|v| !v.is_empty());
            refs.push(VarRef {
                name: name.to_string(),
                default: matches!(op, ":-" | "-").then(|| arg.to_string()),
                required: matches!(op, ":?" | "?"),
            });
            let v = match op {
                ":-" if !nonempty => arg.to_string(),
                "-" if !set => arg.to_string(),
                ":+" => {
                    if nonempty {
                        arg.to_string()
                    } else {
                        String::new()
                    }
                }
                "+" => {
                    if set {
                        arg.to_string()
                    } else {
                        String::new()
                    }
                }
                _ => value.unwrap_or_default(),
            };
            out.push_str(&v);
        } else {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if len == 0 {
                out.push('$');
                continue;
            }
            let name = &rest[..len];
            refs.push(VarRef {
                name: name.to_string(),
                default: None,
                required: false,
            });
            out.push_str(&lookup(name).unwrap_or_default());
            rest = &rest[len..];
        }
    }
    out.push_str(rest);
    (out, refs)
}

/// A port published on the host by a `ports:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The host address it binds (`None`: every address).
    pub host_ip: Option<String>,
    pub port: u16,
    /// The port in the container.
    pub target: String,
}

/// A short-syntax `ports:` entry, interpolated: `[HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp]`.
/// `None` for a container port alone (the engine picks a free host port), a UDP port or a
/// range's text djship cannot read.
pub fn parse_port(spec: &str) -> Option<Published> {
    let spec = spec.trim().trim_matches('"').trim_matches('\'');
    let (spec, proto) = match spec.rsplit_once('/') {
        Some((s, p)) => (s, p),
        None => (spec, "tcp"),
    };
    if proto != "tcp" {
        return None;
    }
    let (host, target) = spec.rsplit_once(':')?;
    let (host_ip, port) = if let Some(h) = host.strip_prefix('[') {
        // [::1]:8000
        let (ip, port) = h.split_once("]:")?;
        (Some(ip.to_string()), port)
    } else {
        match host.rsplit_once(':') {
            Some((ip, port)) => (Some(ip.to_string()), port),
            None => (None, host),
        }
    };
    // A range (8000-8002): its first port.
    let port = port.split('-').next()?.trim().parse().ok()?;
    Some(Published {
        host_ip: host_ip.filter(|ip| !ip.is_empty() && ip != "0.0.0.0" && ip != "::"),
        port,
        target: target.to_string(),
    })
}

/// The inodes of the sockets listening on TCP `port` in a `/proc/net/tcp` or `tcp6` text.
pub fn listening_inodes(proc_net_tcp: &str, port: u16) -> Vec<u64> {
    let mut out = Vec::new();
    for line in proc_net_tcp.lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 10 || cols[3] != "0A" {
            continue;
        }
        let Some((_, hex_port)) = cols[1].rsplit_once(':') else {
            continue;
        };
        if u16::from_str_radix(hex_port, 16).ok() != Some(port) {
            continue;
        }
        if let Ok(inode) = cols[9].parse::<u64>() {
            if inode != 0 {
                out.push(inode);
            }
        }
    }
    out
}

/// A process that holds a socket.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Holder {
    pub pid: u32,
    /// Its name (`/proc/PID/comm`, or what `ss` reports).
    pub name: String,
    /// Its command line, when readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// `socket:[12345]` → 12345.
pub fn socket_inode(link: &str) -> Option<u64> {
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// The processes listening on TCP `port`, found through `/proc` (under `proc_root`, `/proc`
/// on a real host): the listening sockets' inodes, then the processes whose file
/// descriptors are those sockets. Processes of other users are seen only by root.
pub fn holders_from_proc(proc_root: &Path, port: u16) -> Vec<Holder> {
    let mut inodes = Vec::new();
    for f in ["net/tcp", "net/tcp6"] {
        if let Ok(text) = std::fs::read_to_string(proc_root.join(f)) {
            inodes.extend(listening_inodes(&text, port));
        }
    }
    if inodes.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Holder> = Vec::new();
    let Ok(procs) = std::fs::read_dir(proc_root) else {
        return out;
    };
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        let holds = fds.flatten().any(|fd| {
            std::fs::read_link(fd.path())
                .ok()
                .and_then(|l| socket_inode(&l.to_string_lossy()))
                .is_some_and(|i| inodes.contains(&i))
        });
        if holds && !out.iter().any(|h| h.pid == pid) {
            let name = std::fs::read_to_string(p.path().join("comm"))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            let command = std::fs::read(p.path().join("cmdline")).ok().map(|b| {
                String::from_utf8_lossy(&b)
                    .split('\0')
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            out.push(Holder {
                pid,
                name,
                command: command.filter(|c| !c.is_empty()),
            });
        }
    }
    out.sort_by_key(|h| h.pid);
    out
}

/// The processes `ss -ltnp` reports listening on `port`:
/// `LISTEN 0 128 127.0.0.1:8000 0.0.0.0:* users:(("python3",pid=123,fd=3))`.
pub fn holders_from_ss(ss_output: &str, port: u16) -> Vec<Holder> {
    let mut out: Vec<Holder> = Vec::new();
    for line in ss_output.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let Some(local) = cols.get(3) else { continue };
        let Some((_, p)) = local.rsplit_once(':') else {
            continue;
        };
        if p.parse::<u16>().ok() != Some(port) {
            continue;
        }
        let Some(users) = line.split_once("users:(").map(|x| x.1) else {
            continue;
        };
        // ("name",pid=1,fd=3),("other",pid=2,fd=4)
        for part in users.split("),(") {
            let name = part.split('"').nth(1).unwrap_or_default().to_string();
            let pid = part
                .split("pid=")
                .nth(1)
                .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|s| s.parse().ok());
            if let Some(pid) = pid {
                if !out.iter().any(|h| h.pid == pid) {
                    out.push(Holder {
                        pid,
                        name,
                        command: None,
                    });
                }
            }
        }
    }
    out
}

/// Whether something already listens on `port` at `host_ip` (every address when `None`):
/// try to bind it. `Some(false)` when it is free, `Some(true)` when it is taken, `None`
/// when this process may not bind it (a port below 1024 without the right) and cannot tell.
pub fn taken(host_ip: Option<&str>, port: u16) -> Option<bool> {
    let ip = host_ip.unwrap_or("0.0.0.0");
    let addr = if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    };
    match std::net::TcpListener::bind(addr.as_str()) {
        Ok(_) => Some(false),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Some(true),
        // An address this host does not have, or no right to bind: cannot tell.
        Err(_) => None,
    }
}

/// The first port from `from + 1` on that nothing listens on (for a remedy).
pub fn next_free(host_ip: Option<&str>, from: u16) -> Option<u16> {
    let start = if from < 1024 { 8000 } else { from };
    (start.saturating_add(1)..start.saturating_add(200)).find(|p| taken(host_ip, *p) == Some(false))
}

/// A published port of the compose file, with where it is written and what sets it.
struct PortUse {
    service: String,
    published: Published,
    evidence: Option<Evidence>,
    /// The variable that chooses the host port (`WEB_PORT`), when one does.
    var: Option<String>,
}

fn port_uses(compose: &Compose, lookup: &Lookup) -> Vec<PortUse> {
    let mut out = Vec::new();
    for (name, _, svc) in compose.file.services() {
        for p in svc.get("ports").map(|p| p.items()).unwrap_or(&[]) {
            let (published, var) = match p.as_str() {
                Some(s) => {
                    let (text, refs) = interpolate(s, &|n| lookup.get(n));
                    // The variable in the host part (before the container port).
                    let host_part = s.rsplit_once(':').map(|x| x.0).unwrap_or("");
                    let var = refs
                        .into_iter()
                        .find(|r| host_part.contains(&r.name))
                        .map(|r| r.name);
                    (parse_port(&text), var)
                }
                None => {
                    let get = |k: &str| {
                        p.get(k)
                            .and_then(Node::as_str)
                            .map(|v| interpolate(v, &|n| lookup.get(n)))
                    };
                    let published = get("published");
                    let var = p
                        .get("published")
                        .and_then(Node::as_str)
                        .and_then(|v| interpolate(v, &|_| None).1.into_iter().next())
                        .map(|r| r.name);
                    let proto = get("protocol").map(|x| x.0).unwrap_or_else(|| "tcp".into());
                    let parsed = published
                        .and_then(|(v, _)| v.split('-').next()?.parse::<u16>().ok())
                        .filter(|_| proto == "tcp")
                        .map(|port| Published {
                            host_ip: get("host_ip")
                                .map(|x| x.0)
                                .filter(|i| !i.is_empty() && i != "0.0.0.0" && i != "::"),
                            port,
                            target: get("target").map(|x| x.0).unwrap_or_default(),
                        });
                    (parsed, var)
                }
            };
            if let Some(published) = published {
                out.push(PortUse {
                    service: name.to_string(),
                    published,
                    evidence: compose.line(p),
                    var,
                });
            }
        }
    }
    out
}

pub(super) fn ports_check(
    t: &Target,
    compose: &Compose,
    lookup: &Lookup,
    engine: Option<&Engine>,
    states: Option<&Vec<ServiceState>>,
) -> Check {
    let uses = port_uses(compose, lookup);
    if uses.is_empty() {
        return Check::done(
            "ports",
            format!("{} publishes no port on the host", t.project.file),
            Vec::new(),
        );
    }
    let mut findings = Vec::new();
    let mut listed = Vec::new();
    for u in &uses {
        let port = u.published.port;
        let ip = u.published.host_ip.as_deref();
        listed.push(format!(
            "{}{port} ({})",
            ip.map(|i| format!("{i}:")).unwrap_or_default(),
            u.service
        ));
        // A container that publishes it: this stack's (fine) or another.
        let publishers: Vec<(String, String, String, String)> = engine
            .and_then(|e| {
                e.docker(&[
                    "ps",
                    "--filter",
                    &format!("publish={port}"),
                    "--format",
                    "{{.Names}}\t{{.Label \"com.docker.compose.project\"}}\t{{.Label \"com.docker.compose.service\"}}\t{{.Label \"com.docker.compose.project.working_dir\"}}",
                ])
                .ok()
            })
            .filter(|o| o.status.success())
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .filter_map(|l| {
                        let mut w = l.split('\t');
                        Some((
                            w.next()?.to_string(),
                            w.next().unwrap_or("").to_string(),
                            w.next().unwrap_or("").to_string(),
                            w.next().unwrap_or("").to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let ours = publishers
            .iter()
            .find(|(_, p, s, _)| p == &t.project.name && s == &u.service);
        if ours.is_some() {
            continue;
        }
        let own_running = states.is_some_and(|s| {
            s.iter()
                .any(|c| c.service == u.service && c.status == "running")
        });
        // Bind it to see; where this user may not bind it (below 1024 without the right),
        // a listening socket in /proc says it is taken.
        let taken = match taken(ip, port) {
            Some(t) => t,
            None => !holders_from_proc(Path::new("/proc"), port).is_empty(),
        };
        if !taken && publishers.is_empty() {
            continue;
        }
        if own_running && publishers.is_empty() {
            // Held by this stack through a proxy djship cannot name; not a conflict.
            continue;
        }
        let where_ = u
            .evidence
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_else(|| t.project.file.clone());
        let free = next_free(ip, port);
        let in_env = u.var.as_ref().and_then(|v| std::env::var(v).ok());
        let move_it = match (&u.var, free) {
            (Some(v), Some(f)) if in_env.is_some() => format!(
                "or give this stack another port: {v} is set in the environment ({}, which wins \
                 over .env): set {v}={f} ({where_} reads {v})",
                in_env.as_deref().unwrap_or_default()
            ),
            (Some(v), Some(f)) => format!(
                "or give this stack another port: add `{v}={f}` to .env ({where_} reads {v})"
            ),
            (Some(v), None) => {
                format!("or give this stack another port: set {v} in .env ({where_} reads it)")
            }
            (None, _) => format!("or change the host port at {where_}"),
        };
        let (message, remedy) = if let Some((name, project, service, dir)) = publishers.first() {
            let whose = if project.is_empty() {
                format!("container {name}")
            } else if project == &t.project.name {
                format!("container {name} (service {service} of this project's other stack)")
            } else if dir.is_empty() {
                format!("container {name} (compose project {project})")
            } else {
                format!("container {name} (compose project {project}, in {dir})")
            };
            let whole = if project.is_empty() || project == &t.project.name {
                String::new()
            } else {
                format!(
                    " (or its whole stack: `docker compose -p {} stop`)",
                    quote(project)
                )
            };
            (
                format!(
                    "port {port} ({} of {}) is taken by {whose}",
                    u.published.target, u.service
                ),
                format!("stop it: `docker stop {name}`{whole}, {move_it}"),
            )
        } else {
            let mut holders = holders_from_proc(Path::new("/proc"), port);
            if holders.is_empty() {
                holders = Command::new("ss")
                    .args(["-ltnpH"])
                    .output()
                    .ok()
                    .map(|o| holders_from_ss(&String::from_utf8_lossy(&o.stdout), port))
                    .unwrap_or_default();
            }
            match holders.first() {
                Some(h) => (
                    format!(
                        "port {port} ({} of {}) is taken by the process {} (pid {}{})",
                        u.published.target,
                        u.service,
                        h.name,
                        h.pid,
                        h.command
                            .as_deref()
                            .map(|c| {
                                let c = c.split_whitespace().collect::<Vec<_>>().join(" ");
                                format!(": {}", c.chars().take(120).collect::<String>())
                            })
                            .unwrap_or_default()
                    ),
                    format!("stop {} (`kill {}`), {move_it}", h.name, h.pid),
                ),
                None => (
                    format!(
                        "port {port} ({} of {}) is taken by a process djship cannot see (another \
                         user's: run doctor as root, or `sudo ss -ltnp 'sport = :{port}'`)",
                        u.published.target, u.service
                    ),
                    format!("stop that process, {move_it}"),
                ),
            }
        };
        findings.push(Finding::error(message, remedy).at(u.evidence.clone()));
    }
    Check::done(
        "ports",
        format!("host ports {}", listed.join(", ")),
        findings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HTTP_PORT" => Some("8080".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn compose_interpolation() {
        let (t, refs) = interpolate("127.0.0.1:${WEB_PORT:-8000}:8000", &env);
        assert_eq!(t, "127.0.0.1:8000:8000");
        assert_eq!(
            refs,
            [VarRef {
                name: "WEB_PORT".into(),
                default: Some("8000".into()),
                required: false
            }]
        );
        assert_eq!(interpolate("${HTTP_PORT:-80}:80", &env).0, "8080:80");
        assert_eq!(interpolate("$HTTP_PORT:80", &env).0, "8080:80");
        assert_eq!(interpolate("${EMPTY:-d} ${EMPTY-d}", &env).0, "d ");
        assert_eq!(interpolate("${HTTP_PORT:+on}${NONE:+on}", &env).0, "on");
        assert_eq!(
            interpolate("pg_isready -U $${POSTGRES_USER}", &env).0,
            "pg_isready -U ${POSTGRES_USER}"
        );
        let (t, refs) = interpolate("${POSTGRES_DB:?set POSTGRES_DB in .env}", &env);
        assert_eq!(t, "");
        assert!(refs[0].required && refs[0].name == "POSTGRES_DB");
        // Not a variable: kept as written; an operator that is not one is read as a
        // one-character operator (whatever its width).
        assert_eq!(interpolate("${X€d}", &env).0, "");
        assert_eq!(
            interpolate("cost: 5$ ${unclosed", &env).0,
            "cost: 5$ ${unclosed"
        );
    }

    proptest::proptest! {
        /// Text from a compose file, /proc or ss never makes these panic.
        #[test]
        fn parsers_never_panic(s in "\\PC*") {
            let _ = interpolate(&s, &|n| (n.len() % 2 == 0).then(|| n.to_string()));
            let _ = parse_port(&s);
            let _ = listening_inodes(&s, 80);
            let _ = holders_from_ss(&s, 80);
            let _ = socket_inode(&s);
            let _ = super::super::env::read_env_file(&s);
            let _ = super::super::database::parse_db_probe(&s);
            let _ = super::super::volumes::parse_volume_probe(&s);
            let _ = super::super::image::rfc3339_seconds(&s);
            let _ = super::super::engine::client_version(&s);
        }
    }

    #[test]
    fn ports_syntax() {
        assert_eq!(
            parse_port("127.0.0.1:8000:8000"),
            Some(Published {
                host_ip: Some("127.0.0.1".into()),
                port: 8000,
                target: "8000".into()
            })
        );
        assert_eq!(
            parse_port("\"443:443\""),
            Some(Published {
                host_ip: None,
                port: 443,
                target: "443".into()
            })
        );
        assert_eq!(parse_port("0.0.0.0:80:80/tcp").unwrap().host_ip, None);
        assert_eq!(
            parse_port("[::1]:8080:80").unwrap(),
            Published {
                host_ip: Some("::1".into()),
                port: 8080,
                target: "80".into()
            }
        );
        assert_eq!(parse_port("9000-9002:9000-9002").unwrap().port, 9000);
        assert_eq!(parse_port("8000"), None);
        assert_eq!(parse_port("53:53/udp"), None);
        assert_eq!(parse_port(":80"), None);
    }

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1966052 1 000000001cf207d8 100 0 0 10 0
   1: 00000000:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1970808 1 00000000ffd071ea 100 0 0 10 0
   2: 010014AC:1F40 050014AC:0050 01 00000000:00000000 03:00000DD6 00000000     0        0 777 3 000000007b32a641
   3: 0100007F:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 0 1 0
";
    const TCP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
";

    #[test]
    fn listening_sockets_from_proc_net_tcp() {
        // 0x1F40 = 8000: the listener, not the established connection from the same port.
        assert_eq!(listening_inodes(TCP, 8000), [1966052]);
        assert_eq!(listening_inodes(TCP, 443), [1970808]);
        assert_eq!(listening_inodes(TCP6, 8000), [4242]);
        // A socket without an inode (another namespace's, closing) is nobody's.
        assert!(listening_inodes(TCP, 8001).is_empty());
        assert!(listening_inodes("garbage\nmore garbage", 8000).is_empty());
        assert_eq!(socket_inode("socket:[1966052]"), Some(1966052));
        assert_eq!(socket_inode("pipe:[1]"), None);
        assert_eq!(socket_inode("/dev/null"), None);
    }

    #[test]
    fn socket_holders_in_a_proc_tree() {
        let root = tempfile::tempdir().unwrap();
        let p = root.path();
        std::fs::create_dir_all(p.join("net")).unwrap();
        std::fs::write(p.join("net/tcp"), TCP).unwrap();
        std::fs::write(p.join("net/tcp6"), TCP6).unwrap();
        for (pid, comm, cmd, links) in [
            (
                "41",
                "gunicorn",
                "gunicorn\0app.wsgi\0",
                &["socket:[1966052]", "pipe:[3]"][..],
            ),
            ("42", "nginx", "nginx: master\0", &["socket:[1970808]"][..]),
            (
                "43",
                "python3",
                "python3\0-m\0http.server\0",
                &["socket:[4242]"][..],
            ),
        ] {
            let d = p.join(pid);
            std::fs::create_dir_all(d.join("fd")).unwrap();
            std::fs::write(d.join("comm"), format!("{comm}\n")).unwrap();
            std::fs::write(d.join("cmdline"), cmd).unwrap();
            for (i, l) in links.iter().enumerate() {
                std::os::unix::fs::symlink(l, d.join("fd").join(i.to_string())).unwrap();
            }
        }
        std::fs::create_dir_all(p.join("self")).unwrap();
        let h = holders_from_proc(p, 8000);
        assert_eq!(
            h,
            [
                Holder {
                    pid: 41,
                    name: "gunicorn".into(),
                    command: Some("gunicorn app.wsgi".into())
                },
                Holder {
                    pid: 43,
                    name: "python3".into(),
                    command: Some("python3 -m http.server".into())
                }
            ]
        );
        assert_eq!(holders_from_proc(p, 443)[0].name, "nginx");
        assert!(holders_from_proc(p, 9999).is_empty());
        assert!(holders_from_proc(&p.join("missing"), 8000).is_empty());
    }

    #[test]
    fn socket_holders_from_ss() {
        let ss = "State  Recv-Q Send-Q      Local Address:Port  Peer Address:PortProcess
LISTEN 0      4096            127.0.0.1:19931      0.0.0.0:*    users:((\"docker-proxy\",pid=32725,fd=4))
LISTEN 0      128               0.0.0.0:2024       0.0.0.0:*
LISTEN 0      50     [::ffff:127.0.0.1]:7484             *:*    users:((\"java\",pid=30549,fd=27),(\"java\",pid=30550,fd=27))
";
        assert_eq!(
            holders_from_ss(ss, 19931),
            [Holder {
                pid: 32725,
                name: "docker-proxy".into(),
                command: None
            }]
        );
        let java = holders_from_ss(ss, 7484);
        assert_eq!(
            java.iter().map(|h| h.pid).collect::<Vec<_>>(),
            [30549, 30550]
        );
        // Listening, but ss may not show whose (another user's, without root).
        assert!(holders_from_ss(ss, 2024).is_empty());
        assert!(holders_from_ss(ss, 1).is_empty());
    }

    #[test]
    fn a_bound_port_is_taken() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        assert_eq!(taken(Some("127.0.0.1"), port), Some(true));
        // Every address conflicts with one of them.
        assert_eq!(taken(None, port), Some(true));
        assert!(holders_from_proc(Path::new("/proc"), port)
            .iter()
            .any(|h| h.pid == std::process::id()));
        drop(l);
        assert_eq!(taken(Some("127.0.0.1"), port), Some(false));
        let next = next_free(Some("127.0.0.1"), port).unwrap();
        assert!(next > port);
    }
}

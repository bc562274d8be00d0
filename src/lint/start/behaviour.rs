//! What a start does: waits for the database, drops privileges, runs a dev server, idles.

use super::*;

/// A wait for a server before the app starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    /// The host waited for, when the text names one literally (`nc -z db 5432`).
    pub host: Option<String>,
    /// What waits, for messages (`pg_isready`, `wait-for-it`).
    pub how: String,
}

/// Probes that wait when they are run in a loop (`until pg_isready; do sleep 1; done`).
pub(super) const PROBES: &[&str] = &[
    "pg_isready",
    "psql",
    "nc",
    "netcat",
    "ncat",
    "mysqladmin",
    "mariadb-admin",
    "mysql",
    "mariadb",
    "redis-cli",
];

/// The waits in shell text: `wait-for-it`, `wait-for`, `dockerize -wait`, docker-compose-
/// wait's `/wait`, a `manage.py wait_for_db`-style command, a script named for waiting,
/// and probes (`pg_isready`, `psql`, `nc -z`, `/dev/tcp/host/port`, `mysqladmin ping`)
/// inside an `until`/`while` loop.
pub fn waits(text: &str) -> Vec<Wait> {
    let cmds = commands(text);
    let looping = cmds.iter().any(|c| {
        c.iter()
            .any(|w| matches!(w.as_str(), "until" | "while" | "for"))
    });
    let mut out = Vec::new();
    for cmd in &cmds {
        let Some(at) = program_index(cmd) else {
            continue;
        };
        let prog = basename(&cmd[at]).to_string();
        let args = &cmd[at + 1..];
        let first_arg = || args.iter().find(|a| !a.starts_with('-')).cloned();
        let host_port = |s: &str| {
            let s = s.trim_start_matches("tcp://").trim_start_matches("http://");
            s.split(':')
                .next()
                .map(String::from)
                .filter(|h| !h.is_empty())
        };
        let flagged = |names: &[&str]| {
            args.iter().enumerate().find_map(|(i, a)| {
                names.iter().find_map(|n| {
                    if a == n {
                        args.get(i + 1).cloned()
                    } else {
                        a.strip_prefix(&format!("{n}=")).map(String::from)
                    }
                })
            })
        };
        let wait = match prog.trim_end_matches(".sh") {
            "wait-for-it" | "wait_for_it" | "wait-for" | "wait_for" => Some(Wait {
                host: flagged(&["-h", "--host"])
                    .or_else(|| first_arg().and_then(|a| host_port(&a))),
                how: prog.clone(),
            }),
            "dockerize" if args.iter().any(|a| a == "-wait" || a == "--wait") => Some(Wait {
                host: flagged(&["-wait", "--wait"]).and_then(|a| host_port(&a)),
                how: "dockerize -wait".into(),
            }),
            _ if cmd[at] == "/wait" => Some(Wait {
                host: None,
                how: "docker-compose-wait".into(),
            }),
            _ => None,
        };
        // `python manage.py wait_for_db`, `django-admin wait_for_database`.
        let manage_wait = cmd.iter().enumerate().find_map(|(i, w)| {
            (basename(w) == "manage.py" || basename(w) == "django-admin")
                .then(|| cmd.get(i + 1))
                .flatten()
                .filter(|sub| sub.contains("wait"))
        });
        // A script named for it: `wait-for-postgres.sh`, `/usr/local/bin/wait_for_db`.
        let named = cmd.iter().find(|w| {
            let b = basename(w).to_ascii_lowercase();
            (w.contains('/')
                || b.ends_with(".sh")
                || b.ends_with(".py")
                || at < cmd.len() && *w == &cmd[at])
                && b.starts_with("wait")
                && [
                    "db", "database", "postgres", "pg", "mysql", "maria", "for", "redis", "service",
                ]
                .iter()
                .any(|k| b.contains(k))
        });
        if let Some(w) = wait {
            out.push(w);
        } else if let Some(sub) = manage_wait {
            out.push(Wait {
                host: None,
                how: format!("manage.py {sub}"),
            });
        } else if let Some(n) = named {
            out.push(Wait {
                host: None,
                how: basename(n).to_string(),
            });
        } else if looping {
            if let Some(tcp) = cmd
                .iter()
                .find_map(|w| w.split_once("/dev/tcp/").map(|(_, r)| r))
            {
                out.push(Wait {
                    host: tcp
                        .split('/')
                        .next()
                        .map(String::from)
                        .filter(|h| !h.is_empty()),
                    how: "/dev/tcp".into(),
                });
            } else if PROBES.contains(&prog.as_str()) {
                let host = match prog.as_str() {
                    "nc" | "netcat" | "ncat" => args
                        .iter()
                        .filter(|a| !a.starts_with('-'))
                        .find(|a| a.parse::<u32>().is_err())
                        .cloned(),
                    _ => flagged(&["-h", "--host"]),
                };
                out.push(Wait {
                    host,
                    how: prog.clone(),
                });
            } else if (prog.starts_with("python") || cmd.iter().any(|w| w.starts_with("python")))
                && cmd
                    .iter()
                    .any(|w| w.contains("connect") || w.contains("check"))
                && cmd
                    .iter()
                    .any(|w| w.contains("--database") || w.contains("connect"))
            {
                out.push(Wait {
                    host: None,
                    how: "a Python connection check".into(),
                });
            }
        }
    }
    for w in &mut out {
        if w.host
            .as_deref()
            .is_some_and(|h| h.contains('$') || h.is_empty())
        {
            w.host = None;
        }
    }
    out
}

/// The user a command switches to before running the app: `gosu`, `su-exec`,
/// `s6-setuidgid`, `setpriv --reuid`, `runuser -u`, `chpst -u`, `su USER -c`, `sudo -u`.
/// None when it does not, or switches to root.
pub fn drops_to(text: &str) -> Option<String> {
    for cmd in commands(text) {
        let Some(at) = program_index(&cmd) else {
            continue;
        };
        // The program, or a switch it runs through (`chpst -u app gosu ...` is rare; the
        // program position is what counts).
        if let Some((i, w)) = cmd.iter().enumerate().skip(at).take(1).next() {
            let args = &cmd[i + 1..];
            let flagged = |names: &[&str]| {
                args.iter().enumerate().find_map(|(j, a)| {
                    names.iter().find_map(|n| {
                        if a == n {
                            args.get(j + 1).cloned()
                        } else {
                            a.strip_prefix(&format!("{n}="))
                                .or_else(|| (n.len() == 2).then(|| a.strip_prefix(n)).flatten())
                                .filter(|r| !r.is_empty())
                                .map(String::from)
                        }
                    })
                })
            };
            let user = match basename(w) {
                "gosu" | "su-exec" | "s6-setuidgid" | "setuidgid" => args.first().cloned(),
                "chpst" => flagged(&["-u"]),
                "setpriv" => flagged(&["--reuid"]),
                "runuser" => flagged(&["-u", "--user"])
                    .or_else(|| args.iter().find(|a| !a.starts_with('-')).cloned()),
                "sudo" => flagged(&["-u", "--user"]),
                "su" if args.iter().any(|a| a == "-c" || a.starts_with("--command")) => {
                    let mut skip = false;
                    args.iter()
                        .find(|a| {
                            if skip {
                                skip = false;
                                return false;
                            }
                            if matches!(
                                a.as_str(),
                                "-s" | "-c" | "--shell" | "--command" | "-g" | "-G"
                            ) {
                                skip = true;
                                return false;
                            }
                            !a.starts_with('-')
                        })
                        .cloned()
                }
                _ => None,
            };
            if let Some(u) = user {
                let u = u.split(':').next().unwrap_or("").to_string();
                if !u.is_empty() && u != "root" && u != "0" {
                    return Some(u);
                }
            }
        }
    }
    None
}

/// Does shell text run Django's development server (`manage.py runserver`,
/// `runserver_plus`)?
pub fn runs_dev_server(text: &str) -> bool {
    commands(text).iter().any(|c| {
        c.iter().any(|w| w == "runserver" || w == "runserver_plus")
            && c.iter().any(|w| {
                let b = basename(w);
                b == "manage.py" || b == "django-admin" || b == "django-admin.py"
            })
    })
}

/// Does a command keep an idle container up without running anything (`sleep infinity`,
/// `tail -f /dev/null`: a dev container the developer works in)?
pub fn idle(words: &[String]) -> bool {
    let text = words.join(" ");
    let cmds = commands(&text);
    let Some(last) = cmds.last() else {
        return false;
    };
    let Some(at) = program_index(last) else {
        return false;
    };
    let args = &last[at + 1..];
    match basename(&last[at]) {
        "sleep" => args
            .iter()
            .any(|a| a == "infinity" || a.parse::<u64>().is_ok_and(|n| n >= 86400)),
        "tail" => args.iter().any(|a| a == "/dev/null"),
        _ => false,
    }
}

/// Django management commands that do their work and exit.
pub(super) const ONE_SHOT_COMMANDS: &[&str] = &[
    "migrate",
    "makemigrations",
    "collectstatic",
    "createsuperuser",
    "loaddata",
    "dumpdata",
    "compilemessages",
    "makemessages",
    "check",
    "createcachetable",
    "compress",
    "flush",
    "clearsessions",
    "showmigrations",
    "sqlmigrate",
    "test",
    "update_index",
    "rebuild_index",
    "wagtail_update_index",
    "sendtestemail",
];

/// The Django command a command line ends with, when it is one that exits
/// (`sh -c "python manage.py migrate && python manage.py collectstatic"`).
pub fn one_shot_command(words: &[String]) -> Option<String> {
    let text = words.join(" ");
    let last = commands(&text).pop()?;
    let at = last.iter().position(|w| {
        let b = basename(w);
        b == "manage.py" || b == "django-admin" || b == "django-admin.py"
    })?;
    let sub = last.get(at + 1)?;
    ONE_SHOT_COMMANDS
        .contains(&sub.as_str())
        .then(|| format!("manage.py {sub}"))
}

impl Start {
    /// Every wait, with where it is.
    pub fn waits(&self) -> Vec<(Wait, &str)> {
        self.texts
            .iter()
            .flat_map(|t| {
                waits(&t.text)
                    .into_iter()
                    .map(move |w| (w, t.from.as_str()))
            })
            .collect()
    }

    /// The s6-overlay long-running services' `run` scripts (a `run` with no `up` beside).
    pub(super) fn s6_longruns(&self) -> Vec<&Text> {
        self.texts
            .iter()
            .filter(|t| {
                t.file.as_deref().is_some_and(|f| {
                    let dir = parent(f);
                    basename(f) == "run"
                        && self.s6_dirs.iter().any(|d| f.starts_with(&format!("{d}/")))
                        && !self
                            .texts
                            .iter()
                            .any(|o| o.file.as_deref() == Some(&format!("{dir}/up")))
                })
            })
            .collect()
    }

    /// The user the start switches to, and where: for s6-overlay, every long-running
    /// service must switch; otherwise any script on the way.
    pub fn drops_to(&self) -> Option<(String, &str)> {
        if self.s6 {
            let longruns = self.s6_longruns();
            if !longruns.is_empty() {
                let users: Vec<Option<String>> =
                    longruns.iter().map(|t| drops_to(&t.text)).collect();
                return match users.first() {
                    Some(Some(u)) if users.iter().all(Option::is_some) => {
                        Some((u.clone(), longruns[0].from.as_str()))
                    }
                    _ => None,
                };
            }
        }
        self.texts
            .iter()
            .find_map(|t| drops_to(&t.text).map(|u| (u, t.from.as_str())))
    }

    /// Where the start runs the development server.
    pub fn dev_server(&self) -> Option<&str> {
        self.texts
            .iter()
            .find(|t| runs_dev_server(&t.text))
            .map(|t| t.from.as_str())
    }
}

//! Reading shell text: the commands of a script, the program a command runs.

use super::*;

/// A word that names a script: a path (`/entrypoint`, `./start.sh`) or a `*.sh` name.
pub(super) fn looks_like_script(w: &str) -> bool {
    let w = w.trim_start_matches(['<', '!']);
    !w.contains('$')
        && !w.contains("://")
        && !w.starts_with('-')
        && (w.starts_with('/') || w.starts_with("./") || w.starts_with("../") || w.ends_with(".sh"))
        && is_script_name(w)
}

/// The repository files and s6 folders the project's starts name that the context has
/// not read: every compose service, and every Dockerfile not for development.
pub fn wanted(ctx: &Context) -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let mut add = |st: Start| {
        files.extend(st.wanted);
        dirs.extend(st.s6_dirs);
    };
    for (file, c) in &ctx.compose {
        for (_, _, svc) in c.services() {
            add(of_service(ctx, file, svc));
        }
    }
    for (path, df) in &ctx.dockerfiles {
        add(of_image(ctx, &Image::of_dockerfile(ctx, path, df)));
    }
    files.sort();
    files.dedup();
    dirs.sort();
    dirs.dedup();
    (files, dirs)
}

// ---------------------------------------------------------------------------------------
// What the text does

/// Shell text as commands of words: comments removed, quotes dropped, split at `&&`,
/// `||`, `;`, `|`, newlines and `$(`/`)`.
pub fn commands(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = match line.find(" #") {
            Some(i) => &line[..i],
            None if line.trim_start().starts_with('#') => "",
            None => line,
        };
        let cleaned: String = line
            .chars()
            .map(|c| {
                if matches!(c, '"' | '\'' | '`' | '{' | '}') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let cleaned = cleaned.replace("$(", ";").replace(['(', ')'], ";");
        for part in cleaned.split(['&', '|', ';']) {
            let words: Vec<String> = part.split_whitespace().map(String::from).collect();
            if !words.is_empty() {
                out.push(words);
            }
        }
    }
    out
}

/// Where the program of a command is: past shell keywords, `exec`, `!` and assignments.
/// Where the program of a command is: past shell keywords, `exec`, `!`, assignments,
/// init wrappers (`tini --`, `dumb-init`) and `sh -c`.
pub(super) fn program_index(cmd: &[String]) -> Option<usize> {
    let mut i = 0;
    while i < cmd.len() {
        let w = cmd[i].as_str();
        let skip = matches!(
            w,
            "if" | "then"
                | "else"
                | "elif"
                | "do"
                | "until"
                | "while"
                | "!"
                | "exec"
                | "time"
                | "nohup"
                | "command"
                | "--"
        ) || w.contains('=') && !w.starts_with('-') && !w.starts_with('/');
        if skip {
            i += 1;
            continue;
        }
        let b = basename(w);
        let shell_c = matches!(b, "sh" | "bash" | "ash" | "dash" | "zsh")
            && cmd.get(i + 1).is_some_and(|n| n.starts_with('-'));
        if matches!(b, "tini" | "dumb-init" | "env" | "catatonit") || shell_c {
            i += 1;
            while cmd.get(i).is_some_and(|n| n.starts_with('-') && n != "--") {
                i += 1;
            }
            continue;
        }
        return Some(i);
    }
    None
}

pub(super) fn program(words: &[String]) -> Option<&str> {
    let i = program_index(words)?;
    let w = words[i].as_str();
    // `sh -c "..."` and `bash script.sh`: the script is what runs.
    if matches!(basename(w), "sh" | "bash" | "ash" | "dash" | "zsh") {
        return words[i + 1..]
            .iter()
            .find(|a| !a.starts_with('-'))
            .map(String::as_str)
            .filter(|a| !a.contains(' '));
    }
    Some(w)
}

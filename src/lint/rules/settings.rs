//! The Django settings checks (`DJSnnn`) as lint rules. Each check is declared once, in
//! [`crate::checks`]; detect finds the problems (`detect::problems`, where `inspect` and
//! `init --patch-settings` use them), and each rule here reports its check's problems at the
//! line of the setting.

use crate::checks::{self, Check};
use crate::lint::{Context, Hit, Rule};

/// Each project's problems of this check (a repository may hold several projects).
fn hits(ctx: &Context, check: &Check) -> Vec<Hit> {
    ctx.projects
        .iter()
        .flat_map(|facts| facts.problems.iter())
        .filter(|p| p.code == check.code)
        .map(|p| {
            let src = ctx.src(&p.evidence.file);
            let range = match p.evidence.line {
                Some(l) => src.line_span(l),
                None => 0..0,
            };
            Hit::new(&p.evidence.file, range, p.message.clone()).with_help(p.fix.clone())
        })
        .collect()
}

macro_rules! settings_rule {
    ($const:ident) => {
        pub const $const: Rule = Rule {
            code: checks::$const.code,
            name: checks::$const.name,
            buildkit: None,
            severity: checks::$const.severity,
            summary: checks::$const.summary,
            doc: checks::$const.doc,
            fixable: false,
            check: |ctx| hits(ctx, &checks::$const),
        };
    };
}

settings_rule!(SECRET_KEY);
settings_rule!(DEBUG);
settings_rule!(ALLOWED_HOSTS);
settings_rule!(SQLITE);
settings_rule!(DB_HOST);
settings_rule!(STATIC_ROOT);
settings_rule!(CSRF);
settings_rule!(PROXY_SSL);
settings_rule!(MEDIA_ROOT);
settings_rule!(ALLOWED_HOSTS_WILDCARD);
settings_rule!(DEBUG_FROM_TEXT);
settings_rule!(INSECURE_DEFAULT);

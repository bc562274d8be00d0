//! `djship rule`: a lint rule's documentation, or the list of rules.

use crate::lint::rules;
use clap::Args;

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// A rule's code (`DJL001`) or name; without it, every rule.
    pub id: Option<String>,
}

pub fn run(args: &RuleArgs) -> crate::error::Result<i32> {
    let id = args.id.as_deref();

    let Some(id) = id else {
        for r in rules::ALL {
            println!(
                "{:<7} {:<8} {:<36} {}",
                r.code,
                r.severity.as_str(),
                r.name,
                r.summary
            );
        }
        return Ok(0);
    };
    match rules::find(id) {
        Some(r) => {
            println!(
                "{} {} ({}{}{})\n\n{}\n\n{}",
                r.code,
                r.name,
                r.severity,
                r.buildkit
                    .map(|b| format!(", BuildKit {b}"))
                    .unwrap_or_default(),
                if r.fixable { ", fixable" } else { "" },
                r.summary,
                r.doc
            );
            Ok(0)
        }
        None => Err(crate::error::Error::Invalid {
            path: id.into(),
            message: "no such lint rule".into(),
            hint: "`djship rule` lists the rules".into(),
        }),
    }
}

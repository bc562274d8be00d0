//! `inspect --json` stays documented: every field the output has (two levels into `facts`
//! and `plan`) is described in docs/inspect-json.md.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn paths(v: &Value, prefix: &str, depth: usize, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                if depth < 2 {
                    paths(x, &p, depth + 1, out);
                }
            }
        }
        Value::Array(items) => {
            for x in items.iter().take(5) {
                if x.is_object() && depth < 2 {
                    paths(x, &format!("{prefix}[]"), depth, out);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn every_output_field_is_documented() {
    let doc = read(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/inspect-json.md"));
    let mut found = BTreeSet::new();
    for name in PROJECT_FIXTURES {
        let j = inspect_json(&fixtures().join(name), &[]);
        assert_eq!(j["schema_version"], djship::cli::SCHEMA_VERSION);
        paths(&j, "", 0, &mut found);
    }
    let missing: Vec<_> = found
        .iter()
        .filter(|p| !doc.contains(&format!("`{p}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "fields missing from docs/inspect-json.md: {missing:?}"
    );
}

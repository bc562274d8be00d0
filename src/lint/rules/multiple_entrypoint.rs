use crate::lint::{Rule, Severity};

pub const RULE: Rule = Rule {
    code: "DL4004",
    name: "multiple-entrypoint",
    buildkit: Some("MultipleInstructionsDisallowed"),
    severity: Severity::Error,
    summary: "a stage has more than one ENTRYPOINT",
    doc: "### What it does\nFinds a second `ENTRYPOINT` in one build stage. hadolint's DL4004; BuildKit's\nMultipleInstructionsDisallowed.\n### Why is this bad?\nOnly the last ENTRYPOINT takes effect, and setting ENTRYPOINT also clears a CMD set\nbefore it in the stage: the container may run something else than it seems.\n### Example\n```dockerfile\nENTRYPOINT [\"/app/docker/entrypoint.sh\"]\nENTRYPOINT [\"tini\", \"--\"]\n```\n### Fix\nKeep one ENTRYPOINT; chain wrappers inside it (`[\"tini\", \"--\", \"/app/docker/entrypoint.sh\"]`).",
    fixable: false,
    check: |ctx| super::multiple_cmd::repeated(ctx, "ENTRYPOINT"),
};

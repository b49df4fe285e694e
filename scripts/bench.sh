#!/usr/bin/env bash
# Every benchmark, in release, one after another: each prints its figures
# as ratios to the bare operation and exits non-zero when it misses its
# goal. Prints the machine's load before each, since a shared machine skews
# timings, and a summary at the end; exits 1 when any missed.
#   scripts/bench.sh                   # all, at the sizes the issues name
#   BENCH_SCALE=0.1 scripts/bench.sh   # a tenth of the data
#   scripts/bench.sh report migrate    # only these
# `bundle` is the browser's bundle: built as the release build builds it,
# its gzip copy against a goal of 400 KB.
# Command 2 does not run them.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if [ "$#" -gt 0 ]; then
  benches=("$@")
else
  benches=()
  for file in benches/*.rs; do
    benches+=("$(basename "$file" .rs)")
  done
  benches+=(bundle)
fi
cargo bench --features ssr --no-run || exit 1

# The release build's bundle (as scripts/serve-release.sh builds it).
bundle() {
  (cd scripts/release-tools && npm ci --silent --no-audit --no-fund) &&
    PATH="$PWD/scripts/release-tools/node_modules/.bin:$PATH" cargo leptos build --release --frontend-only &&
    node scripts/release-tools/precompress.mjs target/site/pkg --gzip-goal forest-runbook.wasm=400000
}
failed=()
for bench in "${benches[@]}"; do
  printf '\033[1m==> [%s] %s (load %s)\033[0m\n' "$(date +%H:%M:%S)" "$bench" "$(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$bench" = bundle ]; then
    bundle || failed+=("$bench")
  elif ! cargo bench --features ssr --bench "$bench"; then
    failed+=("$bench")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  printf '\033[1mgoal missed or failed: %s\033[0m\n' "${failed[*]}"
  exit 1
fi
printf '\033[1mevery benchmark met its goal\033[0m\n'

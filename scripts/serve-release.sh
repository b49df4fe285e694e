#!/usr/bin/env bash
# The release build, served: what to deploy. Installs what command 1 does,
# plus wasm-opt (Binaryen's Node build from npm, pinned in
# scripts/release-tools; seconds, where the C++ build from crates.io took
# 13 minutes here), builds the server and the bundle optimised
# (`cargo leptos build --release`: the bundle with the wasm-release profile
# and `wasm-opt -O1`), writes its brotli and gzip copies, and serves it.
# Arguments go to `serve`; stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step() { printf '\033[1m==> [%s +%ss] %s\033[0m\n' "$(date +%H:%M:%S)" "$((SECONDS - started))" "$*"; }

bash scripts/setup.sh
step "Installing wasm-opt (Binaryen for Node, from npm)"
(cd scripts/release-tools && npm ci --silent --no-audit --no-fund)
export PATH="$PWD/scripts/release-tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
step "Building the release build (about 8 minutes the first time on 2 cores)"
cargo leptos build --release
step "Compressing the bundle once, for browsers that accept brotli or gzip"
node scripts/release-tools/precompress.mjs target/site/pkg
step "Serving the release build"
exec target/release/forest-runbook serve "$@"

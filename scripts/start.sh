#!/usr/bin/env bash
# Command 1: install what is missing, build the app, and serve it on the
# embedded database with demo data (loaded on the first start only).
# Stop it with Ctrl-C; the embedded database server stops with it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
started=$SECONDS
step() { printf '\033[1m==> [%s +%ss] %s\033[0m\n' "$(date +%H:%M:%S)" "$((SECONDS - started))" "$*"; }
step "Building the app (3 to 6 minutes the first time on 2 cores)"
cargo leptos build
step "Starting forest-runbook (Ctrl-C stops it)"
printf 'On a first start the demo accounts and their random passwords are printed below, once.\n'
exec target/debug/forest-runbook serve "$@"

#!/usr/bin/env bash
# Command 1: install what is missing, build the app, and serve it on the
# embedded database with demo data (loaded on the first start only).
# Stop it with Ctrl-C; the embedded database server stops with it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
printf '\033[1m==> Building the app\033[0m\n'
cargo leptos build
printf '\033[1m==> Starting forest-runbook (Ctrl-C stops it)\033[0m\n'
printf 'On a first start the demo accounts and their random passwords are printed below, once.\n'
exec target/debug/forest-runbook serve "$@"

#!/usr/bin/env bash
# Command 2: install what is missing, then run every check: formatting,
# clippy for the server and the browser build, unit and integration tests
# (against a real secantusd-rs), and the end-to-end tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --checks
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --check
step "leptosfmt --check (the view! macros)"
leptosfmt --quiet --check src || { echo "Some view! macros are not formatted: run leptosfmt src"; exit 1; }
step "Stylesheet lint (stylelint, standard config)"
(cd end2end && npx stylelint --config stylelint.config.mjs '../style/**/*.css')
step "clippy (server)"
cargo clippy --all-targets --features ssr -- -D warnings
step "clippy (browser)"
cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings
step "Unit and integration tests"
cargo test --features ssr
step "Building the app (cargo-leptos)"
cargo leptos build
step "End-to-end tests (Chromium, with JavaScript on and off)"
(cd end2end && npx playwright test)

#!/usr/bin/env bash
# Installs what forest-runbook needs, skipping what is already there. To
# build and serve (command 1): cmake (for the database server's build), the
# pinned Rust toolchain with its wasm target, and the cargo tools
# secantusd-rs, cargo-leptos and wasm-bindgen-cli. With `--checks` (command
# 2) also what only the checks use: Chromium for the browser tests,
# leptosfmt, the end-to-end test packages and Prisma's schema parser for the
# parser comparison test.
# Every version is pinned here or in rust-toolchain.toml, Cargo.lock,
# end2end/package-lock.json and tests/prisma_dmmf/package-lock.json. Nothing
# is fetched from outside the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

checks=false
case "${1:-}" in
  --checks) checks=true ;;
  "") ;;
  *) echo "usage: scripts/setup.sh [--checks]" >&2; exit 2 ;;
esac

SECANTUS_VERSION="0.5.3-beta.196"
CARGO_LEPTOS_VERSION="0.3.11"
LEPTOSFMT_VERSION="0.1.33"
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
started=$SECONDS
step() { printf '\033[1m==> [%s +%ss] %s\033[0m\n' "$(date +%H:%M:%S)" "$((SECONDS - started))" "$*"; }

# The cargo tools are build tools: how fast they run hardly matters, how long
# they take to build does. Cargo reads these in place of each tool's own
# release profile: no link-time optimisation, many codegen units, no debug
# info. One target folder serves all the installs, so the crates they share
# are built once and a second run of this script reuses what it built.
tools_target="${XDG_CACHE_HOME:-$HOME/.cache}/forest-runbook/tools-target"
light_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install --target-dir "$tools_target" "$@"
}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages.
missing=()
command -v cmake >/dev/null || missing+=(cmake)
if $checks; then [ -x /usr/bin/chromium ] || missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  step "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Rust toolchain named in rust-toolchain.toml (with wasm target, rustfmt, clippy).
toolchain="$(awk -F'"' '/^channel/ { print $2 }' rust-toolchain.toml)"
if ! rustup run "$toolchain" rustc --print target-list >/dev/null 2>&1 \
  || ! rustup target list --installed --toolchain "$toolchain" | grep -qx wasm32-unknown-unknown \
  || ! rustup component list --installed --toolchain "$toolchain" | grep -q '^clippy'; then
  step "Installing Rust $toolchain"
  rustup toolchain install
fi

# cargo tools, each only when the pinned version is not already installed.
has_version() { "$1" --version 2>/dev/null | grep -qF "$2"; }
if ! has_version secantusd-rs "$SECANTUS_VERSION"; then
  # The database server keeps full optimisation: every test and bench runs on it.
  step "Building secantusd-rs $SECANTUS_VERSION (the embedded MongoDB-wire server; 3 to 5 minutes)"
  light_install secantus-mdb --version "$SECANTUS_VERSION" --locked
fi
if ! has_version cargo-leptos "$CARGO_LEPTOS_VERSION"; then
  # Unoptimised: it only runs cargo and wasm-bindgen and copies files. A
  # build after a one-file change took 8.5 to 10.8 s with it unoptimised
  # and 8.3 to 9.1 s optimised, and it builds in 3 minutes instead of 8.
  step "Building cargo-leptos $CARGO_LEPTOS_VERSION (the build tool; about 3 minutes on 2 cores)"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0 light_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi
if ! has_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  # Optimised a little: it rewrites the whole bundle on every build, which
  # takes it 1.5 s this way and 5.1 s unoptimised.
  step "Building wasm-bindgen-cli $WASM_BINDGEN_VERSION (matches Cargo.lock; about 1.5 minutes)"
  # Not --locked: its lock file pins a crate version the registry no longer serves.
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 light_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! $checks; then
  step "Setup complete (for serving; \`scripts/setup.sh --checks\` adds what the checks need)"
  exit 0
fi

if ! has_version leptosfmt "$LEPTOSFMT_VERSION"; then
  step "Building leptosfmt $LEPTOSFMT_VERSION (formats the view! macros; command 2 checks them)"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 light_install leptosfmt --version "$LEPTOSFMT_VERSION" --locked
fi

# End-to-end test packages (playwright drives Debian's Chromium; no browser download).
if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  step "Installing end-to-end test packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# Prisma's own schema parser (prisma-fmt as wasm; no engine download), which
# the integration test prisma_dmmf compares ours with.
if [ ! -d tests/prisma_dmmf/node_modules ] || [ tests/prisma_dmmf/package-lock.json -nt tests/prisma_dmmf/node_modules/.package-lock.json ]; then
  step "Installing Prisma's schema parser for the parser comparison test"
  (cd tests/prisma_dmmf && npm ci --no-audit --no-fund)
fi

step "Setup complete"

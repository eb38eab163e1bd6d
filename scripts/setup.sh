#!/usr/bin/env bash
# Installs what building (and, with --test, testing) Rollbook needs. Idempotent: everything
# already present is skipped, so running it again costs seconds.
#
#   scripts/setup.sh          toolchain pieces to build and run: wasm target, cargo-leptos,
#                             wasm-bindgen-cli (the version Cargo.lock pins)
#   scripts/setup.sh --test   also chromium (Debian's), the Playwright npm packages, schemathesis
#                             and aiosmtpd (PyPI)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*"; return 1; fi
}

apt_updated=false
apt_install() {
  if ! $apt_updated; then as_root apt-get update -qq; apt_updated=true; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v cargo >/dev/null || { say "Rust is not installed: install it with rustup first (https://rustup.rs)."; exit 1; }

# 1. The WebAssembly target for the console's hydration bundle.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. cargo-leptos (0.3.11 needs a newer rustc; no_downloads keeps it from fetching binaries).
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (a long build, once)"
  cargo install cargo-leptos --locked --version 0.3.10 --features no_downloads
fi

# 3. wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock.
wb_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${wb_version}\$"; then
  say "installing wasm-bindgen-cli ${wb_version}"
  cargo install wasm-bindgen-cli --version "$wb_version" --locked \
    || cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# A leftover Debian wasm-opt produces wasm that fails to start; debug builds do not use it, but
# warn so that a release build does not silently break.
if [ -x /usr/bin/wasm-opt ]; then
  say "warning: /usr/bin/wasm-opt (Debian binaryen) is installed; release builds may break with it"
fi

if $want_test; then
  # 4. Debian's chromium for Playwright (Playwright never downloads a browser here).
  if [ ! -x /usr/bin/chromium ]; then
    say "installing chromium"
    apt_install chromium
  fi
  # 5. Node.js and the Playwright packages, exactly as locked.
  if ! command -v npm >/dev/null; then
    say "installing nodejs and npm"
    apt_install nodejs npm
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the Playwright npm packages"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
if $want_test; then
  # 6. schemathesis (PyPI) fuzzes the REST API against the official OpenAPI document.
  if ! schemathesis --version 2>/dev/null | grep -q ' 4\.32\.5$'; then
    say "installing schemathesis 4.32.5"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore 'schemathesis==4.32.5'
  fi
  # 7. aiosmtpd (PyPI): a real SMTP server for the invitation e-mail test.
  if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    say "installing aiosmtpd 1.4.6"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore 'aiosmtpd==1.4.6'
  fi
fi
say "ready"

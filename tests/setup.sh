#!/usr/bin/env bash
# Idempotent installer for a fresh Debian machine (run as root): installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v cargo >/dev/null; then
  log "cargo not found; install Rust with rustup (https://rustup.rs) first" >&2
  exit 1
fi

if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown >/dev/null
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v wasm-opt >/dev/null || missing+=(binaryen)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v wasm-pack >/dev/null; then
  log "cargo install wasm-pack"
  cargo install --quiet wasm-pack
fi

# npm ci again only when the lock file changed since the last install.
stamp=tests/node_modules/.roster-lock-stamp
lock_sum=$(sha256sum tests/package-lock.json | cut -d' ' -f1)
if [[ ! -d tests/node_modules || ! -f $stamp || $(cat "$stamp") != "$lock_sum" ]]; then
  log "npm ci in tests/"
  (cd tests && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" >"$stamp"
fi

log "ok"

#!/usr/bin/env bash
# Browser tests: runs the wasm-bindgen tests (tests/web/) in headless Chromium against a
# live roster-server whose URL is baked in at build time (ROSTER_TEST_URL). Uses the
# server at $ROSTER_TEST_URL if set (tests/run.sh passes its own); otherwise builds one,
# starts it on a free loopback port, and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${ROSTER_TEST_URL:-}" ]; then
  cargo build -q -p roster-server
  log=$(mktemp)
  target/debug/roster-server --bind 127.0.0.1:0 >"$log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
  for _ in $(seq 1 100); do
    ROSTER_TEST_URL=$(sed -n 's/^roster-server listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$log")
    [ -n "$ROSTER_TEST_URL" ] && break
    kill -0 $server 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$ROSTER_TEST_URL" ] || { cat "$log" >&2; echo "roster-server did not start" >&2; exit 1; }
fi
echo "web tests against $ROSTER_TEST_URL" >&2

export ROSTER_TEST_URL
WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-240}" CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
  wasm-pack test --headless --chrome . --test web --features test-hooks

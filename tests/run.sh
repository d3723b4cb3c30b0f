#!/usr/bin/env bash
# The README test command: installs what is missing, then runs every suite in order.
# Fails if any suite fails; every step is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

passed=()
skipped=()
step() {
  local name=$1 limit=$2
  shift 2
  printf '\n==> %s\n' "$name"
  local start=$SECONDS
  if ! timeout --kill-after=10 "$limit" "$@"; then
    printf '\nFAILED: %s (after %ss)\n' "$name" $((SECONDS - start)) >&2
    printf 'summary: FAIL at "%s"; passed before it: %s\n' "$name" "${passed[*]:-none}" >&2
    exit 1
  fi
  passed+=("$name")
}
skip() {
  printf '\n==> %s\nSKIPPED: %s\n' "$1" "$2"
  skipped+=("$1")
}

step setup 1800 bash tests/setup.sh
# The bundler tests run Vite 8, which needs Node.js ^20.19 or >= 22.12; setup.sh installs
# Debian's nodejs only when there is none, and Debian 12's is 18: say so now, not as a
# failure deep in the node step.
step node-version 10 node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (!((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22)) {
    console.error(`Node.js ${process.version} is too old for the tests: Vite 8 needs ^20.19 or >= 22.12 (NodeSource, or Debian 13)`);
    process.exit(1);
  }'
step fmt 120 cargo fmt --all --check
step clippy 1800 cargo clippy --workspace --all-targets -- -D warnings
step cargo-test 1800 cargo test --workspace
if grep -q '^msgpack *=' Cargo.toml; then
  step cargo-test-msgpack 1800 cargo test --features msgpack -p roster
fi
step wasm-build 900 cargo build --target wasm32-unknown-unknown
# src/wasm and tests/web only compile for wasm32, so the workspace clippy never sees them.
step wasm-clippy 900 cargo clippy --target wasm32-unknown-unknown --lib --test web --features test-hooks -- -D warnings
# The package's realtime-only module is built without default features (no `rest`).
step wasm-clippy-realtime 900 cargo clippy --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings
step package 900 bash js/build.sh
if [[ -f tests/types/tsconfig.json ]]; then
  step types 300 tests/node_modules/.bin/tsc -p tests/types
  # The same ably-js usage (ably-compat.ts) against ably-js's own types: valid ably-js code.
  step types-ably 300 tests/node_modules/.bin/tsc -p tests/types/ably
fi
step server-build 900 cargo build -p roster-server

# One server for the node suites; its address comes from its first stdout line.
server_log=$(mktemp)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -f "$server_log"
}
trap cleanup EXIT
target/debug/roster-server --bind 127.0.0.1:0 --static /=www --static /pkg=pkg >"$server_log" 2>&1 &
server_pid=$!
ROSTER_URL=""
for _ in $(seq 1 100); do
  ROSTER_URL=$(sed -n 's/^roster-server listening on \(http:\/\/[^ ]*\).*$/\1/p' "$server_log" | head -n1)
  [[ -n $ROSTER_URL ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $ROSTER_URL ]]; then
  echo "roster-server did not report its address; its output:" >&2
  cat "$server_log" >&2
  echo 'summary: FAIL at "server-start"' >&2
  exit 1
fi
export ROSTER_URL
echo "roster-server at $ROSTER_URL"

mapfile -t node_tests < <(find tests/node -name '*.test.mjs' 2>/dev/null | sort)
if ((${#node_tests[@]})); then
  # ~10 min on 2 quiet cores (585 s for 228 tests); the limit only stops a hang.
  step node-tests 1500 node --test --test-concurrency=1 "${node_tests[@]}"
else
  skip node-tests "no tests/node/*.test.mjs yet"
fi

if [[ -f tests/web.sh ]]; then
  step wasm-browser-tests 1800 env ROSTER_TEST_URL="$ROSTER_URL" bash tests/web.sh
else
  skip wasm-browser-tests "tests/web.sh does not exist yet (the wasm helper adds it)"
fi

printf '\nsummary: PASS (%s)%s\n' "${passed[*]}" "${skipped[*]:+; skipped: ${skipped[*]}}"

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

export ROSTER_TEST_URL WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-240}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

# One run of the tests. wasm-bindgen-test-runner's HTTP server (tiny_http) can leave one
# of the test page's module requests unanswered: the page never starts a test and the
# runner waits on for good. Such a run is stopped once the page has started no test 300 s
# after it opened (a run starts its first test within seconds): it returns 75.
run_tests() {
  local out
  out=$(mktemp)
  # A process group of its own (job control on), so that the runner, chromedriver and
  # Chromium stop with it.
  set -m
  wasm-pack test --headless --chrome . --test web --features test-hooks > >(tee "$out") 2>&1 &
  local pid=$! opened=''
  set +m
  while kill -0 $pid 2>/dev/null; do
    sleep 1
    grep -qE '^running [0-9]+ tests?' "$out" && break
    if [ -z "$opened" ]; then
      grep -q '^Running headless tests' "$out" && opened=$SECONDS
    elif ((SECONDS - opened > 300)); then
      echo "web tests: the test page started no test in 300 s; stopping this run" >&2
      kill -- -$pid 2>/dev/null || true
      wait $pid 2>/dev/null || true
      rm -f "$out"
      return 75
    fi
  done
  local status=0
  wait $pid || status=$?
  rm -f "$out"
  return $status
}

# A test that fails fails the run; only a page that never started is tried again, once.
status=0
run_tests || status=$?
if [ $status -eq 75 ]; then
  echo "web tests: trying once more" >&2
  status=0
  run_tests || status=$?
fi
exit $status

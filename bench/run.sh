#!/usr/bin/env bash
# Runs every Roster benchmark on loopback and prints one table (figure, anchor, ratio);
# rewrites BENCHMARKS.md from this run. Not part of the test command: figures only, no
# pass/fail on timings. Each step is bounded; a step that fails is listed as not measured.
# Usage: bash bench/run.sh
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=target/bench
RESULTS=$OUT/results.jsonl
mkdir -p "$OUT"
: > "$RESULTS"

# 10,000 client sockets plus 10,000 server sockets on one machine.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "fd limit: $(ulimit -n)" >&2

skip() { printf '{"section":"%s","skipped":"%s"}\n' "$1" "$2" >> "$RESULTS"; }
# step NAME SECONDS CMD...: run CMD, append its stdout rows, note a failure.
step() {
  local name=$1 limit=$2; shift 2
  echo "== $name" >&2
  local t0=$SECONDS
  timeout "$limit" "$@" >> "$RESULTS"
  local rc=$?
  echo "== $name: $((SECONDS - t0)) s" >&2
  [ $rc -eq 0 ] || skip "$name" "failed (exit $rc); its log is above this table"
}

echo "== build (release)" >&2
cargo build --release -p roster-server -p roster-bench >&2 || { echo "build failed" >&2; exit 1; }
SERVER=$ROOT/target/release/roster-server

step "Server fan-out" 300 target/release/fanout --server "$SERVER"
step "Server memory and scale" 240 target/release/scale --server "$SERVER"

if [ ! -d bench/browser/node_modules/esbuild ] || [ ! -d bench/browser/node_modules/ably ] \
  || [ ! -d bench/browser/node_modules/playwright-core ]; then
  npm install --prefix bench/browser --no-audit --no-fund >&2
fi
echo "== npm package (js/build.sh)" >&2
if bash js/build.sh >&2; then
  step "Bundle size" 120 node bench/browser/bundle.mjs "$ROOT/pkg" "$OUT/bundle"
else
  skip "Bundle size" "js/build.sh failed"
fi

echo "== core workload (native + wasm build)" >&2
target/release/core --write-frames "$OUT/core-frames.json" >&2
step "Core throughput (native, same frames as wasm)" 120 target/release/core --frames "$OUT/core-frames.json"
wasm-pack build bench/wasm-core --target web --release --no-opt --no-pack --out-dir "$ROOT/$OUT/wasm-core" >&2 \
  || skip "Core throughput (wasm)" "wasm-pack build of bench/wasm-core failed"
step "Core throughput (criterion)" 300 bash bench/criterion.sh

step "Browser" 400 node bench/browser/run.mjs --server "$SERVER" --pkg "$ROOT/pkg" --out "$ROOT/$OUT" --results "$ROOT/$RESULTS"

echo "== all steps: $SECONDS s" >&2
echo >&2
node bench/report.mjs "$RESULTS" BENCHMARKS.md

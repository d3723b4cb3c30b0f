#!/usr/bin/env bash
# Runs the core's criterion `presence` bench and turns its printed throughput into a
# result row (messages per second, against the 500,000 msg/s target from the core issue).
set -uo pipefail
cd "$(dirname "$0")/.."
log=target/bench/criterion.log
cargo bench --bench presence 2>&1 | tee "$log" >&2
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || exit "$rc"
node bench/criterion-parse.mjs "$log"

#!/usr/bin/env bash
# The README demo command: installs what is missing, builds the npm package and the server,
# then serves the chat demo on http://127.0.0.1:8080 (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash tests/setup.sh
bash js/build.sh
cargo build --quiet -p roster-server
echo
echo "Roster demo: open http://127.0.0.1:8080/ (two tabs, or add #room-name to pick a room)"
exec target/debug/roster-server --bind 127.0.0.1:8080 --static /=www --static /pkg=pkg

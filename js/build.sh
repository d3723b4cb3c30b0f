#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack (--target web, size profile), wasm-opt,
# the ESM wrapper and types from js/, package.json + README from pkg-template/.
# Prints raw/gzip/brotli sizes, and the gzip size of a minimal app bundled with esbuild.
# Usage: bash js/build.sh [--metrics]   (--metrics also lists the biggest wasm functions)
set -euo pipefail
cd "$(dirname "$0")/.."

# wasm-opt passes, measured on the gzip size: -Oz alone 138,883 B; -Os -Os 138,227 B;
# flattening and re-running the relooper first lets -Os find more: 137,822 B.
read -r -a OPT_PASSES <<< "${ROSTER_WASM_OPT:---flatten --rereloop -Os -Os}"
STAGE=target/wasm-pkg
OUT=pkg

# No default features (the panic hook's formatting machinery costs more than it tells),
# but `rest`: the Rest class and token request signing.
wasm-pack build --target web --profile wasm-release --no-opt --no-pack --no-typescript \
  --out-dir "$STAGE" --out-name roster_wasm . -- --no-default-features --features rest >&2

if [ ! -x tests/node_modules/.bin/esbuild ] || [ ! -x tests/node_modules/.bin/wasm-opt ]; then
  npm install --prefix tests --no-audit --no-fund >&2
fi

rm -rf "$OUT"
mkdir -p "$OUT"
# binaryen from npm: Debian's wasm-opt 108 breaks wasm-bindgen's externref table
# ("WebAssembly.Table.set(): Argument 1 is invalid") and optimises less.
# --low-memory-unused: Rust places nothing in the first 1 KB (data starts at 1 MB), so
# binaryen may fold constant offsets into loads and stores (measured: -700 B gzip).
FEATURES=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue)
tests/node_modules/.bin/wasm-opt "${OPT_PASSES[@]}" --low-memory-unused --strip-debug --strip-producers \
  "${FEATURES[@]}" "$STAGE/roster_wasm_bg.wasm" -o "$OUT/roster_wasm_bg.wasm"
cp "$STAGE/roster_wasm.js" "$OUT/"
# Short import/export names in the wasm and the glue alike (see the script).
node js/minify-names.mjs tests/node_modules/.bin/wasm-opt "$OUT/roster_wasm_bg.wasm" \
  "$OUT/roster_wasm.js" "${FEATURES[@]}"
cp js/index.js js/index.d.ts "$OUT/"
cp pkg-template/package.json pkg-template/README.md "$OUT/"

tests/node_modules/.bin/esbuild js/size-app.js --bundle --minify --format=esm \
  --alias:roster-presence=./pkg/index.js --outfile=target/size-app/app.js --log-level=warning

node js/size.mjs "$OUT/roster_wasm_bg.wasm" "$OUT/roster_wasm.js" "$OUT/index.js" \
  -- target/size-app/app.js "$OUT/roster_wasm_bg.wasm"
if [ "${1:-}" = "--metrics" ]; then
  node js/size.mjs --functions "$STAGE/roster_wasm_bg.wasm"
fi

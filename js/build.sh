#!/usr/bin/env bash
# Builds the npm package into pkg/: two wasm modules with wasm-pack (--target web, size
# profile, LTO) and wasm-opt — roster_wasm (full: Realtime and Rest) and roster_realtime
# (the `roster-presence/realtime` entry: no `rest` feature), both from the crate in
# pkg-template/wasm (roster's bindings as a cdylib of their own: cargo runs no LTO for
# roster's rlib) — the ESM wrappers and types from js/, package.json + README from pkg-template/.
# Prints raw/gzip/brotli sizes per entry, and the gzip size of a minimal app bundled with
# esbuild against each entry.
# Usage: bash js/build.sh [--metrics]   (--metrics also lists the realtime module's
# biggest wasm functions)
set -euo pipefail
cd "$(dirname "$0")/.."

# wasm-opt passes, measured on the realtime app's gzip size (LTO build): flattening and
# re-running the relooper first lets -Os find more (--flatten --rereloop -Os -Os is 307 B
# smaller than -Os -Os, 416 B than -Oz; -Oz -Oz after it about the same); merging the
# functions that differ only in constants (Vec::push's growth per element type, ...)
# before that: 125 B less again (62,248 B). Inlining set for size: a function with one
# caller is inlined only up to 100 B (-ocimfs; the default has no limit) and any function
# up to 4 B (-aimfs; default 2): 398 B less for the realtime app, 345 B for the full one
# (measured on the wasm alone, ocimfs 50-150 with aimfs 4 or 5 are within 40 B of each
# other; aimfs 6 gives it all back). --converge runs the whole list again while the
# module still shrinks: 65 B less for the realtime app, 42 B for the full one (the build
# takes about 30 s longer); appending --gufa, --dae-optimizing, --code-folding,
# --local-cse, --merge-locals or another --flatten --rereloop -Oz instead saved nothing.
read -r -a OPT_PASSES <<< "${ROSTER_WASM_OPT:---merge-similar-functions --flatten --rereloop -Oz -Oz -ocimfs=100 -aimfs=4 --converge}"
STAGE=target/wasm-pkg
OUT=pkg
# binaryen from npm: Debian's wasm-opt 108 breaks wasm-bindgen's externref table
# ("WebAssembly.Table.set(): Argument 1 is invalid") and optimises less.
FEATURES=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue)

if [ ! -x tests/node_modules/.bin/esbuild ] || [ ! -x tests/node_modules/.bin/wasm-opt ]; then
  npm install --prefix tests --no-audit --no-fund >&2
fi
rm -rf "$OUT"
mkdir -p "$OUT"

# Builds wasm module NAME with cargo arguments ARGS... into $OUT: NAME_bg.wasm, NAME.js.
build_wasm() {
  local name=$1
  shift
  # roster without default features (pkg-template/wasm/Cargo.toml): no std, so no panic
  # hook (its formatting machinery costs more than it tells) and a panic handler that only
  # traps.
  # A 32 KiB stack instead of .cargo/config.toml's 256 KiB for unoptimised builds: scanned
  # after use, the 10,000-member browser bench touches 4.5 KB of it and presence data
  # nested to the JSON reader's cap 11 KB (tests/node/deep-data.test.mjs checks that
  # case; with 8 KiB it traps). With the stack and the static data (~10 KB) in the first
  # 64 KiB page, the heap starts on the second: 64 KiB less memory than a 64 KiB stack.
  # RUSTFLAGS replaces the config's flags.
  RUSTFLAGS="-C link-arg=-zstack-size=32768" \
    wasm-pack build --target web --profile wasm-release --no-opt --no-pack --no-typescript \
    --out-dir "$PWD/$STAGE" --out-name "$name" pkg-template/wasm -- "$@" >&2
  # The table slots of wasm-bindgen's unused closure shims, emptied (see the script).
  node js/prune-table.mjs "$STAGE/${name}_bg.wasm"
  # --low-memory-unused: nothing lives in the first 1 KB (the stack comes first and grows
  # down from 32 KiB, data follows it), so binaryen may fold constant offsets into loads
  # and stores (measured: -700 B gzip). The target_features section (the features the
  # code was compiled for, 148 B) is for tools, not browsers: -106 B gzip.
  tests/node_modules/.bin/wasm-opt "${OPT_PASSES[@]}" --low-memory-unused --strip-debug --strip-producers --strip-target-features \
    "${FEATURES[@]}" "$STAGE/${name}_bg.wasm" -o "$OUT/${name}_bg.wasm"
  cp "$STAGE/$name.js" "$OUT/"
  # Short import/export names in the wasm and the glue alike (see the script).
  node js/minify-names.mjs tests/node_modules/.bin/wasm-opt "$OUT/${name}_bg.wasm" \
    "$OUT/$name.js" "${FEATURES[@]}"
  # The one loader path the entries use, in place of wasm-bindgen's, and the crate's JS
  # snippets put into the glue (see the script).
  node js/loader.mjs "$OUT/$name.js" "$STAGE"
}
# ROSTER_WASM_FEATURES adds cargo features to both modules, for bench builds only
# (`alloc-stats`: bench/browser's allocator figures); the npm package has none.
EXTRA=(${ROSTER_WASM_FEATURES:+--features "$ROSTER_WASM_FEATURES"})
build_wasm roster_wasm --features rest "${EXTRA[@]}"
build_wasm roster_realtime "${EXTRA[@]}"

cp js/index.js js/index.d.ts js/realtime.js js/realtime.d.ts js/realtime-api.js js/rest-api.js "$OUT/"
# The entries for the `node` export condition: the same modules over the Node glue
# (js/loader.mjs), which reads the wasm file from disk.
for entry in index:roster_wasm realtime:roster_realtime; do
  sed "s|'\./${entry#*:}\.js'|'./${entry#*:}.node.js'|" "js/${entry%:*}.js" > "$OUT/${entry%:*}.node.js"
  grep -q "'./${entry#*:}.node.js'" "$OUT/${entry%:*}.node.js" || { echo "no glue import in js/${entry%:*}.js" >&2; exit 1; }
done
# The entries for the `require` condition (CommonJS: scripts, Jest): the node entries'
# modules turned into CommonJS by esbuild, a file each (realtime-api.cjs is shared by both
# entries as realtime-api.js is), over the glue whose init() instantiates the wasm
# synchronously (js/loader.mjs), so no top-level await is left.
to_cjs() {
  tests/node_modules/.bin/esbuild --format=cjs --platform=node --log-level=warning --sourcefile="$1" \
    | sed -E 's|require\("\./([A-Za-z0-9_.-]+)\.js"\)|require("./\1.cjs")|g' > "$OUT/$1"
  if grep -q '\.js")' "$OUT/$1"; then echo "a require of a .js file left in $OUT/$1" >&2; exit 1; fi
}
to_cjs realtime-api.cjs < js/realtime-api.js
to_cjs rest-api.cjs < js/rest-api.js
for entry in index:roster_wasm realtime:roster_realtime; do
  to_cjs "${entry#*:}.node.cjs" < "$STAGE/${entry#*:}.node-sync.js"
  sed -e "s|'\./${entry#*:}\.js'|'./${entry#*:}.node.js'|" -e 's|^await init();$|init();|' "js/${entry%:*}.js" \
    | to_cjs "${entry%:*}.cjs"
  grep -q "require(\"./${entry#*:}.node.cjs\")" "$OUT/${entry%:*}.cjs" || { echo "no glue require in $OUT/${entry%:*}.cjs" >&2; exit 1; }
done
# Their types: the same declarations, as CommonJS ones (.d.cts, for TypeScript's node16 /
# nodenext resolution of a require), referring to each other as such.
for entry in index realtime; do
  sed "s#from '\./\(index\|realtime\)\.js'#from './\1.cjs'#" "js/$entry.d.ts" > "$OUT/$entry.d.cts"
done
cp pkg-template/package.json pkg-template/README.md "$OUT/"

# The same app (it imports only Realtime) bundled against each entry.
bundle() {
  tests/node_modules/.bin/esbuild js/size-app.js --bundle --minify --format=esm \
    --alias:roster-presence="./$OUT/$1" --outfile="target/size-app/$2" --log-level=warning
}
bundle index.js app.js
bundle realtime.js app-realtime.js

node js/size.mjs "full entry (roster-presence)" "with the full entry (roster-presence)" \
  "$OUT/roster_wasm_bg.wasm" "$OUT/roster_wasm.js" "$OUT/index.js" "$OUT/realtime-api.js" "$OUT/rest-api.js" \
  -- target/size-app/app.js "$OUT/roster_wasm_bg.wasm"
echo
# The realtime entry last: its line is the one to compare with ably-js modular.
node js/size.mjs "realtime entry (roster-presence/realtime)" "(target <= 40960; ably-js modular 40403, 46827 with Rest for presence.history: bench/run.sh)" \
  "$OUT/roster_realtime_bg.wasm" "$OUT/roster_realtime.js" "$OUT/realtime.js" "$OUT/realtime-api.js" \
  -- target/size-app/app-realtime.js "$OUT/roster_realtime_bg.wasm"
if [ "${1:-}" = "--metrics" ]; then
  node js/size.mjs --functions "$STAGE/roster_realtime_bg.wasm"
fi

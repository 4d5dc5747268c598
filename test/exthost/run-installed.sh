#!/usr/bin/env bash
# Packages the extension (npm run package → hvdbg.vsix), checks its size (< 5 MB), installs it offline
# into the harness's VS Code server with --install-extension, and runs the extension-host tests against
# the installed copy (not this development folder).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HARNESS="${HVDBG_VSCODE_HARNESS:-$ROOT/../shared/tools/vscode-harness}"
LIMIT_BYTES=$((5 * 1024 * 1024))
cd "$ROOT"

npm run package --silent
VSIX="$ROOT/hvdbg.vsix"
size=$(stat -c %s "$VSIX")
echo "hvdbg.vsix: $size bytes"
if [ "$size" -ge "$LIMIT_BYTES" ]; then echo "error: hvdbg.vsix is $size bytes, over the 5 MB limit" >&2; exit 1; fi

eval "$(bash "$HARNESS/setup.sh" | grep -E '^(NODE24|VSCODE_SERVER_DIR|PLAYWRIGHT_CORE)=')"
INSTALL="$(mktemp -d "${TMPDIR:-/tmp}/hvdbg-installed-XXXXXX")"
trap 'rm -rf "$INSTALL"' EXIT
"$NODE24" "$VSCODE_SERVER_DIR/out/server-main.js" --accept-server-license-terms --install-extension "$VSIX" \
  --extensions-dir "$INSTALL/extensions" --server-data-dir "$INSTALL/data" --user-data-dir "$INSTALL/user"
EXT_DIR="$(find "$INSTALL/extensions" -maxdepth 1 -type d -name 'hvdbg.hvdbg-*' | head -n 1)"
[ -n "$EXT_DIR" ] || { echo "error: the VS Code server did not install hvdbg.vsix" >&2; exit 1; }
# The installed copy is the package: bundles, no TypeScript sources, no tests.
for absent in src engine test node_modules; do
  if [ -e "$EXT_DIR/$absent" ]; then echo "error: the package contains $absent/" >&2; exit 1; fi
done
echo "installed into $EXT_DIR"

node test/exthost/build.mjs
OUT="$INSTALL/test-output.txt"
set +e
bash test/exthost/run.sh --ext "$EXT_DIR" 2>&1 | tee "$OUT"
status=${PIPESTATUS[0]}
set -e
# The tests print the folder of the extension they exercised: it must be the installed one.
if ! grep -qF "extension under test: $EXT_DIR" "$OUT"; then
  echo "error: the tests did not run the installed extension ($EXT_DIR)" >&2
  exit 1
fi
exit "$status"

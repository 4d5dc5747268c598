#!/usr/bin/env bash
# Runs the extension-host tests inside a real VS Code, offline: the harness in ../shared/tools/vscode-harness
# (VS Code server from code-server + headless Chromium). Usage: run.sh [--ext DIR]  (default: this checkout;
# give an installed extension's folder to test the packaged .vsix). Exit code: the harness driver's.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HARNESS="${HVDBG_VSCODE_HARNESS:-$ROOT/../shared/tools/vscode-harness}"
EXT="$ROOT"
if [ "${1:-}" = "--ext" ]; then EXT="$(cd "$2" && pwd)"; fi
if [ ! -f "$HARNESS/run-tests.mjs" ]; then
  echo "error: the VS Code test harness is not at $HARNESS (set HVDBG_VSCODE_HARNESS)" >&2
  exit 3
fi
TESTS="$ROOT/dist/exthost-tests/index.js"
[ -f "$TESTS" ] || { echo "error: $TESTS is missing; run: node test/exthost/build.mjs" >&2; exit 3; }
[ -f "$EXT/dist/extension.js" ] || { echo "error: $EXT/dist/extension.js is missing; run: npm run build" >&2; exit 3; }

# setup.sh is idempotent (0.03 s when complete) and prints NODE24=, VSCODE_SERVER_DIR=, PLAYWRIGHT_CORE=.
eval "$(bash "$HARNESS/setup.sh" | grep -E '^(NODE24|VSCODE_SERVER_DIR|PLAYWRIGHT_CORE)=')"
WORKSPACE="$(mktemp -d "${TMPDIR:-/tmp}/hvdbg-exthost-XXXXXX")"
trap 'rm -rf "$WORKSPACE"' EXIT
echo "extension-host tests: extension $EXT, workspace $WORKSPACE"
QUIET_WORKBENCH=1 "$NODE24" "$HARNESS/run-tests.mjs" --server "$VSCODE_SERVER_DIR" --node "$NODE24" \
  --playwright "$PLAYWRIGHT_CORE" --ext "$EXT" --tests "$TESTS" --folder "$WORKSPACE" --timeout "${HVDBG_EXTHOST_TIMEOUT_MS:-600000}"

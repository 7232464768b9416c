#!/usr/bin/env bash
# The UI binary exports exactly one symbol, lv2ui_descriptor (everything else is hidden, so two
# plugins' UIs in one host cannot clash). Usage: check_exports.sh emovox_ui.so
set -uo pipefail
command -v nm >/dev/null || { echo "SKIP: nm not installed"; exit 77; }
exports=$(nm -D --defined-only "$1" | awk '$2 ~ /^[TDRBVW]$/ {print $3}' | grep -v '^_' | sort)
echo "exported: $exports"
[ "$exports" = "lv2ui_descriptor" ] || { echo "FAIL: expected only lv2ui_descriptor"; exit 1; }

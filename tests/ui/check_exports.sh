#!/usr/bin/env bash
# The UI binary exports exactly one symbol, lv2ui_descriptor: every defined symbol of its dynamic
# symbol table, whatever its type or name (linker-made ones like _end included), so two plugins'
# UIs in one host cannot clash. Usage: check_exports.sh emovox_ui.so
set -uo pipefail
command -v nm >/dev/null || { echo "SKIP: nm not installed"; exit 77; }
[ -e "$1" ] || { echo "FAIL: $1 not found"; exit 1; }
table=$(nm -D --defined-only "$1") || { echo "FAIL: nm cannot read $1"; exit 1; }
exports=$(echo "$table" | awk 'NF {print $NF}' | sort)
echo "exported: $exports"
[ "$exports" = "lv2ui_descriptor" ] || { echo "FAIL: expected only lv2ui_descriptor"; exit 1; }
echo "$table" | grep -q " T lv2ui_descriptor$" || { echo "FAIL: lv2ui_descriptor is not a function"; exit 1; }

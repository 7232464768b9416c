#!/bin/sh
# Validates every Turtle file of the built bundle against the LV2 schemas installed with
# lv2-dev (every .ttl of /usr/lib/lv2/*.lv2 and the schemas.lv2 bundle) with sord_validate.
# Usage: validate_ttl.sh <bundle dir>
bundle=$1
command -v sord_validate >/dev/null 2>&1 || { echo "SKIP: sord_validate not installed"; exit 77; }
schemas=""
specs="atom buf-size core data-access dynmanifest event instance-access log midi morph options parameters patch port-groups port-props presets resize-port schemas state time ui units uri-map urid worker"
for d in /usr/lib/lv2 /usr/local/lib/lv2 /usr/lib/x86_64-linux-gnu/lv2; do
  [ -d "$d" ] || continue
  for f in $(for s in $specs; do ls "$d/$s.lv2"/*.ttl 2>/dev/null; done); do
    [ -f "$f" ] || continue
    case "$f" in */emovox.lv2/*) continue ;; esac
    schemas="$schemas $f"
  done
done
[ -n "$schemas" ] || { echo "SKIP: no LV2 schema files found"; exit 77; }
for spec in lv2core atom urid units ui patch state worker options port-props presets midi log parameters resize-port; do
  echo "$schemas" | grep -q "/$spec\.ttl\|/$spec\.lv2/" || { echo "FAIL: schema $spec not found"; exit 1; }
done
files=$(ls "$bundle"/*.ttl)
[ -n "$files" ] || { echo "FAIL: no ttl in $bundle"; exit 1; }
echo "validating: $files"
out=$(sord_validate $schemas $files 2>&1)
status=$?
echo "$out" | tail -20
echo "$out" | grep -q "Found 0 errors" || { echo "FAIL: sord_validate reports errors"; exit 1; }
# Warnings (e.g. unknown properties) count as failures too: the TTL should use only defined terms.
if echo "$out" | grep -q "^warning"; then echo "FAIL: warnings"; exit 1; fi
[ $status -eq 0 ] || { echo "FAIL: sord_validate exit $status"; exit 1; }
echo ok

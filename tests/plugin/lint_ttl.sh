#!/bin/sh
# What lv2lint -Ewarn checks and warns or notes about (lv2lint is not packaged for Debian 12, so
# the checks are made here on the bundle's triples, dumped with sordi): the maintainer has a
# foaf:mbox (lv2lint's one warning); each plugin has a doap:shortdesc, a unit on every control
# port that measures something (not toggles, integers or enumerations), and its audio ports in
# port groups named as the plugin's main input and output; no control input is marked
# pprops:notAutomatic (Ardour then warns on every session reload: plugin_ardour_reload).
# Usage: lint_ttl.sh <bundle dir>
set -u
command -v sordi >/dev/null 2>&1 || { echo "SKIP: sordi not installed"; exit 77; }
nt=$(mktemp)
trap 'rm -f "$nt"' EXIT
sordi "$1/emovox.ttl" >"$nt" 2>/dev/null || { echo "FAIL: sordi cannot read $1/emovox.ttl"; exit 1; }
LV2=http://lv2plug.in/ns/lv2core
fail=0
check() { # $1: description, $2...: command that must succeed
  what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
check "no port is pprops:notAutomatic" \
  test -z "$(grep 'port-props#notAutomatic>' "$nt")"
maint=$(grep "<http://usefulinc.com/ns/doap#maintainer>" "$nt" | head -n1 | awk '{print $3}')
check "the maintainer $maint has a foaf:mbox" \
  grep -q "^$maint <http://xmlns.com/foaf/0.1/mbox> <mailto:" "$nt"
for v in mono stereo; do
  p="<https://emovox.org/plugins/emovox#$v>"
  check "$v: doap:shortdesc" grep -q "^$p <http://usefulinc.com/ns/doap#shortdesc> " "$nt"
  for g in mainInput mainOutput; do
    check "$v: pg:$g" grep -q "^$p <http://lv2plug.in/ns/ext/port-groups#$g> " "$nt"
  done
  # the port nodes of this plugin
  for port in $(grep "^$p <$LV2#port> " "$nt" | awk '{print $3}'); do
    sym=$(grep "^$port <$LV2#symbol> " "$nt" | sed 's/.*"\(.*\)".*/\1/')
    types=$(grep "^$port <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " "$nt")
    props=$(grep "^$port <$LV2#portProperty> " "$nt")
    if echo "$types" | grep -q "#ControlPort>"; then
      if ! echo "$props" | grep -qE "#(toggled|integer|enumeration)>"; then
        check "$v: control port $sym has a unit" \
          grep -q "^$port <http://lv2plug.in/ns/extensions/units#unit> " "$nt"
      fi
    fi
    if echo "$types" | grep -q "#AudioPort>"; then
      check "$v: audio port $sym is in a port group" \
        grep -q "^$port <http://lv2plug.in/ns/ext/port-groups#group> " "$nt"
    fi
  done
done
exit $fail

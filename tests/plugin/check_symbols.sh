#!/bin/sh
# The plugin's shared object exports exactly one symbol, lv2_descriptor.
# Usage: check_symbols.sh <emovox.so>
so=$1
command -v nm >/dev/null 2>&1 || { echo "SKIP: nm not installed"; exit 77; }
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sort)
echo "exported: $exported"
[ "$exported" = "lv2_descriptor" ] || { echo "FAIL: expected only lv2_descriptor"; exit 1; }
# --as-needed: every needed library provides a symbol the object uses.
needed=$(readelf -d "$so" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "needed: $needed"
for lib in $needed; do
  case "$lib" in
    libc.so*|libm.so*|ld-linux*|libasan*|libubsan*|libstdc++*|libgcc_s*) ;;
    libfftw3f*|libspeexdsp*|libjansson*|libpthread*) ;;
    libcairo.so*) ;; # Ardour's inline display (render() only)
    *) echo "FAIL: unexpected dependency $lib"; exit 1 ;;
  esac
done
echo ok

#!/usr/bin/env bash
# Configures and builds Emovox into build/ (and, with --asan, build-asan/ with ASan+UBSan).
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  cat <<'EOF'
Usage: bash scripts/build.sh [--asan]
  Configures (once) and builds build/ (installs to ~/.local and ~/.lv2); --asan also builds
  build-asan/ with AddressSanitizer + UndefinedBehaviorSanitizer. CI=true adds --werror.
EOF
  exit 0
fi
set -euo pipefail
cd "$(dirname "$0")/.."
WERROR=""
if [ "${CI:-}" = "true" ]; then WERROR="--werror"; fi
if [ ! -f build/build.ninja ]; then
  meson setup build $WERROR --prefix="$HOME/.local" -Dlv2dir="$HOME/.lv2" >/dev/null
fi
ninja -C build
if [ "${1:-}" = "--asan" ]; then
  if [ ! -f build-asan/build.ninja ]; then
    meson setup build-asan $WERROR -Db_sanitize=address,undefined -Db_lundef=false \
      -Dbuildtype=debug -Dfuzz=true --native-file scripts/clang.ini >/dev/null
  fi
  ninja -C build-asan
fi

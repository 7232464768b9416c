#!/usr/bin/env bash
# Configures and builds Emovox into build/ (and, with --asan, build-asan/ with ASan+UBSan).
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  cat <<'EOF'
Usage: bash scripts/build.sh [--asan|--tsan]
  Configures (once) and builds build/ (installs to /usr/local as root, else ~/.local and
  ~/.lv2: scripts/install_dirs.sh); --asan also builds
  build-asan/ with AddressSanitizer + UndefinedBehaviorSanitizer; --tsan also builds build-tsan/
  with ThreadSanitizer (clang, -Dclones=false; only what the threading tests need). CI=true adds
  --werror.
EOF
  exit 0
fi
set -euo pipefail
cd "$(dirname "$0")/.."
WERROR=""
if [ "${CI:-}" = "true" ]; then WERROR="--werror"; fi
source scripts/install_dirs.sh
if [ ! -f build/build.ninja ]; then
  meson setup build $WERROR --prefix="$EMOVOX_PREFIX" -Dlv2dir="$EMOVOX_LV2DIR" >/dev/null
fi
ninja -C build
if [ "${1:-}" = "--asan" ]; then
  if [ ! -f build-asan/build.ninja ]; then
    meson setup build-asan $WERROR -Db_sanitize=address,undefined -Db_lundef=false \
      -Dbuildtype=debug -Dfuzz=true --native-file scripts/clang.ini >/dev/null
  fi
  ninja -C build-asan
fi
if [ "${1:-}" = "--tsan" ]; then
  # ThreadSanitizer: the target_clones resolvers run before its runtime is set up, so the
  # clones are off (meson option clones); the threading tests run here (scripts/test.sh).
  if [ ! -f build-tsan/build.ninja ]; then
    meson setup build-tsan $WERROR -Db_sanitize=thread -Db_lundef=false -Dclones=false \
      -Dbuildtype=debugoptimized --native-file scripts/clang.ini >/dev/null
  fi
  # what the threading tests need (scripts/test.sh runs them), not the whole tree: CI time
  ninja -C build-tsan tests/plugin/test_plugin tests/ui/test_ui_inline_glue ttl/emovox_bundle.stamp \
    offline/model/emovox-test-model.safetensors
fi

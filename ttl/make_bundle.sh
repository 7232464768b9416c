#!/bin/sh
# Makes the uninstalled bundle: a folder of symlinks to the built files, so that tests and the
# batch analyser can use LV2_PATH=<build dir> without installing.
# A "bundle-" prefix of a file name is dropped (generated TTL, see ttl/meson.build).
# Usage: make_bundle.sh <bundle dir> <stamp file> <file>...
set -e
dir=$1
stamp=$2
shift 2
rm -rf "$dir"
mkdir -p "$dir"
for f in "$@"; do
  case "$f" in
    /*) src=$f ;;
    *) src=$(pwd)/$f ;;
  esac
  name=$(basename "$f")
  ln -sf "$src" "$dir/${name#bundle-}"
done
# <build>/lv2/emovox.lv2 -> <build>/emovox.lv2: LV2_PATH=<build>/lv2 finds the plugin without
# lilv also trying every other folder of the build directory as a bundle.
parent=$(dirname "$dir")
mkdir -p "$parent/lv2"
ln -sfn "$dir" "$parent/lv2/$(basename "$dir")"
touch "$stamp"

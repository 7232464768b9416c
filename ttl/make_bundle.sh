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
touch "$stamp"

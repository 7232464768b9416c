#!/bin/sh
# The shipped model's release is the same in the three places people read it: the weight file
# (metadata "version", shown by the UI and emovox-model info), the model card's title and the
# script that reproduces the file. A retrained model shipped without --model-version, or a card
# bumped without retraining, fails here.
# usage: check_release.sh EMOVOX_MODEL SOURCE_ROOT
set -u
tool=$1 root=$2
file_release=$("$tool" info "$root/models/emovox-default.safetensors" | sed -n 's/^version: *//p')
card_release=$(sed -n '1s/.*(version \([^)]*\)).*/\1/p' "$root/models/README.md")
script_release=$(sed -n 's/^RELEASE=\([^ ]*\).*/\1/p' "$root/models/train-default.sh")
echo "weight file: '$file_release', model card: '$card_release', train-default.sh: '$script_release'"
if [ -n "$file_release" ] && [ "$file_release" = "$card_release" ] &&
  [ "$file_release" = "$script_release" ]; then
  echo "ok   the shipped model's release agrees everywhere"
  exit 0
fi
echo "FAIL the shipped model's release differs (or is missing)"
exit 1

#!/bin/sh
# The shipped models' releases are the same in the three places people read them: the weight
# file (metadata "version", shown by the UI and emovox-model info), the model card's title (the
# narrowband model's: its section's title) and the script that reproduces the file (its
# --narrowband branch). A retrained model shipped without --model-version, or a card bumped
# without retraining, fails here. The narrowband model must also say it heard only 0-4 kHz.
# usage: check_release.sh EMOVOX_MODEL SOURCE_ROOT
set -u
tool=$1 root=$2
file_release=$("$tool" info "$root/models/emovox-default.safetensors" | sed -n 's/^version: *//p')
card_release=$(sed -n '1s/.*(version \([^)]*\)).*/\1/p' "$root/models/README.md")
script_release=$(sed -n 's/^RELEASE=\([^ ]*\).*/\1/p' "$root/models/train-default.sh")
echo "weight file: '$file_release', model card: '$card_release', train-default.sh: '$script_release'"
fail=0
if [ -n "$file_release" ] && [ "$file_release" = "$card_release" ] &&
  [ "$file_release" = "$script_release" ]; then
  echo "ok   the shipped model's release agrees everywhere"
else
  echo "FAIL the shipped model's release differs (or is missing)"
  fail=1
fi
nb="$root/models/emovox-narrowband.safetensors"
if [ -f "$nb" ]; then
  nb_info=$("$tool" info "$nb")
  nb_file=$(echo "$nb_info" | sed -n 's/^version: *//p')
  nb_band=$(echo "$nb_info" | sed -n 's/^audio band: *0-\([0-9]*\) Hz.*/\1/p')
  nb_card=$(sed -n 's/^## The narrowband model.*(version \([^)]*\)).*/\1/p' "$root/models/README.md")
  nb_script=$(sed -n 's/^  RELEASE=\([^ ]*\).*/\1/p' "$root/models/train-default.sh")
  echo "narrowband: weight file '$nb_file' (band 0-$nb_band Hz), model card '$nb_card', train-default.sh --narrowband '$nb_script'"
  if [ -n "$nb_file" ] && [ "$nb_file" = "$nb_card" ] && [ "$nb_file" = "$nb_script" ] &&
    [ "$nb_band" = 4000 ]; then
    echo "ok   the narrowband model's release agrees everywhere, and it heard 0-4 kHz"
  else
    echo "FAIL the narrowband model's release differs (or is missing), or its band is not 0-4 kHz"
    fail=1
  fi
fi
exit "$fail"

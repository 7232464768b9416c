#!/usr/bin/env bash
# Reproduces the shipped default model (0.5), models/emovox-default.safetensors, from every
# corpus in ../shared/corpora (or $EMOVOX_CORPORA): RAVDESS actors 01-20, TESS, URDU, TurEV-DB,
# ASED and nEMO. Deterministic for a given seed (results do not depend on thread scheduling).
# About 25 minutes on 2 cores with an empty feature cache (the analyser and its eGeMAPS descriptors over 13k files
# are most of it), a minute with the cache.
# Recipe chosen on speaker-grouped folds scored the way the plugin reports (README,
# models/README.md): the emovox-egemaps design, global normalisation, 20 epochs of crops drawn
# toward the end of each clip (where the file's phrase reading comes from), three seeds merged
# into one network, and the temperature fitted on the cold (fresh instance per file) out-of-fold
# summaries.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n 2,6p "$0" | sed 's/^# \{0,1\}//'
  echo "Usage: bash models/train-default.sh [OUTPUT.safetensors]  (default: models/emovox-default.safetensors)"
  exit 0
fi
OUT="${1:-models/emovox-default.safetensors}"
# Temperature fitted by the recipe's own evaluation on the cold plugin figure
# (models/evaluation/plugin_calibration.csv, column 1; see models/README.md for the command).
TEMP=$(awk -F, 'NR == 2 && $1 != "" { print $1 }' models/evaluation/plugin_calibration.csv 2>/dev/null)
TEMP="${TEMP:-1}"
[ -f build/build.ninja ] || bash scripts/build.sh
ninja -C build offline/train/emovox-train >/dev/null
build/offline/train/emovox-train train \
  --corpora "${EMOVOX_CORPORA:-../shared/corpora}" \
  --arch emovox-egemaps --val-fraction 0 \
  --lr 1e-3 --epochs 20 --crops late --ensemble 3 --seed 1 --threads 2 --temperature "$TEMP" \
  --evaluation models/evaluation/per_corpus.csv \
  --name emovox-default --output "$OUT" --out models/report
echo "wrote $OUT; reports in models/report/"

#!/usr/bin/env bash
# Scores the shipped recipe (models/train-default.sh) the way the plugin reports, as the
# README's tables were made: `emovox-train evaluate` with the same arch, schedule, balance,
# copies, ensemble and seed, on 5 speaker-grouped folds (`speaker`) or leaving one corpus out
# (`loco`), then prints the per-corpus UAR table (models/figures.py). About 30 minutes on
# 2 cores with the feature cache and --plugin-figure quick (2026-12-07). Extra arguments go to
# `emovox-train evaluate` (e.g. --seed 2, --arch FILE.json, --plugin-figure quick; --only-folds
# 1,2 to screen a candidate on two folds).
set -euo pipefail
cd "$(dirname "$0")/.."
usage() {
  sed -n 2,8p "$0" | sed 's/^# \{0,1\}//'
  echo "Usage: bash models/evaluate-default.sh speaker|loco OUT_DIR [emovox-train evaluate options]"
  echo "  e.g. bash models/evaluate-default.sh speaker /tmp/ev --plugin-figure quick"
}
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  usage
  exit 0
fi
if [ $# -lt 2 ]; then
  usage >&2
  exit 2
fi
MODE="$1"
OUT="$2"
shift 2
case "$MODE" in
speaker) FOLDS=(--folds speaker:5) ;;
loco) FOLDS=(--loco) ;;
*) echo "evaluate-default: the mode is speaker or loco, not '$MODE'" >&2; exit 2 ;;
esac
[ -f build/build.ninja ] || bash scripts/build.sh
ninja -C build offline/train/emovox-train >/dev/null
# the recipe of models/train-default.sh, its temperature, warmup and centre confidence included:
# every fold's model is read at T = 1.2, starts adapting after 1 s of speech and learns the
# voice's offset in proportion to its confidence above chance in the plugin figures, as the
# shipped file does (the trainer's own figure stays at T = 1)
build/offline/train/emovox-train evaluate "${FOLDS[@]}" \
  --corpora "${EMOVOX_CORPORA:-../shared/corpora}" \
  --arch emovox-egemaps-spread --val-fraction 0 \
  --lr 1e-3 --lr-schedule cosine --epochs 15 --crops late --balance corpus --loss-classes corpus:0.5 \
  --augment copies=1,pitch=2,stretch=0,gain=0,shift=100,p=0 --gain-jitter 10 --robust-norm 10 --ensemble 3 --seed 1 \
  --class-centres --centre-confidence 0.125 --read-warmup 10 --temperature 1.2 --threads 2 \
  --out "$OUT" "$@"
python3 models/figures.py "$OUT"

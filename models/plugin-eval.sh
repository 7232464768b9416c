#!/usr/bin/env bash
# How a model does on a labelled corpus, as the plugin reports it: `emovox-train score` with the
# shipped model (models/emovox-default.safetensors, or --model FILE) over the corpora in a folder
# (every file through ev_analyzer with the plugin's default controls, the file's summary as
# emovox-analyze forms it; each file cold at 16 and 48 kHz and 6 dB quieter, each speaker's files
# in a session), and prints the table of UAR, accuracy, macro-F1 and ECE per corpus.
# The shipped model was trained on every speaker of ../shared/corpora: scored there it shows how
# it fits clips it learnt from, NOT how it generalises (that is `emovox-train evaluate`'s speaker
# folds, models/evaluation). Use it on corpora the model never heard (CREMA-D, SAVEE, EmoDB,
# yours through --manifest CSV). It used to train a recipe on RAVDESS actors 05-20 and score
# actors 01-04 with emovox-analyze: the historical figures of models/README.md that name it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n 2,11p "$0" | sed 's/^# \{0,1\}//'
  cat <<'EOF'

Usage: bash models/plugin-eval.sh [CORPORA_DIR] [--only LIST] [--model FILE] [--out DIR]
                                  [other `emovox-train score` options]
  CORPORA_DIR  folder of corpus folders [$EMOVOX_CORPORA, else ../shared/corpora]
  --only LIST  only these corpora, e.g. CREMA-D,SAVEE
  --model FILE the model to score [models/emovox-default.safetensors]
  --out DIR    keep the reports (plugin_figures.csv/.json, plugin_files.csv, ...) [a temporary
               folder, removed]
  e.g. bash models/plugin-eval.sh ~/corpora --only CREMA-D --plugin-figure quick
EOF
  exit 0
fi
CORPORA="${EMOVOX_CORPORA:-../shared/corpora}"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  CORPORA="$1"
  shift
fi
[ -d "$CORPORA" ] || { echo "plugin-eval: no folder $CORPORA (give CORPORA_DIR or set EMOVOX_CORPORA)" >&2; exit 1; }
MODEL=models/emovox-default.safetensors
OUT=""
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL="${2:?--model needs a file}"; shift 2 ;;
    --out) OUT="${2:?--out needs a folder}"; shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
[ -f build/build.ninja ] || bash scripts/build.sh
ninja -C build offline/train/emovox-train >/dev/null
KEEP="$OUT"
if [ -z "$OUT" ]; then
  OUT=$(mktemp -d)
  trap 'rm -rf "$OUT"' EXIT
else
  mkdir -p "$OUT"
fi
echo "plugin-eval: scoring $MODEL on $CORPORA ${ARGS[*]:-} (progress on stderr) ..."
t0=$(date +%s)
build/offline/train/emovox-train score --model "$MODEL" --corpora "$CORPORA" --out "$OUT" \
  ${ARGS[@]+"${ARGS[@]}"} >"$OUT/score.txt"
# the figures table (the first block of the report) and the note on trained-on corpora
awk '/^== what the plugin reports/ { on = 1 } /^== arousal/ { on = 0 } on' "$OUT/score.txt"
grep '^note:' "$OUT/score.txt" || true
echo "plugin-eval: $(($(date +%s) - t0)) s${KEEP:+; the whole report: $KEEP/score.txt}"

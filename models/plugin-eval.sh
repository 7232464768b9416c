#!/usr/bin/env bash
# What the plugin itself reports on unseen speakers, at 16 kHz and at a DAW's 48 kHz: trains the
# shipped recipe on RAVDESS actors 05-20 only, then runs emovox-analyze (the real plugin through
# lilv, each file fresh, no speaker adaptation beyond the file itself) over actors 01-04 at
# 16 kHz and resampled to 48 kHz (sox, float, no dither), and prints the UAR of the summary's
# `dominant` label and how often the two rates agree. A few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n 2,6p "$0" | sed 's/^# \{0,1\}//'
  echo "Usage: bash models/plugin-eval.sh [ARCH]   (default emovox-conv; needs sox)"
  exit 0
fi
ARCH="${1:-emovox-conv}"
CORPORA="${EMOVOX_CORPORA:-../shared/corpora}"
RAV="$CORPORA/RAVDESS/Audio_Speech_Actors_01-24"
[ -d "$RAV" ] || { echo "plugin-eval: $RAV not found (set EMOVOX_CORPORA)" >&2; exit 1; }
command -v sox >/dev/null || { echo "plugin-eval: needs sox (apt-get install sox)" >&2; exit 1; }
[ -f build/build.ninja ] || bash scripts/build.sh
ninja -C build >/dev/null
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
labels=(x neutral calm happy sad angry fearful disgust surprised)
echo "path,label,speaker" > "$W/train.csv"
for a in $(seq -w 5 20); do
  for f in "$RAV"/Actor_$a/*.flac; do
    e=$(basename "$f" | cut -d- -f3)
    echo "$(realpath "$f"),${labels[$((10#$e))]},ravdess$a" >> "$W/train.csv"
  done
done
mkdir -p "$W/empty" "$W/r16" "$W/r48"
for a in 01 02 03 04; do
  for f in "$RAV"/Actor_$a/*.flac; do
    ln -s "$(realpath "$f")" "$W/r16/"
    sox "$f" -e floating-point -b 32 -r 48000 "$W/r48/$(basename "$f" .flac).wav" 2>/dev/null
  done
done
echo "plugin-eval: training $ARCH on actors 05-20 ..."
build/offline/train/emovox-train train --corpora "$W/empty" --manifest "$W/train.csv" \
  --arch "$ARCH" --speaker-norm --val-fraction 0 --lr 1e-3 --epochs 15 --seed 1 --quiet \
  --output "$W/model.safetensors" --out "$W/report" >/dev/null
for r in 16 48; do
  build/offline/analyze/emovox-analyze --bundle build/emovox.lv2 --model "$W/model.safetensors" \
    -q -j 2 -s "$W/s$r.csv" "$W/r$r"
done
# UAR over the 8 classes from the summary's dominant label (the highest mean over speech).
uar() {
  awk -F, -v L="${labels[*]}" 'NR > 1 {
      n = split(L, lab, " "); split($1, p, "/"); split(p[length(p)], q, "-");
      t = lab[q[3] + 1]; tot[t]++; if ($4 == t) ok[t]++ }
    END { s = 0; for (t in tot) s += ok[t] / tot[t]; printf "%.1f", 100 * s / 8 }' "$1"
}
agree=$(paste -d, <(cut -d, -f4 "$W/s16.csv") <(cut -d, -f4 "$W/s48.csv") |
  awk -F, 'NR > 1 { n++; if ($1 == $2) a++ } END { printf "%.1f", 100 * a / n }')
echo "plugin-eval: $ARCH, actors 01-04 unseen, each file analysed fresh:"
echo "  UAR at 16 kHz $(uar "$W/s16.csv") %, at 48 kHz $(uar "$W/s48.csv") %; dominant agrees on $agree % of files"

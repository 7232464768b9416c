#!/usr/bin/env bash
# The main job: set up, build, install the plugin for this user (~/.lv2, tools in ~/.local/bin)
# and analyse an example recording with the shipped model through the real plugin.
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  cat <<'EOF'
Usage: bash scripts/demo.sh [AUDIO_FILE]
  Installs the Debian packages Emovox needs (apt-get, as root or with sudo), builds, installs
  emovox.lv2 into ~/.lv2 and the tools into ~/.local/bin, then analyses AUDIO_FILE (default: a
  RAVDESS recording from ../shared/corpora) with the shipped model; results land in out/.
EOF
  exit 0
fi
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
meson install -C build --quiet
echo "emovox: installed emovox.lv2 into $HOME/.lv2 and the tools into $HOME/.local/bin"
EXAMPLE="${1:-../shared/corpora/RAVDESS/Audio_Speech_Actors_01-24/Actor_01/03-01-05-02-01-01-01.flac}"
if [ ! -f "$EXAMPLE" ]; then
  echo "emovox: example file $EXAMPLE not found; pass any audio file: bash scripts/demo.sh FILE" >&2
  exit 1
fi
mkdir -p out
"$HOME/.local/bin/emovox-analyze" --outdir out --summary out/summary.csv --plot "$EXAMPLE"
echo "emovox: time series and plot in out/, summary:"
cat out/summary.csv

#!/usr/bin/env bash
# The main job: set up, build, install (as root into /usr/local, else for this user) and
# analyse an example recording with the shipped model through the real plugin.
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  cat <<'EOF2'
Usage: bash scripts/demo.sh [AUDIO_FILE]
  Installs the Debian packages Emovox needs to build and run (apt-get, as root or with sudo;
  nothing when they are there), builds, installs emovox.lv2 and the tools (as root: /usr/local,
  on every PATH and LV2 host's search path; otherwise ~/.lv2 and ~/.local/bin) and analyses
  AUDIO_FILE (default: a sentence spoken by espeak-ng, audio the shipped model has never heard)
  with the shipped model; results land in out/. Uninstall: ninja -C build uninstall
EOF2
  exit 0
fi
set -euo pipefail
# The file is named relative to where the user is, before we change folder.
EXAMPLE=""
if [ $# -ge 1 ]; then
  if [ ! -f "$1" ]; then
    echo "emovox: $1 is not a file; pass any audio file: bash scripts/demo.sh FILE" >&2
    exit 1
  fi
  EXAMPLE=$(realpath -- "$1")
fi
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
source scripts/install_dirs.sh
# build/ may have been configured for another place (an older checkout, another user)
meson configure build --prefix="$EMOVOX_PREFIX" -Dlv2dir="$EMOVOX_LV2DIR" >/dev/null
meson install -C build --quiet
BIN="$EMOVOX_PREFIX/bin"
echo "emovox: installed emovox.lv2 into $EMOVOX_LV2DIR and the tools into $BIN"
echo "emovox: to remove them: ninja -C $PWD/build uninstall"
# lilv hosts load the first copy of a plugin URI on the LV2 path, whatever its version, and
# ~/.lv2 comes before the system folders (docs/plugin.md)
if [ "$EMOVOX_LV2DIR" != "$HOME/.lv2" ] && [ -d "$HOME/.lv2/emovox.lv2" ]; then
  echo "emovox: warning: $HOME/.lv2/emovox.lv2 (an earlier install) comes first on the LV2" \
    "path, so hosts will load it instead of this one; remove it: rm -r $HOME/.lv2/emovox.lv2" >&2
fi
mkdir -p out
if [ -z "$EXAMPLE" ]; then
  # Speech the shipped model has not seen in training (its corpora are recordings of actors):
  # a sentence from espeak-ng.
  EXAMPLE="$PWD/out/espeak-example.wav"
  espeak-ng -v en-us -s 150 -w "$EXAMPLE" \
    "Hello, this is Emovox. I listen to a voice and tell how it sounds. Nobody recorded this sentence; a speech synthesiser made it just now."
  echo "emovox: example speech synthesised with espeak-ng: $EXAMPLE"
fi
# --bundle: the plugin just installed, whatever else the LV2 path holds
"$BIN/emovox-analyze" --bundle "$EMOVOX_LV2DIR/emovox.lv2" --outdir out --summary out/summary.csv \
  --plot "$EXAMPLE"
echo "emovox: time series and plot in out/, summary:"
cat out/summary.csv
case ":$PATH:" in
  *":$BIN:"*) ;;
  *)
    echo
    echo "emovox: $BIN is not on your PATH yet (Debian adds ~/.local/bin at your next login)."
    echo "        For this shell:  export PATH=\"$BIN:\$PATH\""
    ;;
esac

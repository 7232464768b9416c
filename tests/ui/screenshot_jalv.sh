#!/usr/bin/env bash
# Runs the real Emovox UI in a real host: Xvfb + jackd (dummy driver, 16 kHz) + jalv.gtk3 with
# the plugin from the build directory's bundle, plays a few RAVDESS sentences into it, then grabs the screen into <build>/tests/ui/ui-jalv.png
# (and the build dir) and checks that the UI drew itself (its background colour covers a real
# part of the screen) and that jalv is still running (no crash in plugin or UI).
# Skips (77) under EMOVOX_SANITIZED=1, when Xvfb/jackd/jalv.gtk3 are missing, or when the
# plugin bundle has not been built yet.
# Env: EMOVOX_BUILD_ROOT, EMOVOX_SOURCE_ROOT, X11_GRAB (tests/ui/x11_grab), EMOVOX_UI_SO,
# JACK_PLAY (tests/ui/jack_play), EMOVOX_CORPORA (speech to play; optional).
set -uo pipefail

skip() { echo "SKIP: $*"; exit 77; }
[ "${EMOVOX_SANITIZED:-0}" = "1" ] && skip "uninstrumented host (jalv) in a sanitized build"
for tool in Xvfb jackd jalv.gtk3; do
  command -v "$tool" >/dev/null || skip "$tool not installed (apt-get install xvfb jackd2 jalv)"
done
build=${EMOVOX_BUILD_ROOT:?EMOVOX_BUILD_ROOT not set}
src=${EMOVOX_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
grab=${X11_GRAB:-$build/tests/ui/x11_grab}
ui_so=${EMOVOX_UI_SO:-$build/ui/emovox_ui.so}
[ -x "$grab" ] || skip "x11_grab not built"

work=$(mktemp -d /tmp/emovox-ui-jalv.XXXXXX)
pids=()
# Stops our processes newest first, each given up to 5 s to exit cleanly: a jackd killed hard
# keeps its slot in JACK's shared-memory registry (at most 8 servers per machine).
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    local pid=${pids[$i]}
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

# A private bundle of symlinks: the build-dir bundle (<build>/emovox.lv2, assembled by
# ttl/meson.build when a default model exists) or, without it, the plugin binary, the
# generated TTL and the presets (the plugin then reports "no model").
bundle="$work/lv2/emovox.lv2"
mkdir -p "$bundle"
link() { ln -sf "$(readlink -f "$1")" "$bundle/$(basename "$1")"; }
if [ -e "$build/emovox.lv2/manifest.ttl" ]; then
  for f in "$build/emovox.lv2"/*; do link "$f"; done
else
  [ -e "$build/ttl/manifest.ttl" ] && [ -e "$build/plugin/emovox.so" ] ||
    skip "the plugin is not built yet ($build/plugin/emovox.so, $build/ttl/manifest.ttl)"
  link "$build/plugin/emovox.so"
  for f in "$build/ttl"/*.ttl "$src/presets"/*.ttl; do [ -e "$f" ] && link "$f"; done
  echo "note: no assembled bundle yet; using the plugin binary and TTL from the build tree"
fi
test_model="$build/offline/model/emovox-test-model.safetensors"
if [ ! -e "$bundle/emovox-default.safetensors" ] && [ -e "$test_model" ]; then
  ln -s "$test_model" "$bundle/emovox-default.safetensors" # random weights: a running model
fi
[ -e "$bundle/emovox_ui.so" ] || link "$ui_so"
[ -e "$bundle/emovox_ui.ttl" ] || link "$src/ui/emovox_ui.ttl"
if ! grep -q "emovox#ui" "$bundle/manifest.ttl"; then
  echo "note: the bundle's manifest does not name the UI yet; adding it to the copy"
  cp --remove-destination "$(readlink -f "$bundle/manifest.ttl")" "$bundle/manifest.ttl"
  cat >>"$bundle/manifest.ttl" <<'TTL'
@prefix uiext: <http://lv2plug.in/ns/extensions/ui#> .
@prefix rdfsx: <http://www.w3.org/2000/01/rdf-schema#> .
<https://emovox.org/plugins/emovox#ui> a uiext:X11UI ; uiext:binary <emovox_ui.so> ;
	rdfsx:seeAlso <emovox_ui.ttl> .
<https://emovox.org/plugins/emovox#mono> uiext:ui <https://emovox.org/plugins/emovox#ui> .
<https://emovox.org/plugins/emovox#stereo> uiext:ui <https://emovox.org/plugins/emovox#ui> .
TTL
fi

# A free display number, so that parallel X tests do not collide.
disp=""
for n in $(seq 71 99); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then disp=":$n"; break; fi
done
[ -n "$disp" ] || skip "no free X display number"
Xvfb "$disp" -screen 0 900x620x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=$disp
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done

# A fixed name: JACK reclaims a dead server's registry slot only for the same name (there are
# 8 slots per machine, and a per-run name would use one up for every crashed run).
export JACK_DEFAULT_SERVER="emovox-ui-test"
export JACK_NO_AUDIO_RESERVATION=1
jackd --no-realtime -n "$JACK_DEFAULT_SERVER" -d dummy -r 16000 -p 256 >"$work/jackd.log" 2>&1 &
pids+=($!)
sleep 1.5
if ! kill -0 "${pids[-1]}" 2>/dev/null; then
  cat "$work/jackd.log"
  skip "jackd (dummy) did not start (other JACK servers running?)"
fi

export LV2_PATH="$work/lv2"
export NO_AT_BRIDGE=1
jalv.gtk3 --jack-name emovox_jalv -U "https://emovox.org/plugins/emovox#ui" \
  "https://emovox.org/plugins/emovox#mono" \
  >"$work/jalv.log" 2>&1 &
jalv_pid=$!
pids+=($jalv_pid)
sleep 3

# Speech into the plugin: RAVDESS actor 03, strong intensity, one sentence per emotion (the
# corpora are 16 kHz, the server's rate). Without the corpora the plugin hears silence.
ravdess="${EMOVOX_CORPORA:-}/RAVDESS/Audio_Speech_Actors_01-24/Actor_03"
play="${JACK_PLAY:-$build/tests/ui/jack_play}"
files=()
for e in 05 03 04 06 08; do
  f="$ravdess/03-01-$e-02-01-01-03.flac"
  [ -e "$f" ] && files+=("$f")
done
if [ ${#files[@]} -gt 0 ] && [ -x "$play" ]; then
  "$play" --connect "^emovox_jalv:in$" "${files[@]}" >"$work/play.log" 2>&1 &
  pids+=($!)
  sleep 1
  cat "$work/play.log"
else
  echo "note: no corpora or jack_play: the plugin processes silence"
fi
sleep "${EMOVOX_SCREENSHOT_WAIT:-12}"

if ! kill -0 "$jalv_pid" 2>/dev/null; then
  echo "FAIL: jalv exited:"; cat "$work/jalv.log"; exit 1
fi
out_build="$build/tests/ui/ui-jalv.png"
mkdir -p "$build/tests/ui"
report=$("$grab" "$out_build") || { echo "FAIL: screenshot failed"; exit 1; }
echo "$report"
bg=$(echo "$report" | awk '/background_pixels/ {print $2}')
if grep -qi "ui.*not\|failed to\|error" "$work/jalv.log"; then echo "jalv log:"; cat "$work/jalv.log"; fi
# The UI opens at 640x420 (268800 px): well over 30000 of them are background.
if [ "${bg:-0}" -lt 30000 ]; then
  echo "FAIL: the Emovox UI does not appear on screen ($bg background pixels)"
  cat "$work/jalv.log"
  exit 1
fi
# The test leaves the source tree alone; EMOVOX_UPDATE_DOCS=1 refreshes the README's picture.
if [ "${EMOVOX_UPDATE_DOCS:-0}" = 1 ]; then
  mkdir -p "$src/docs/images"
  cp "$out_build" "$src/docs/images/ui-jalv.png"
  echo "screenshot: $out_build (copied to docs/images/ui-jalv.png)"
else
  echo "screenshot: $out_build (EMOVOX_UPDATE_DOCS=1 copies it to docs/images/ui-jalv.png)"
fi
exit 0

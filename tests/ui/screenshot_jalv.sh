#!/usr/bin/env bash
# Runs the real Emovox UI in a real host: Xvfb + jackd (dummy driver, 16 kHz) + jalv.gtk3 with
# the plugin, UI and default model of the build directory's bundle, plays a few RAVDESS sentences
# into it and grabs the host window several times while they play (tests/ui/x11_grab). Passes
# only if jalv is still running (no crash in plugin or UI), the UI drew itself (its background
# covers a real part of the window) and values reached it while the audio played: its bars show
# probabilities in full colour (they are empty before any value arrives, and dimmed without a
# model), the dominant word was an emotion in at least one grab, and the history has columns
# (drawn only for ticks that had a dominant emotion). The last grab that showed an emotion is
# kept as <build>/tests/ui/ui-jalv.png (EMOVOX_UPDATE_DOCS=1 copies it to docs/images/).
# Skips (77) only when the test cannot run here: EMOVOX_SANITIZED=1 (jalv is not instrumented),
# Xvfb/jackd/jalv.gtk3 not installed, no free display, or another JACK server holds the name.
# Fails when an input it needs is missing: the bundle, x11_grab, jack_play or the speech files.
# Env: EMOVOX_BUILD_ROOT, EMOVOX_SOURCE_ROOT, X11_GRAB (tests/ui/x11_grab), JACK_PLAY
# (tests/ui/jack_play), EMOVOX_CORPORA (RAVDESS actor 03 is played), EMOVOX_SCREENSHOT_WAIT
# (seconds of speech before the first grab, default 7).
set -uo pipefail

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "${EMOVOX_SANITIZED:-0}" = "1" ] && skip "uninstrumented host (jalv) in a sanitized build"
for tool in Xvfb jackd jalv.gtk3; do
  command -v "$tool" >/dev/null || skip "$tool not installed (apt-get install xvfb jackd2 jalv)"
done
build=${EMOVOX_BUILD_ROOT:?EMOVOX_BUILD_ROOT not set}
grab=${X11_GRAB:-$build/tests/ui/x11_grab}
play="${JACK_PLAY:-$build/tests/ui/jack_play}"
[ -x "$grab" ] || fail "x11_grab not built ($grab)"
[ -x "$play" ] || fail "jack_play not built ($play)"
[ -e "$build/emovox.lv2/manifest.ttl" ] || fail "no assembled bundle at $build/emovox.lv2"
grep -q "emovox#ui" "$build/emovox.lv2/manifest.ttl" || fail "the bundle's manifest does not name the UI"
[ -e "$build/emovox.lv2/emovox-default.safetensors" ] || fail "the bundle has no default model"

# Speech into the plugin: RAVDESS actor 03, strong intensity, one sentence per emotion (the
# corpora are 16 kHz, the server's rate).
ravdess="${EMOVOX_CORPORA:-}/RAVDESS/Audio_Speech_Actors_01-24/Actor_03"
files=()
for e in 05 03 04 06 08; do
  f="$ravdess/03-01-$e-02-01-01-03.flac"
  [ -e "$f" ] || fail "speech file $f missing (EMOVOX_CORPORA=${EMOVOX_CORPORA:-unset})"
  files+=("$f")
done

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

# A private LV2_PATH holding only the build's bundle (symlinks), so that no installed copy of
# Emovox is picked up instead.
bundle="$work/lv2/emovox.lv2"
mkdir -p "$bundle"
for f in "$build/emovox.lv2"/*; do ln -sf "$(readlink -f "$f")" "$bundle/$(basename "$f")"; done

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
  # Only a server already running under this name is a reason to skip (another test run).
  grep -qi "already\|in use" "$work/jackd.log" && skip "another JACK server named $JACK_DEFAULT_SERVER"
  fail "jackd (dummy driver) did not start"
fi

export LV2_PATH="$work/lv2"
export NO_AT_BRIDGE=1
jalv.gtk3 --jack-name emovox_jalv -U "https://emovox.org/plugins/emovox#ui" \
  "https://emovox.org/plugins/emovox#mono" \
  >"$work/jalv.log" 2>&1 &
jalv_pid=$!
pids+=($jalv_pid)
sleep 3

"$play" --connect "^emovox_jalv:in$" "${files[@]}" >"$work/play.log" 2>&1 &
pids+=($!)
sleep 1
cat "$work/play.log"
grep -q "playing" "$work/play.log" || fail "jack_play did not connect to jalv's input"
sleep "${EMOVOX_SCREENSHOT_WAIT:-7}"

# Grab once a second for up to 8 s; each report says what the UI showed (see x11_grab.c).
out_build="$build/tests/ui/ui-jalv.png"
mkdir -p "$build/tests/ui"
max_bars=0 max_hist=0 bg=0 emotions="" kept=""
for k in $(seq 8); do
  kill -0 "$jalv_pid" 2>/dev/null || { cat "$work/jalv.log"; fail "jalv exited"; }
  report=$("$grab" "$work/grab$k.png") || fail "screenshot failed"
  val() { echo "$report" | awk -v k="$1" '$1 == k {print $2}'; }
  echo "grab $k: $(echo "$report" | tr '\n' ' ')"
  [ "$(val ui_window)" = none ] && { cat "$work/jalv.log"; fail "no Emovox UI window in jalv's window"; }
  bg=$(val background_pixels)
  bars=$(val bar_pixels) hist=$(val history_pixels) dom=$(val dominant)
  [ "${bars:-0}" -gt "$max_bars" ] && max_bars=$bars
  [ "${hist:-0}" -gt "$max_hist" ] && max_hist=$hist
  if [ -n "$dom" ] && [ "$dom" != none ]; then
    emotions="$emotions $dom"
    kept="$work/grab$k.png"
  fi
  # Enough seen: an emotion in the word, and a history that has been filling for a while.
  [ -n "$emotions" ] && [ "$max_bars" -ge 200 ] && [ "$max_hist" -ge 1500 ] && break
  sleep 1
done
if grep -qi "ui.*not\|failed to\|error" "$work/jalv.log"; then echo "jalv log:"; cat "$work/jalv.log"; fi
# The UI opens at 640x420 (268800 px): well over 30000 of them are background.
[ "${bg:-0}" -ge 30000 ] || fail "the Emovox UI does not appear on screen ($bg background pixels)"
# A bar at probability 0.1 of the 640x420 layout is ~28x15 px: 200 px is one or two such bars.
[ "$max_bars" -ge 200 ] || fail "no probabilities reached the UI's bars ($max_bars px)"
[ -n "$emotions" ] || fail "the dominant word never showed an emotion (no dominant value arrived)"
# A column of the history is 2 px wide and at least 20 % of ~53 px high: 1500 px is ~7 s of
# speech drawn at modest confidence.
[ "$max_hist" -ge 1500 ] || fail "the history stayed (nearly) empty ($max_hist px)"
echo "values reached the UI: bars $max_bars px, history $max_hist px, dominant:$emotions"
cp "$kept" "$out_build"
# The test leaves the source tree alone; EMOVOX_UPDATE_DOCS=1 refreshes the docs' picture.
if [ "${EMOVOX_UPDATE_DOCS:-0}" = 1 ]; then
  src=${EMOVOX_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
  mkdir -p "$src/docs/images"
  cp "$out_build" "$src/docs/images/ui-jalv.png"
  echo "screenshot: $out_build (copied to docs/images/ui-jalv.png)"
else
  echo "screenshot: $out_build (EMOVOX_UPDATE_DOCS=1 copies it to docs/images/ui-jalv.png)"
fi
exit 0

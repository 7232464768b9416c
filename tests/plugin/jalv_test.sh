#!/bin/sh
# The plugin in jalv on JACK's dummy driver: a private JACK server (unique name), jalv with
# -p printing control outputs, jack_metro feeding it tone bursts, jack_midi_dump recording
# the MIDI CCs; then everything is torn down. Skips (77) if jackd cannot start or under
# sanitizers (jalv is not instrumented).
# Usage: jalv_test.sh <LV2_PATH>
set -u
[ "${EMOVOX_SANITIZED:-0}" = "1" ] && { echo "SKIP: sanitized build"; exit 77; }
for p in jackd jalv jack_connect jack_lsp; do
  command -v $p >/dev/null 2>&1 || { echo "SKIP: $p not installed"; exit 77; }
done
export LV2_PATH=$1
# A fixed server name: JACK keeps a small registry of server names (8 slots), so a new name
# per run would eventually fill it. Two runs at once are refused by jackd (and skipped).
export JACK_DEFAULT_SERVER="emovox-plugin-test"
export JACK_NO_AUDIO_RESERVATION=1
work=$(mktemp -d)
pids=""
jackd_pid=""
# Clients first, then the server, each given time to exit cleanly: a killed jackd leaves its
# registry entry and shared memory behind.
stop() { # $1: pid
  kill "$1" 2>/dev/null || return 0
  for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -9 "$1" 2>/dev/null
}
cleanup() {
  for p in $pids; do stop "$p"; done
  [ -n "$jackd_pid" ] && stop "$jackd_pid"
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

jackd --no-realtime -d dummy -r 48000 -p 256 >"$work/jackd.log" 2>&1 &
jackd_pid=$!
up=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  if jack_lsp >/dev/null 2>&1; then up=1; break; fi
  sleep 0.25
done
[ $up -eq 1 ] || { tail -3 "$work/jackd.log"; echo "SKIP: jackd did not start"; exit 77; }

# jalv reads console commands from stdin: after a few seconds of tone bursts, "monitors"
# prints every control output.
( sleep 4.5; echo monitors; sleep 0.5 ) |
  stdbuf -oL jalv -x -n emovox -c midi_channel=2 -c midi_cc_base=30 \
    https://emovox.org/plugins/emovox#mono >"$work/jalv.out" 2>"$work/jalv.err" &
pids="$pids $!"
ok=0
for i in $(seq 1 40); do
  if jack_lsp 2>/dev/null | grep -q '^emovox:in$'; then ok=1; break; fi
  sleep 0.1
done
[ $ok -eq 1 ] || { cat "$work/jalv.err"; echo "FAIL: jalv did not register its ports"; exit 1; }
jack_lsp | grep '^emovox:'
have_metro=0
if command -v jack_metro >/dev/null 2>&1; then
  # A 400 Hz tone burst twice a second: loud enough to open the speech gate.
  jack_metro -n metro -b 120 -f 400 -A 0.5 -D 200 >/dev/null 2>&1 &
  pids="$pids $!"
  for i in $(seq 1 20); do jack_lsp | grep -q '^metro:' && break; sleep 0.1; done
  jack_connect metro:120_bpm emovox:in && have_metro=1
fi
have_midi=0
if command -v jack_midi_dump >/dev/null 2>&1; then
  jack_midi_dump -a >"$work/midi.txt" 2>/dev/null &
  pids="$pids $!"
  for i in $(seq 1 20); do jack_lsp | grep -q '^midi-monitor:input' && break; sleep 0.1; done
  jack_connect emovox:midi_out midi-monitor:input && have_midi=1
fi
sleep 5
echo "--- jalv output"
cat "$work/jalv.out"
echo "--- jalv stderr (plugin log lines)"
grep -i emovox "$work/jalv.err" || true
fail=0
value() { sed -n "s/^[> ]*$1 = \([-0-9.]*\)$/\1/p" "$work/jalv.out" | tail -1; }
status=$(value status)
voice=$(value voice)
dominant=$(value dominant)
echo "status=$status voice=$voice dominant=$dominant"
[ "$status" = "0.000000" ] || { echo "FAIL: status is '$status', expected 0 (model loaded)"; fail=1; }
if [ $have_metro -eq 1 ]; then
  awk -v v="$voice" 'BEGIN { exit !(v + 0 > 0.3) }' ||
    { echo "FAIL: voice activity '$voice' with tone bursts at -6 dBFS"; fail=1; }
fi
if [ $have_midi -eq 1 ]; then
  echo "--- MIDI (first lines)"
  head -5 "$work/midi.txt"
  # Channel 2 controllers 30..37: status byte b1, controller 1e..25 (hex).
  grep -Eq ': b1 (1e|1f|20|21|22|23|24|25) ' "$work/midi.txt" ||
    { echo "FAIL: no CC 30..37 on channel 2"; fail=1; }
  grep -Eq ': b[02-9a-f] ' "$work/midi.txt" && { echo "FAIL: CC on another channel"; fail=1; }
fi
[ $fail -eq 0 ] && echo ok
exit $fail

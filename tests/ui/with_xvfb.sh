#!/usr/bin/env bash
# Runs a command with DISPLAY set to a private Xvfb server; exit 77 (skip) without Xvfb.
# Usage: with_xvfb.sh COMMAND [ARGS...]
set -uo pipefail
command -v Xvfb >/dev/null || { echo "SKIP: Xvfb not installed (apt-get install xvfb)"; exit 77; }
disp=""
for n in $(seq 120 160); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then disp=":$n"; break; fi
done
[ -n "$disp" ] || { echo "SKIP: no free X display number"; exit 77; }
Xvfb "$disp" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; wait $xvfb 2>/dev/null' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done
DISPLAY=$disp "$@"

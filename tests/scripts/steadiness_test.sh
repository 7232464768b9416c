#!/bin/sh
# models/steadiness.py on made-up time series with known answers: one take whose argmax flips
# between happy and sad every row (0.52 / 0.48) while the held dominant stays on happy, one with
# a clear change (0.7 / 0.3 to 0.3 / 0.7); a missing folder is a clear error, not a traceback.
# Usage: steadiness_test.sh SOURCE_ROOT
set -u
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
mkdir "$work/ts"
head="time_s,neutral,calm,happy,sad,angry,fearful,disgust,surprised,dominant,confidence"
{
  echo "$head"
  echo "0.01,0,0,0,0,0,0,0,0,0,0" # no speech: not counted
  i=0
  while [ $i -lt 10 ]; do
    if [ $((i % 2)) -eq 0 ]; then echo "0.$i,0,0,0.52,0.48,0,0,0,0,3,0.52"; else echo "0.$i,0,0,0.48,0.52,0,0,0,0,3,0.48"; fi
    i=$((i + 1))
  done
} >"$work/ts/flicker.csv"
{
  echo "$head"
  for i in 0 1 2 3 4; do echo "0.$i,0,0,0.7,0.3,0,0,0,0,3,0.7"; done
  for i in 5 6 7 8 9; do echo "0.$i,0,0,0.3,0.7,0,0,0,0,4,0.7"; done
} >"$work/ts/switch.csv"
out=$(python3 "$src/models/steadiness.py" --hold 0.05 "$work/ts")
echo "$out"
fail=0
# 20 speech rows = 0.2 s: the dominant changes once (5/s), the argmax 9 + 1 times (50/s), a hold
# of 0.05 once (5/s); moved: 9 x 0.08 + 0.8 = 1.52 (7.6/s); agree: 5 + 10 of 20 rows
echo "$out" | grep -Eq "^ts +2 +0\.2s +5\.000 +50\.000 +5\.000 +7\.600 +75\.0%$" ||
  { echo "FAIL: the figures of the made-up series"; fail=1; }
# without the hold the argmax column is what a dominant without it would show
out=$(python3 "$src/models/steadiness.py" --hold 0 "$work/ts")
echo "$out" | grep -Eq "^ts +2 +0\.2s +5\.000 +50\.000 +50\.000 " ||
  { echo "FAIL: a hold of 0 is the argmax"; fail=1; }
err=$(python3 "$src/models/steadiness.py" "$work/none" 2>&1)
rc=$?
[ $rc -eq 2 ] && echo "$err" | grep -q "no such folder" && ! echo "$err" | grep -q Traceback ||
  { echo "FAIL: a missing folder: rc $rc, $err"; fail=1; }
[ $fail -eq 0 ] && echo "ok"
exit $fail

#!/bin/sh
# models/figures.py: the per-corpus table of an `evaluate` report, its mean of the six corpora
# and the pooled figure, on a report made up here with known values; --dominant (the argmax
# over all eight, from the per-file summaries) on made-up files; a missing folder is a clear
# error, not a traceback. Usage: figures_test.sh SOURCE_ROOT
set -u
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
mkdir "$work/rep"
cat >"$work/rep/plugin_figures.csv" <<'CSV'
mode,corpus,files,no_speech,accuracy,uar,macro_f1,ece_10_bins
cold-16,all,100,0,0.5,0.45,0.4,0.03
cold-16,RAVDESS,10,0,0.5,0.50,0.4,0.03
cold-16,TESS,10,0,0.5,0.40,0.4,0.03
cold-16,URDU,10,0,0.5,0.60,0.4,0.03
cold-16,TurEV-DB,10,0,0.5,0.30,0.4,0.03
cold-16,ASED,10,0,0.5,0.70,0.4,0.03
cold-16,nEMO,10,0,0.5,0.20,0.4,0.03
session,all,100,0,0.5,0.333,0.4,0.03
session,RAVDESS,10,0,0.5,0.1,0.4,0.03
CSV
out=$(python3 "$src/models/figures.py" "$work/rep")
echo "$out"
fail=0
# mean of 50 40 60 30 70 20 = 45.0; the session row has one corpus: its mean is that one
echo "$out" | grep -q "^cold-16         50.0  40.0  60.0  30.0  70.0  20.0  mean  45.0  pooled  45.0$" ||
  { echo "FAIL: cold-16 row"; fail=1; }
echo "$out" | grep -q "^session         10.0     -     -     -     -     -  mean  10.0  pooled  33.3$" ||
  { echo "FAIL: session row"; fail=1; }
echo "$out" | grep -q "^cold-48" && { echo "FAIL: a cold-48 row from nothing"; fail=1; }
# --dominant: the argmax over all eight per file. TESS (neutral, sad): the neutral file's largest
# output is calm, which TESS lacks: a miss over all eight (0 of 1), sad right (1 of 1): 50 %;
# the file with no speech is a miss; cold-48 did not run (0 rows) and gets no row
h="file,corpus,speaker,fold,label"
for m in cold-16 cold-48; do
  h="$h,${m}_pred,${m}_rows,${m}_speech_rows"
  for e in neutral calm happy sad angry fearful disgust surprised; do h="$h,${m}_$e"; done
done
z="none,0,0,0,0,0,0,0,0,0,0"
{
  echo "$h"
  echo "a.wav,TESS,OAF,0,neutral,neutral,10,9,0.3,0.4,0,0.3,0,0,0,0,$z"
  echo "b.wav,TESS,OAF,0,sad,sad,10,9,0.1,0.1,0,0.8,0,0,0,0,$z"
  echo "c.wav,URDU,U1,0,angry,none,10,0,0,0,0,0,0,0,0,0,$z"
  echo "d.wav,URDU,U1,0,angry,angry,10,9,0,0,0,0,0.9,0.1,0,0,$z"
} >"$work/rep/plugin_files.csv"
out=$(python3 "$src/models/figures.py" --dominant "$work/rep")
echo "$out"
echo "$out" | grep -q "^cold-16            -  50.0  50.0     -     -     -  mean  50.0  (argmax over all eight)$" ||
  { echo "FAIL: --dominant cold-16 row"; fail=1; }
echo "$out" | grep -q "^cold-48" && { echo "FAIL: --dominant: a cold-48 row from nothing"; fail=1; }
python3 "$src/models/figures.py" "$work/none" >/dev/null 2>"$work/err"
rc=$?
[ $rc = 1 ] && grep -q "is it an .emovox-train evaluate. report" "$work/err" ||
  { echo "FAIL: missing folder: rc $rc, $(cat "$work/err")"; fail=1; }
[ $fail = 0 ] && echo ok
exit $fail

#!/bin/sh
# models/figures.py: the per-corpus table of an `evaluate` report, its mean of the six corpora
# and the pooled figure, on a report made up here with known values; a missing folder is a clear
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
echo "$out" | grep -q "^cold-16   50.0  40.0  60.0  30.0  70.0  20.0  mean  45.0  pooled  45.0$" ||
  { echo "FAIL: cold-16 row"; fail=1; }
echo "$out" | grep -q "^session   10.0     -     -     -     -     -  mean  10.0  pooled  33.3$" ||
  { echo "FAIL: session row"; fail=1; }
echo "$out" | grep -q "^cold-48" && { echo "FAIL: a cold-48 row from nothing"; fail=1; }
python3 "$src/models/figures.py" "$work/none" >/dev/null 2>"$work/err"
rc=$?
[ $rc = 1 ] && grep -q "is it an .emovox-train evaluate. report" "$work/err" ||
  { echo "FAIL: missing folder: rc $rc, $(cat "$work/err")"; fail=1; }
[ $fail = 0 ] && echo ok
exit $fail

#!/bin/sh
# The command-line tools as a user meets them: --version on every command; --help, --version,
# `presets` and `list` with standard output on a full disk exit 1; `emovox-train list` writes
# no report folder into the current directory; a manifest row whose file is missing is
# skipped, not counted as a clip; `train` counts only the clips it could read; `evaluate`
# written to one file keeps its results in order with the epoch lines and estimates the time
# left across folds; `score` counts the clips it could not read; the installed emovox-train
# carries no path into this source tree's corpora.
# Usage: cli_test.sh VERSION SOURCE_ROOT emovox-analyze emovox-features emovox-model emovox-train
set -u
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
version=$1 src=$(abs "$2") analyze=$(abs "$3") features=$(abs "$4") model=$(abs "$5")
train=$(abs "$6")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
fail=0
check() { # $1: description, $2...: command that must succeed
  what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
for t in "$analyze" "$features" "$model" "$train"; do
  name=$(basename "$t")
  out=$("$t" --version 2>&1)
  check "$name --version: '$out'" [ "$out" = "$name $version" ]
done

# --help, --version, `presets` and `list` print their result on standard output: one lost on a
# full disk (> /dev/full) exits 1 with the reason, not 0 (exit() flushes it without a word)
lost() { # $1: what, $2...: the command, its standard output to /dev/full
  what=$1
  shift
  "$@" >/dev/full 2>"$work/lost.err"
  rc=$?
  check "$what > /dev/full: exit 1 and why (exit $rc: $(cat "$work/lost.err"))" \
    sh -c "[ $rc = 1 ] && grep -q 'standard output' '$work/lost.err'"
}
for t in "$analyze" "$features" "$model" "$train"; do
  lost "$(basename "$t") --help" "$t" --help
  lost "$(basename "$t") --version" "$t" --version
done
lost "emovox-train presets" "$train" presets

# a manifest of 4 one-second tones (2 speakers x 2 labels) and one missing file
cd "$work" || exit 1
for s in a b; do
  for l in happy sad; do
    f=100
    [ $l = happy ] && f=300
    [ $s = b ] && f=$((f + 40))
    if command -v sox >/dev/null 2>&1; then
      sox -n -r 16000 -c 1 "$s-$l.wav" synth 1.5 sine $f vol 0.3
    fi
    echo "$s-$l.wav,$l,$s" >>m.csv
  done
done
command -v sox >/dev/null 2>&1 || { echo "SKIP: sox not installed"; exit 77; }
echo "missing.wav,sad,a" >>m.csv
mkdir empty
EMOVOX_CORPORA="$work/empty" "$train" list --manifest m.csv >list.out 2>list.err
check "list: exit 0" [ $? = 0 ]
check "list: no report folder in the current directory" [ ! -e emovox-train-report ]
check "list: 4 clips (the missing file is not one)" grep -q "^4 clips" list.out
check "list: the missing file is reported as skipped" \
  grep -q "missing.wav: No such file or directory (skipped)" list.err
EMOVOX_CORPORA="$work/empty" lost "emovox-train list" "$train" list --manifest m.csv

EMOVOX_CORPORA="$work/empty" "$train" evaluate --manifest m.csv --folds speaker:2 --epochs 2 \
  --plugin-figure off --cache none --out rep --val-fraction 0 >eval.log 2>&1
check "evaluate: exit 0" [ $? = 0 ]
first_fold=$(grep -n "^== " eval.log | head -n1 | cut -d: -f1)
first_epoch=$(grep -n "^epoch" eval.log | head -n1 | cut -d: -f1)
echo "in eval.log: first fold header on line $first_fold, first epoch line on line $first_epoch"
check "results and epoch lines in the order they happened" \
  [ -n "$first_fold" ] && [ -n "$first_epoch" ] && [ "$first_fold" -lt "$first_epoch" ]
check "a remaining-time estimate across folds" grep -q "^fold 2/2 next; about .* left" eval.log
[ $fail = 0 ] || cat eval.log

# a clip per speaker that is not audio: `train` leaves them out (reported) and counts only the
# clips it trains and validates on (it said 3 and 3 here, the unreadable ones included)
echo "not audio" >a-bad.wav
echo "not audio" >b-bad.wav
{ cat m.csv; echo "a-bad.wav,sad,a"; echo "b-bad.wav,happy,b"; } >bad.csv
EMOVOX_CORPORA="$work/empty" "$train" train --manifest bad.csv --epochs 1 --val-fraction 0.5 \
  --cache none --out rep2 --output m.safetensors >train.out 2>train.err
check "train with unreadable clips: exit 0" [ $? = 0 ]
check "train counts the clips it uses and the unreadable ones ($(grep '^training on' train.out))" \
  grep -q "^training on 2 clips (1 unreadable skipped), validating on 2 clips (1 unreadable \
skipped) of 1 held-out speakers" train.out
# evaluate's fold headers count the same way (they counted the unreadable clips too)
EMOVOX_CORPORA="$work/empty" "$train" evaluate --manifest bad.csv --folds speaker:2 --epochs 1 \
  --plugin-figure off --cache none --out rep3 --val-fraction 0 >eval2.log 2>&1
check "evaluate with unreadable clips: exit 0" [ $? = 0 ]
check "evaluate's fold header counts the clips it uses ($(grep '^== ' eval2.log | head -n1))" \
  grep -q "^== [^:]*: test 2 clips (.*), train 2, validation 0 (2 unreadable skipped)$" eval2.log
# score: the model just trained over the same clips, the unreadable ones counted and left out
# of the figures; models/plugin-eval.sh, which runs it, says so in its help
EMOVOX_CORPORA="$work/empty" "$train" score --model m.safetensors --manifest bad.csv --out rep4 \
  --plugin-figure quick --quiet >score.out 2>score.err
check "score with unreadable clips: exit 0 ($(cat score.err))" [ $? = 0 ]
check "score counts the unreadable clips" grep -q "^2 file(s) could not be read" score.out
check "score: plugin_files.csv has the 6 clips" [ "$(wc -l <rep4/plugin_files.csv)" = 7 ]
check "models/plugin-eval.sh --help names emovox-train score" \
  sh -c "bash '$src/models/plugin-eval.sh' --help | grep -q 'emovox-train score'"

corpora=$(cd "$src/.." && pwd)/shared/corpora
check "emovox-train carries no path into the source tree's corpora ($corpora)" \
  sh -c "[ -f '$train' ] && ! grep -qaF '$corpora' '$train' && ! grep -qaF '$src/../shared/corpora' '$train'"
exit $fail

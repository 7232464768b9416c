#!/bin/sh
# emovox-model end to end: --help, info on a valid and an invalid file, random with presets,
# custom JSON and bad options. usage: test_tool.sh EMOVOX_MODEL TEST_MODEL WORKDIR
set -u
tool=$1 model=$2 work=$3
mkdir -p "$work"
fail=0
check() { # description, then a command that must succeed
  desc=$1; shift
  if "$@"; then echo "ok   $desc"; else echo "FAIL $desc"; fail=1; fi
}
out="$work/out.txt"

check "--help exits 0" "$tool" --help
check "info --help exits 0" "$tool" info --help
check "random --help lists presets" sh -c "'$tool' random --help | grep -q 'gru '"
check "no arguments: usage, exit 2" sh -c "'$tool' >/dev/null 2>&1; test \$? -eq 2"

"$tool" info "$model" >"$out" 2>&1; rc=$?
check "info on the test model exits 0" test $rc -eq 0
check "info says valid" grep -q '^valid: *yes' "$out"
check "info shows the gru layer and its params" grep -q 'weight_hh *\[96,32\]' "$out"
check "info shows the label mapping" grep -q 'fearful *-> fearful' "$out"
check "info prints the compute cost and its limit" grep -q '^compute: .*per second of audio.*limit' "$out"
check "info prints the memory and its limit" grep -q '^memory: .*MiB.*limit' "$out"

# The report lost on a full disk: exit 1 with the reason, not 0.
"$tool" info "$model" >/dev/full 2>"$out"; rc=$?
check "info > /dev/full exits 1" test $rc -eq 1
check "info > /dev/full says why" grep -q 'cannot write the report' "$out"

# A FIFO must not block (it used to wait in fopen() for a writer).
rm -f "$work/fifo.safetensors"
mkfifo "$work/fifo.safetensors"
timeout 10 "$tool" info "$work/fifo.safetensors" >"$out" 2>&1; rc=$?
check "info on a FIFO exits 1 at once" test $rc -eq 1
check "info says a FIFO is not a regular file" grep -q 'not a regular file' "$out"
rm -f "$work/fifo.safetensors"

head -c 100 "$model" >"$work/truncated.safetensors"
"$tool" info "$work/truncated.safetensors" >"$out" 2>&1; rc=$?
check "info on a truncated file exits 1" test $rc -eq 1
check "info names the reason" grep -q 'truncated' "$out"
"$tool" info "$work/does-not-exist" >"$out" 2>&1; rc=$?
check "info on a missing file exits 1" test $rc -eq 1

for preset in tiny mlp gru conv; do
  "$tool" random --arch $preset --seed 3 -o "$work/$preset.safetensors" >"$out" 2>&1
  check "random --arch $preset writes a model" test $? -eq 0
  check "random $preset loads" sh -c "'$tool' info '$work/$preset.safetensors' >/dev/null"
done
"$tool" random --arch '[{"type":"dense","out":5,"activation":"relu"},{"type":"dense"}]' \
  --labels happy,sad,boredom --inputs logmel,zcr --stride 2 --norm global -o "$work/custom.safetensors" \
  >"$out" 2>&1
check "random with a JSON architecture" test $? -eq 0
"$tool" info "$work/custom.safetensors" >"$out" 2>&1
check "custom: 65 input dims, stride 2" grep -q '= 65 dims, frame_stride 2' "$out"
check "custom: boredom has no slot" grep -q 'boredom.*no canonical slot' "$out"
check "custom: global normalisation" grep -q 'normalization: global' "$out"
"$tool" random --arch '[{"type":"dense","out":5},{"type":"dense","out":3}]' -o "$work/bad.safetensors" \
  >"$out" 2>&1; rc=$?
check "random refuses 3 outputs for 8 labels" test $rc -ne 0
check "random explains the mismatch" grep -q 'labels' "$out"
check "random refuses an unknown option" sh -c "'$tool' random --arch tiny -o '$work/x' --bogus 1 >/dev/null 2>&1; test \$? -ne 0"
check "random refuses an unknown feature" sh -c "'$tool' random --arch tiny --inputs no_such_feature -o '$work/x' >/dev/null 2>&1; test \$? -ne 0"
exit $fail

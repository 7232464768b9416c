#!/bin/sh
# The plugin in lv2file, a real offline host that passes a feature whose URI is NULL and no
# LV2 worker: it must instantiate (no crash in the feature lookup), run with its default model
# and pass the audio through unchanged (the difference of output and input is silent).
# Skips (77) without lv2file or sox, and under sanitizers (lv2file is not instrumented).
# Usage: lv2file_test.sh <LV2_PATH>
set -u
[ "${EMOVOX_SANITIZED:-0}" = "1" ] && { echo "SKIP: sanitized build"; exit 77; }
for p in lv2file sox; do
  command -v $p >/dev/null 2>&1 || { echo "SKIP: $p not installed"; exit 77; }
done
export LV2_PATH=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
fail=0
for variant in mono stereo; do
  channels=1
  [ $variant = stereo ] && channels=2
  # 3 s of a voiced-like tone burst (a 150 Hz sawtooth, vibrato) between silences, 16 bit
  sox -n -r 48000 -c $channels -b 16 "$work/in-$variant.wav" \
    synth 3 sawtooth 150-180 tremolo 5 40 pad 0.5 0.5 vol 0.5 || exit 1
  lv2file -i "$work/in-$variant.wav" -o "$work/out-$variant.wav" \
    "https://emovox.org/plugins/emovox#$variant" >"$work/log-$variant" 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL: lv2file with the $variant plugin exited $rc"
    cat "$work/log-$variant"
    fail=1
    continue
  fi
  in_len=$(soxi -s "$work/in-$variant.wav")
  out_len=$(soxi -s "$work/out-$variant.wav")
  out_ch=$(soxi -c "$work/out-$variant.wav")
  # the difference of the two files (output minus input), its peak
  peak=$(sox -m -v 1 "$work/out-$variant.wav" -v -1 "$work/in-$variant.wav" -n stat 2>&1 |
    awk '/Maximum amplitude/ {print $3}')
  echo "$variant: $in_len -> $out_len samples, $out_ch channels, peak of out - in: $peak"
  if [ "$out_len" != "$in_len" ] || [ "$out_ch" != "$channels" ]; then
    echo "FAIL: $variant: the output is not the input's length and channel count"
    fail=1
  fi
  # lv2file reads 16 bit as float (/ 32768) and writes 32-bit integers (x (2^31 - 1)): a
  # passed-through sample may come back 1 LSB of 16 bit (3.05e-5) off, nothing more
  if ! awk -v p="$peak" 'BEGIN { exit !(p != "" && p + 0 <= 4e-5) }'; then
    echo "FAIL: $variant: the audio did not pass through unchanged (peak difference $peak)"
    fail=1
  fi
done
exit $fail

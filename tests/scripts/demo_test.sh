#!/bin/sh
# scripts/demo.sh with its set-up, build and install replaced by stand-ins (copies of the
# script in a scratch tree, a no-op meson first on PATH, an emovox-analyze that records what it
# was given): a relative FILE given from another folder reaches the analyser as that file, and
# without FILE the example is speech synthesised by espeak-ng (not corpus audio the shipped
# model was trained on).
# Usage: demo_test.sh <source root>
set -u
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
tree="$work/tree"
mkdir -p "$tree/scripts" "$work/bin" "$work/prefix/bin" "$work/elsewhere/sub"
cp "$src/scripts/demo.sh" "$src/scripts/install_dirs.sh" "$tree/scripts/"
printf '#!/bin/sh\nexit 0\n' >"$tree/scripts/setup.sh"
printf '#!/bin/sh\nexit 0\n' >"$tree/scripts/build.sh"
printf '#!/bin/sh\nexit 0\n' >"$work/bin/meson"
# the analyser: records its last argument, writes the summary it is asked for
cat >"$work/prefix/bin/emovox-analyze" <<EOS
#!/bin/sh
for last; do :; done
echo "\$last" >"$work/analysed"
while [ \$# -gt 0 ]; do
  if [ "\$1" = "--summary" ]; then echo "file,duration_s" >"\$2"; fi
  shift
done
EOS
chmod +x "$work/bin/meson" "$work/prefix/bin/emovox-analyze"
export PATH="$work/bin:$PATH" EMOVOX_PREFIX="$work/prefix" EMOVOX_LV2DIR="$work/lv2"
fail=0
printf 'RIFF' >"$work/elsewhere/sub/talk.wav"

# a relative path, from another folder
(cd "$work/elsewhere" && bash "$tree/scripts/demo.sh" sub/talk.wav) >"$work/out" 2>&1
rc=$?
got=$(cat "$work/analysed" 2>/dev/null || true)
want=$(realpath "$work/elsewhere/sub/talk.wav")
echo "relative FILE: exit $rc, analysed '$got'"
if [ $rc -ne 0 ] || [ "$got" != "$want" ]; then
  echo "FAIL: demo.sh sub/talk.wav from another folder: want $want"
  cat "$work/out"
  fail=1
fi

# no FILE: espeak-ng speech
if command -v espeak-ng >/dev/null 2>&1; then
  rm -f "$work/analysed"
  (cd "$work/elsewhere" && bash "$tree/scripts/demo.sh") >"$work/out" 2>&1
  rc=$?
  got=$(cat "$work/analysed" 2>/dev/null || true)
  echo "no FILE: exit $rc, analysed '$got'"
  case "$got" in
    */corpora/*) echo "FAIL: the example is corpus audio"; fail=1 ;;
  esac
  if [ $rc -ne 0 ] || [ ! -s "$got" ] || [ "$(head -c 4 "$got")" != "RIFF" ]; then
    echo "FAIL: the example is not a synthesised WAV file"
    cat "$work/out"
    fail=1
  fi
else
  echo "espeak-ng not installed: the default example is not checked"
fi
exit $fail

#!/bin/sh
# usage: run_fuzz_replay.sh FUZZ_REPLAY CORPUS_GENERATOR WORKDIR
# Generates the fuzzer's seed corpus afresh and runs the fuzz target's checks over it.
set -eu
replay=$1 gen=$2 work=$3
rm -rf "$work"
mkdir -p "$work/corpus"
"$gen" "$work/corpus"
exec "$replay" "$work/corpus"

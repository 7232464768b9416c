#!/bin/sh
# usage: run_fuzz.sh FUZZER CORPUS_GENERATOR WORKDIR SECONDS
# Generates the seed corpus, then fuzzes ev_model_load_memory for SECONDS.
set -eu
fuzzer=$1 gen=$2 work=$3 secs=$4
mkdir -p "$work/corpus"
"$gen" "$work/corpus"
exec "$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$work/" "$work/corpus"

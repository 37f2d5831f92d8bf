#!/bin/sh
# run.sh BUILD_DIR SECONDS: run every fuzz harness built in BUILD_DIR/fuzz
# (fuzz_harnesses in meson.build) for SECONDS each, starting from its seed
# corpus in fuzz/corpus/<name>/ plus the committed findings in
# tests/data/fuzz/<name>/.  Prints, and writes to BUILD_DIR/fuzz-results,
# one line per harness: "ok fuzz_NAME" or "FAIL fuzz_NAME".  Crashes are
# written to fuzz/crash-*; turn each into a regression fixture in
# tests/data/fuzz/ once fixed.  Exit 0 when no harness failed.
set -eu
build=$1
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
results="$build/fuzz-results"
status=0
: >"$results"
for exe in "$build"/fuzz/fuzz_*; do
  if [ ! -f "$exe" ] || [ ! -x "$exe" ]; then continue; fi
  harness=${exe##*/}
  corpus_name=${harness#fuzz_}
  work=$(mktemp -d)
  for seeds in "$here/corpus/$corpus_name" "$here/../tests/data/fuzz/$corpus_name"; do
    if [ -d "$seeds" ]; then cp -r "$seeds"/. "$work"/; fi
  done
  echo "== $harness ($seconds s)"
  if ! "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -timeout=10 -artifact_prefix="$here/" "$work" 2>"$work.log"; then
    tail -40 "$work.log"
    echo "FAIL $harness" | tee -a "$results"
    status=1
  else
    grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$work.log" | tail -1 || true
    echo "ok $harness" | tee -a "$results"
  fi
  rm -rf "$work" "$work.log"
done
if [ ! -s "$results" ]; then
  echo "run.sh: no fuzz harness in $build/fuzz (configure it with -Dfuzz=true)" >&2
  exit 1
fi
exit $status

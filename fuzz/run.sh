#!/bin/sh
# run.sh BUILD_DIR SECONDS: run every fuzz harness for SECONDS each, starting
# from its seed corpus in fuzz/corpus/<format>/ plus the committed findings
# in tests/data/.  Crashes are written to fuzz/crash-*; turn each into a
# regression fixture in tests/data/ once fixed.
set -eu
build=$1
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for harness in fuzz_qcow2 fuzz_vmdk fuzz_vmdk_descriptor fuzz_vmdk_cowd \
               fuzz_vmdk_sesparse fuzz_vhd fuzz_vhdx fuzz_vmx fuzz_ovf fuzz_cpu_xml; do
  corpus_name=${harness#fuzz_}
  work=$(mktemp -d)
  for seeds in "$here/corpus/$corpus_name" "$here/../tests/data/fuzz/$corpus_name"; do
    [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
  done
  echo "== $harness ($seconds s)"
  if ! "$build/fuzz/$harness" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -timeout=10 -artifact_prefix="$here/" "$work" 2>"$work.log"; then
    tail -40 "$work.log"
    status=1
  else
    grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$work.log" | tail -1 || true
  fi
  rm -rf "$work" "$work.log"
done
exit $status

#!/bin/sh
# test_cpu_matrix.sh: `ferry cpu compare` and `ferry cpu baseline` on the
# host CPUs of a real cluster of three Intel generations.
#
# tests/data/cpu holds the host CPU, as `virsh capabilities` reports it,
# of a Xeon X5570 (Nehalem), X5670 (Westmere) and E5-2670 (SandyBridge)
# host.  Each generation has every feature of the one before, so a guest
# may move up (N->W, N->S, W->S) and must be refused moving down
# (W->N, S->N, S->W), the refusal naming what the target lacks.  The
# expected differences are those of libvirt's own expansion of the three
# CPUs (virsh cpu-baseline --features; see tests/data/cpu/README.md).  A
# baseline of the three must run on each of them, and must keep what
# libvirt's baseline keeps.  libvirt model names are CPUs too; an unknown
# one is an error that names it.
#
# Exit 0 pass, 1 fail, 77 skip (libvirt's CPU map is not installed).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
data="$root/tests/data/cpu"
failed=0

check () {
  if [ "$1" -eq 0 ]; then echo "ok $2"; else echo "FAIL $2"; failed=1; fi
}

. "$root/tests/lib/require.sh"
[ -d /usr/share/libvirt/cpu_map ] ||
  skip libvirt "libvirt's cpu_map is not installed (Debian: libvirt-daemon)"
command -v python3 >/dev/null || skip python3 "python3 is not installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-cpu-XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

N="$data/xeon-x5570-nehalem.xml"
W="$data/xeon-x5670-westmere.xml"
S="$data/xeon-e5-2670-sandybridge.xml"

# What the target lacks, from libvirt's expansion of both CPUs: all of it
# may be named, and the features a guest sees (key) must be.
missing_W_N='aes arat pcid pclmuldq pdpe1gb smx'
key_W_N='aes pclmuldq pcid pdpe1gb'
missing_S_W='avx md-clear osxsave tsc-deadline x2apic xsave xsaveopt'
key_S_W='avx xsave xsaveopt md-clear'
# shellcheck disable=SC2034 # read through eval below
missing_S_N="$missing_W_N $missing_S_W"
# shellcheck disable=SC2034
key_S_N="$key_W_N $key_S_W"

cpu_file () { # cpu_file LETTER
  case $1 in N) echo "$N" ;; W) echo "$W" ;; S) echo "$S" ;; esac
}

# names_all FILE FEATURES...: FILE names every feature as a word.
names_all () {
  f=$1; shift
  for feature in "$@"; do
    grep -qwF -- "$feature" "$f" || { echo "  does not name $feature"; return 1; }
  done
}

# 1. the six directions, text output.
for pair in N:W N:S W:S W:N S:N S:W; do
  g=${pair%:*} h=${pair#*:}
  "$ferry" cpu compare "$(cpu_file "$g")" "$(cpu_file "$h")" \
    >"$work/$g$h.out" 2>"$work/$g$h.err"
  status=$?
  case $pair in
    N:W|N:S|W:S)
      [ $status -eq 0 ] && grep -q '^compatible:' "$work/$g$h.out"
      ok=$?
      [ $ok -eq 0 ] || { echo "  exit $status"; cat "$work/$g$h.out" "$work/$g$h.err"; }
      check $ok "compare/$g-to-$h/compatible" ;;
    *)
      eval "key=\$key_${g}_$h"
      cat "$work/$g$h.out" "$work/$g$h.err" >"$work/$g$h.all"
      # shellcheck disable=SC2086 # $key is a list of words
      [ $status -eq 1 ] && grep -q '^incompatible:' "$work/$g$h.out" &&
        names_all "$work/$g$h.all" $key
      ok=$?
      [ $ok -eq 0 ] || { echo "  exit $status"; cat "$work/$g$h.all"; }
      check $ok "compare/$g-to-$h/refused-naming-missing" ;;
  esac
done

# 2. the same with --json: the verdict, and the missing list holds the key
#    features and nothing the target has.
for pair in N:W N:S W:S W:N S:N S:W; do
  g=${pair%:*} h=${pair#*:}
  "$ferry" cpu compare "$(cpu_file "$g")" "$(cpu_file "$h")" --json \
    >"$work/$g$h.json" 2>"$work/$g$h.json.err"
  status=$?
  case $pair in
    N:W|N:S|W:S) want=0 expect=true all='' key='' ;;
    *) want=1 expect=false
       eval "all=\$missing_${g}_$h key=\$key_${g}_$h" ;;
  esac
  [ $status -eq $want ] &&
    python3 - "$work/$g$h.json" "$expect" "$all" "$key" <<'PY'
import json, sys
path, expect, allowed, key = sys.argv[1:]
r = json.load(open(path))
assert r["compatible"] is (expect == "true"), r
missing = set(r.get("missing", []))
assert set(key.split()) <= missing, ("not named", set(key.split()) - missing)
assert missing <= set(allowed.split()), ("named but present", missing - set(allowed.split()))
PY
  ok=$?
  [ $ok -eq 0 ] || { echo "  exit $status"; cat "$work/$g$h.json" "$work/$g$h.json.err"; }
  check $ok "compare-json/$g-to-$h"
done

# 3. baseline of the three hosts: a guest CPU of the Nehalem family that
#    every host accepts.
"$ferry" cpu baseline "$N" "$W" "$S" >"$work/base.xml" 2>"$work/base.err"
status=$?
[ $status -eq 0 ] || cat "$work/base.err"
check $status "baseline/runs"
python3 - "$work/base.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
cpu = ET.parse(sys.argv[1]).getroot()
assert cpu.tag == "cpu", cpu.tag
assert cpu.get("mode") == "custom" and cpu.get("match") == "exact", cpu.attrib
model = cpu.findtext("model")
assert model in ("Nehalem", "Nehalem-IBRS"), model
PY
ok=$?
[ $ok -eq 0 ] || cat "$work/base.xml"
check $ok "baseline/custom-exact-nehalem"
if command -v xmllint >/dev/null; then
  xmllint --noout "$work/base.xml"
  check $? "baseline/xmllint-parses"
else
  skip_part xmllint "xmllint is not installed (Debian: libxml2-utils): baseline/xmllint-parses"
fi
for h in N W S; do
  "$ferry" cpu compare "$work/base.xml" "$(cpu_file "$h")" >"$work/base-$h.out" 2>&1
  status=$?
  [ $status -eq 0 ] || cat "$work/base-$h.out"
  check $status "baseline/accepted-by-$h"
done

# The baseline, expanded by libvirt, has no feature some host lacks and
# keeps every feature of the model libvirt's own baseline picks.
# (cpu-baseline reads host CPUs only, so the guest attributes go.)
if command -v virsh >/dev/null; then
  expand () { virsh -q -c test:///default cpu-baseline --features "$1" </dev/null; }
  sed -e "s|<cpu [^>]*>|<cpu><arch>x86_64</arch>|" -e "s/ fallback='[^']*'//" \
      -e "s/ policy='require'//" "$work/base.xml" >"$work/base-host.xml"
  python3 - "$N" "$W" "$S" >"$work/hosts.xml" <<'PY'
import re, sys
print("".join(re.sub(r"<!--.*?-->\s*", "", open(f).read(), flags=re.S) for f in sys.argv[1:]))
PY
  virsh -q -c test:///default cpu-baseline "$work/hosts.xml" </dev/null >"$work/lv-base.xml" &&
    lv_model=$(sed -n "s|.*<model[^>]*>\(.*\)</model>.*|\1|p" "$work/lv-base.xml") &&
    printf "<cpu><arch>x86_64</arch><model>%s</model><vendor>Intel</vendor></cpu>\n" \
      "$lv_model" >"$work/lv-model.xml" &&
    expand "$work/lv-model.xml" >"$work/lv-model-exp.xml" &&
    expand "$work/base-host.xml" >"$work/base-exp.xml" &&
    expand "$N" >"$work/N-exp.xml" && expand "$W" >"$work/W-exp.xml" &&
    expand "$S" >"$work/S-exp.xml" &&
    python3 - "$work" <<'PY'
import re, sys
d = sys.argv[1]
def features(name):
    text = open(f"{d}/{name}").read()
    assert "policy='disable'" not in text, name
    return set(re.findall(r"name='([^']+)'", text))
base = features("base-exp.xml")
for h in "NWS":
    extra = base - features(f"{h}-exp.xml")
    assert not extra, (h, "lacks", sorted(extra))
lost = features("lv-model-exp.xml") - base
assert not lost, ("baseline drops", sorted(lost))
PY
  ok=$?
  [ $ok -eq 0 ] || cat "$work/base.xml"
  check $ok "baseline/agrees-with-libvirt"
else
  skip_part libvirt "virsh is not installed (Debian: libvirt-clients): baseline/agrees-with-libvirt"
fi

# 4. libvirt model names: Westmere has aes, Nehalem has not.
"$ferry" cpu compare Westmere Nehalem >"$work/names.out" 2>&1
status=$?
[ $status -eq 1 ] && grep -q '^incompatible:' "$work/names.out" && names_all "$work/names.out" aes
ok=$?
[ $ok -eq 0 ] || { echo "  exit $status"; cat "$work/names.out"; }
check $ok "model-names/westmere-to-nehalem-refused"
"$ferry" cpu compare Nehalem Westmere >"$work/names-up.out" 2>&1
status=$?
[ $status -eq 0 ] && grep -q '^compatible:' "$work/names-up.out"
ok=$?
[ $ok -eq 0 ] || { echo "  exit $status"; cat "$work/names-up.out"; }
check $ok "model-names/nehalem-to-westmere-compatible"

# 5. an unknown model is an error, not a verdict.
for side in guest host; do
  if [ $side = guest ]; then set -- NoSuchCPU Nehalem; else set -- Nehalem NoSuchCPU; fi
  "$ferry" cpu compare "$@" >"$work/unknown.out" 2>&1
  status=$?
  [ $status -eq 2 ] && grep -q NoSuchCPU "$work/unknown.out"
  ok=$?
  [ $ok -eq 0 ] || { echo "  exit $status"; cat "$work/unknown.out"; }
  check $ok "unknown-model/$side-is-an-error-naming-it"
done

exit $failed

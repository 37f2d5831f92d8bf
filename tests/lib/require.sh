# shellcheck shell=sh
# require.sh: how a ferry test script says that it cannot run; sourced.
#
# A test skips (exit 77) only when a COMPONENT it needs is missing (the
# names: tests/README.md), and fails instead (exit 1), naming it, when
# the environment variable FERRY_REQUIRE, a comma-separated list of
# components or "all", names it.  CI sets FERRY_REQUIRE=all.  The same
# rules hold for C (tests/unit/test.h) and Python
# (tests/integration/imagematrix.py).
#
#   skip COMPONENT WHY...       the test cannot run: end it
#   skip_part COMPONENT WHY...  some cases cannot run: say so and go on,
#                               or end the test (exit 1) when required
#   required COMPONENT          whether FERRY_REQUIRE names COMPONENT
#
# Must never: exit 0 or 77 when FERRY_REQUIRE names the component.

required () {
  case ",${FERRY_REQUIRE:-}," in
    *,all,* | *,"$1",*) return 0 ;;
  esac
  return 1
}

# _missing KIND COMPONENT WHY...: the message, and exit 1 when required.
_missing () {
  _kind=$1 _component=$2
  shift 2
  if required "$_component"; then
    echo "FAIL: FERRY_REQUIRE=$FERRY_REQUIRE requires $_component, but: $*"
    exit 1
  fi
  echo "$_kind (needs $_component): $*"
}

skip () { _missing SKIP "$@"; exit 77; }

skip_part () { _missing "SKIP part" "$@"; }

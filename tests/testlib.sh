# testlib.sh - helpers for the shell-level CLI tests (sourced).
# Environment from Makefile.am: top_srcdir, top_builddir, NMSPARSE, NMS_SHARED_DATA.
set -u
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
: "${NMSPARSE:=$top_builddir/nmsparse}"
: "${NMS_SHARED_DATA:=$top_srcdir/../shared/data}"

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/nmstest.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_exit CODE CMD... : run CMD, capture stdout/stderr in $TMPD/out, $TMPD/err
expect_exit() {
  want=$1; shift
  "$@" >"$TMPD/out" 2>"$TMPD/err"
  got=$?
  if [ "$got" != "$want" ]; then
    fail "exit $got (wanted $want): $*"; sed 's/^/  stderr: /' "$TMPD/err" | head -n 5
    return 1
  fi
  return 0
}
# expect_grep PATTERN FILE
expect_grep() {
  grep -q -e "$1" "$2" || { fail "no '$1' in $(basename "$2"):"; sed 's/^/  | /' "$2" | head -n 8; }
}
need_shared() {
  [ -d "$NMS_SHARED_DATA/$1" ] || { echo "SKIP: $NMS_SHARED_DATA/$1 is absent"; exit 77; }
}
finish() {
  if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
  echo "all checks passed"; exit 0
}

#!/bin/sh
# The library example in README.md compiles against the public header and
# the built library, and runs on the bundled example layer.
. "$top_srcdir/tests/testlib.sh"
awk '/^```c$/ {on = 1; next} /^```$/ {on = 0} on' "$top_srcdir/README.md" > "$TMPD/example.c"
[ -s "$TMPD/example.c" ] || { fail "no C example in README.md"; finish; }
CC=${CC:-cc}
lib="$top_builddir/.libs/libnmsparse.a"
[ -f "$lib" ] || lib="$top_builddir/.libs/libnmsparse.so"
[ -f "$lib" ] || { echo "SKIP: library not built"; exit 77; }
if ! $CC ${CFLAGS:-} ${LDFLAGS:-} -std=c99 -Wall -Wextra -Werror -I"$top_srcdir/include" -o "$TMPD/example" "$TMPD/example.c" \
     "$lib" -Wl,-rpath,"$top_builddir/.libs" $(sed -n "s/^Libs.private: //p" "$top_builddir/nmsparse.pc") -lm > "$TMPD/cc.log" 2>&1; then
  fail "README example does not compile:"; cat "$TMPD/cc.log"; finish
fi
expect_exit 0 "$TMPD/example" "$top_srcdir/data/landmark68_dense0_conv1.npy" &&
  expect_grep '^32 x 32: identity 2:4 keeps 0.7494, at most 0.8044$' "$TMPD/out"
expect_exit 1 "$TMPD/example" "$TMPD/none.npy" && expect_grep '^error: .*none.npy' "$TMPD/err"
finish

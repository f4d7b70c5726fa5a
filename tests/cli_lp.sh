#!/bin/sh
# cli_lp.sh - `nmsparse lp` on small MPS fixtures: fixed format with names
# containing spaces, ranges, every bound type and an objective constant; the
# same LP in free format with CRLF line endings and OBJSENSE MAX; gzip input;
# the solution file; errors with line numbers; usage errors.
. "$top_srcdir/tests/testlib.sh"
D="$top_srcdir/tests/lp"

# Fixed format.  Optimum by hand: x = (3, 1, 3, 0.5, -2, 1), 8 - 2.5 = 5.5.
for alg in "" --primal --dual; do
  if expect_exit 0 "$NMSPARSE" lp $alg "$D/tiny_fixed.mps" -o "$TMPD/sol.txt"; then
    expect_grep '^status *optimal' "$TMPD/out"
    expect_grep '^objective *5\.5$' "$TMPD/out"
    expect_grep '^rows *5$' "$TMPD/out"
    expect_grep '^columns *6$' "$TMPD/out"
    expect_grep '^X ONE 3 -3\.5$' "$TMPD/sol.txt"
    expect_grep '^X5 -2 ' "$TMPD/sol.txt"
    expect_grep '^LIM 1 4 3$' "$TMPD/sol.txt"
    expect_grep '^PLAIN 1 -2$' "$TMPD/sol.txt"
    expect_grep '^CAP 6 1$' "$TMPD/sol.txt"
  fi
done

# Free format, CRLF, OBJSENSE MAX of the negated objective: -5.5.
if expect_exit 0 "$NMSPARSE" lp "$D/tiny_free.mps"; then
  expect_grep '^objective *-5\.5$' "$TMPD/out"
  expect_grep '^problem *tiny_free' "$TMPD/out"
fi
# --max on the fixed file: x = (1, 2.5, 5, 0.5, -4, 5), 24 - 2.5 = 21.5.
for alg in "" --primal --dual; do
  if expect_exit 0 "$NMSPARSE" lp --max -q $alg "$D/tiny_fixed.mps"; then
    expect_grep '^status *optimal' "$TMPD/out"
    expect_grep '^objective *21\.5$' "$TMPD/out"
  fi
done

# gzip input (when built with zlib; otherwise a clear error)
gzip -c "$D/tiny_fixed.mps" > "$TMPD/t.mps.gz"
"$NMSPARSE" lp -q "$TMPD/t.mps.gz" > "$TMPD/out" 2> "$TMPD/err"
rc=$?
if [ $rc = 0 ]; then
  expect_grep '^objective *5\.5$' "$TMPD/out"
else
  expect_grep 'without zlib' "$TMPD/err"
fi

# Infeasible and unbounded models still exit 0 and say so.
printf 'NAME inf\nROWS\n N obj\n L r1\n G r2\nCOLUMNS\n x obj 1 r1 1\n x r2 1\nRHS\n rhs r1 1 r2 2\nENDATA\n' > "$TMPD/inf.mps"
expect_exit 0 "$NMSPARSE" lp -q "$TMPD/inf.mps" && expect_grep '^status *infeasible' "$TMPD/out"
printf 'NAME unb\nROWS\n N obj\n L r1\nCOLUMNS\n x obj -1 r1 1\n y r1 -1\nRHS\n rhs r1 1\nENDATA\n' > "$TMPD/unb.mps"
expect_exit 0 "$NMSPARSE" lp -q "$TMPD/unb.mps" && expect_grep '^status *unbounded' "$TMPD/out"

# Errors name the file and the line.
printf 'NAME bad\nROWS\n N obj\n L r1\nCOLUMNS\n x obj 1 r1 abc\nENDATA\n' > "$TMPD/bad1.mps"
expect_exit 1 "$NMSPARSE" lp "$TMPD/bad1.mps" && expect_grep 'bad1.mps:6: .abc. is not a number' "$TMPD/err"
printf 'NAME bad\nROWS\n N obj\n L r1\nCOLUMNS\n x obj 1 r9 1\nENDATA\n' > "$TMPD/bad2.mps"
expect_exit 1 "$NMSPARSE" lp "$TMPD/bad2.mps" && expect_grep "bad2.mps:6: unknown row 'r9'" "$TMPD/err"
printf 'NAME bad\nROWS\n N obj\n X r1\nENDATA\n' > "$TMPD/bad3.mps"
expect_exit 1 "$NMSPARSE" lp "$TMPD/bad3.mps" && expect_grep 'bad3.mps:4: row type' "$TMPD/err"
printf 'NAME bad\nROWS\n N obj\nCOLUMNS\n x obj 1\nBOUNDS\n ZZ bnd x 1\nENDATA\n' > "$TMPD/bad4.mps"
expect_exit 1 "$NMSPARSE" lp "$TMPD/bad4.mps" && expect_grep "bad4.mps:7: unknown or unsupported bound type 'ZZ'" "$TMPD/err"
printf 'NAME bad\nROWZ\nENDATA\n' > "$TMPD/bad5.mps"
expect_exit 1 "$NMSPARSE" lp "$TMPD/bad5.mps" && expect_grep "bad5.mps:2: unknown section 'ROWZ'" "$TMPD/err"
: > "$TMPD/empty.mps"
expect_exit 1 "$NMSPARSE" lp "$TMPD/empty.mps" && expect_grep 'no ROWS section' "$TMPD/err"
printf 'NAME d\nROWS\n N obj\n E r\nCOLUMNS\n x r 1\n x r 2\nENDATA\n' > "$TMPD/dup.mps"
expect_exit 1 "$NMSPARSE" lp "$TMPD/dup.mps" && expect_grep "column 'x' has two entries in row 'r'" "$TMPD/err"
expect_exit 1 "$NMSPARSE" lp "$TMPD/does-not-exist.mps" && expect_grep 'does-not-exist.mps' "$TMPD/err"

# Usage errors.
expect_exit 2 "$NMSPARSE" lp
expect_exit 2 "$NMSPARSE" lp "$D/tiny_fixed.mps" --primal --dual
expect_exit 2 "$NMSPARSE" lp "$D/tiny_fixed.mps" --time-limit abc
expect_exit 0 "$NMSPARSE" help lp && expect_grep 'Usage: nmsparse lp' "$TMPD/out"

finish

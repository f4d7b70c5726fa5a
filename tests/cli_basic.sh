#!/bin/sh
# CLI conventions, `info` and `eval` on the bundled example and small fixtures.
. "$top_srcdir/tests/testlib.sh"
D="$top_srcdir/tests/data"
EX32="$top_srcdir/data/landmark68_dense0_conv1.npy"
EX64="$top_srcdir/data/landmark68_dense1_conv1.npy"

# --help, --version, help COMMAND, usage errors (exit 2, "nmsparse: ..." on stderr)
expect_exit 0 "$NMSPARSE" --help && expect_grep '^  info ' "$TMPD/out" && expect_grep '^  eval ' "$TMPD/out"
expect_exit 0 "$NMSPARSE" --version && expect_grep '^nmsparse [0-9]' "$TMPD/out"
expect_exit 0 "$NMSPARSE" help info && expect_grep 'Usage: nmsparse info' "$TMPD/out"
expect_exit 0 "$NMSPARSE" eval --help && expect_grep 'Usage: nmsparse eval' "$TMPD/out"
expect_exit 2 "$NMSPARSE" && expect_grep 'Usage' "$TMPD/err"
expect_exit 2 "$NMSPARSE" frobnicate && expect_grep "^nmsparse: unknown command 'frobnicate'" "$TMPD/err"
expect_exit 2 "$NMSPARSE" help frobnicate
expect_exit 2 "$NMSPARSE" info && expect_grep '^nmsparse: ' "$TMPD/err"
expect_exit 2 "$NMSPARSE" info "$EX32" --bogus && expect_grep "unknown option '--bogus'" "$TMPD/err"
expect_exit 2 "$NMSPARSE" info "$EX32" --layout && expect_grep 'needs a value' "$TMPD/err"
expect_exit 2 "$NMSPARSE" info "$EX32" --layout nchw && expect_grep "unknown layout 'nchw'" "$TMPD/err"
expect_exit 2 "$NMSPARSE" eval "$EX32" && expect_grep '^nmsparse: ' "$TMPD/err"

# info on the bundled layers reproduces the manifest's fractions
expect_exit 0 "$NMSPARSE" info "$EX32" && expect_grep '^-  *F32  *32x32  *32x32  *0.749401  *0.804397$' "$TMPD/out"
expect_exit 0 "$NMSPARSE" info "$EX64" && expect_grep '0.748494  *0.799856$' "$TMPD/out"

# conv kernels: OIHW (default for 4-D) and HWIO of the same kernel give the same matrix view
expect_exit 0 "$NMSPARSE" info "$D/conv_oihw_f16.npy" && expect_grep 'F16  *8x16x3x3  *72x16  *0.749542  *0.790256$' "$TMPD/out"
expect_exit 0 "$NMSPARSE" info "$D/conv_hwio_f16.npy" --layout hwio && expect_grep 'F16  *3x3x16x8  *72x16  *0.749542  *0.790256$' "$TMPD/out"

# runtime errors: exit 1, message names the file and the problem
expect_exit 1 "$NMSPARSE" info "$TMPD/missing.npy" && expect_grep "^nmsparse: .*missing.npy" "$TMPD/err"
expect_exit 1 "$NMSPARSE" info "$D/truncated.npy" && expect_grep 'truncated.npy' "$TMPD/err"
expect_exit 1 "$NMSPARSE" info "$D/nan.npy" && expect_grep 'nan.npy.*NaN' "$TMPD/err"
expect_exit 0 "$NMSPARSE" info "$D/cols6.npy" && expect_grep '2x6  *- ' "$TMPD/out"

# eval: identity permutation equals identity; a known permutation of the 32x32 layer
i=0; : > "$TMPD/id.txt"; while [ $i -lt 32 ]; do echo $i >> "$TMPD/id.txt"; i=$((i + 1)); done
expect_exit 0 "$NMSPARSE" eval "$EX32" --perm "$TMPD/id.txt" && {
  expect_grep '^identity  *kept 207.89966' "$TMPD/out"
  expect_grep '^permutation  *kept 207.89966.*+0.0000% vs identity' "$TMPD/out"
}
# reversing the order of groups and the order inside groups changes nothing
i=31; : > "$TMPD/rev.txt"; while [ $i -ge 0 ]; do echo $i >> "$TMPD/rev.txt"; i=$((i - 1)); done
expect_exit 0 "$NMSPARSE" eval "$EX32" --perm "$TMPD/rev.txt" && expect_grep '^permutation  *kept 207.89966' "$TMPD/out"
# bad permutation files
head -n 31 "$TMPD/id.txt" > "$TMPD/short.txt"
expect_exit 1 "$NMSPARSE" eval "$EX32" --perm "$TMPD/short.txt" && expect_grep 'short.txt: holds 31 indices, but the matrix has 32 columns' "$TMPD/err"
{ head -n 31 "$TMPD/id.txt"; echo 5; } > "$TMPD/dup.txt"
expect_exit 1 "$NMSPARSE" eval "$EX32" --perm "$TMPD/dup.txt" && expect_grep 'dup.txt: column 5 appears twice' "$TMPD/err"
expect_exit 1 "$NMSPARSE" eval "$D/cols6.npy" --perm "$TMPD/id.txt" && expect_grep 'not a multiple of 4' "$TMPD/err"

finish

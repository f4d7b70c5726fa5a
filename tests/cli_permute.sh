#!/bin/sh
# `nmsparse permute` on the bundled 32x32 example layer (known optimum
# 218.928401, from ../shared/data/reference/partition-optima.tsv), report,
# permutation file, methods, thread independence, usage and runtime errors.
. "$top_srcdir/tests/testlib.sh"
EX32="$top_srcdir/data/landmark68_dense0_conv1.npy"

expect_exit 0 "$NMSPARSE" help permute && expect_grep 'Usage: nmsparse permute' "$TMPD/out"

# bp proves the optimum; the perm file re-evaluates to the same value
if expect_exit 0 "$NMSPARSE" permute "$EX32" -o "$TMPD/p.txt" --report "$TMPD/r.json" --threads 2; then
  expect_grep '^status  *optimal$' "$TMPD/out"
  expect_grep '^value  *218\.92840' "$TMPD/out"
  expect_grep 'nmsparse: .*done .*value' "$TMPD/err"
  for k in '"status": "optimal"' '"value": 218.9284' '"bound": 218.9284' '"bound_kind": "search"' \
           '"gap": ' '"identity_value": 207.8996' '"unstructured_bound": 223.1565' '"lp_bound": 219.0491' \
           '"seconds": ' '"cpu_seconds": ' '"nodes": ' '"columns": ' '"pricing_rounds": ' '"threads": [12]' '"rows": 32' '"cols": 32'; do
    expect_grep "$k" "$TMPD/r.json"
  done
  [ "$(grep -c '^[0-9][0-9]*$' "$TMPD/p.txt")" = 32 ] || fail "perm file does not hold 32 indices"
  [ "$(sort -n "$TMPD/p.txt" | uniq | wc -l)" -eq 32 ] || fail "perm file is not a permutation"
  expect_exit 0 "$NMSPARSE" eval "$EX32" --perm "$TMPD/p.txt" && expect_grep 'permutation *kept 218\.92840' "$TMPD/out"
fi

# one thread gives the same permutation
expect_exit 0 "$NMSPARSE" permute "$EX32" -o "$TMPD/p1.txt" --threads 1 --quiet
cmp -s "$TMPD/p.txt" "$TMPD/p1.txt" || fail "permutation differs between 1 and 2 threads"
[ ! -s "$TMPD/err" ] || fail "--quiet still printed progress"

# swap and identity: heuristic status, unstructured bound, not above the optimum
expect_exit 0 "$NMSPARSE" permute "$EX32" --method swap --quiet --report "$TMPD/s.json" &&
  expect_grep '"status": "heuristic"' "$TMPD/s.json" && expect_grep '"bound_kind": "unstructured"' "$TMPD/s.json"
expect_exit 0 "$NMSPARSE" permute "$EX32" --method identity --quiet && expect_grep '^value  *207\.89966' "$TMPD/out"

# a loose gap stops early with a valid certificate
expect_exit 0 "$NMSPARSE" permute "$EX32" --gap 0.01 --quiet --report "$TMPD/g.json" &&
  expect_grep '"status": "\(gap_limit\|optimal\)"' "$TMPD/g.json"

# several tensors sharing input channels are stacked: the layer twice keeps twice the optimum
"$NMSPARSE" pack "$EX32" --format csr -o "$TMPD/csr" -q >/dev/null 2>&1 &&
  "$NMSPARSE" unpack "$TMPD/csr" --format csr -o "$TMPD/one.safetensors" --tensor w1 >/dev/null 2>&1 ||
  fail "could not build a safetensors fixture with pack/unpack"
expect_exit 0 "$NMSPARSE" permute "$TMPD/one.safetensors" --tensor w1 --tensor w1 --quiet && {
  expect_grep '^matrix  *64 x 32' "$TMPD/out"
  expect_grep '^status  *optimal$' "$TMPD/out"
  expect_grep '^value  *437\.85680' "$TMPD/out"
}
# --score must be nonnegative and of the weights' matrix shape
expect_exit 1 "$NMSPARSE" permute "$EX32" --score "$EX32" --quiet && expect_grep 'negative' "$TMPD/err"
expect_exit 1 "$NMSPARSE" permute "$EX32" --score "$top_srcdir/data/landmark68_dense1_conv1.npy" --quiet &&
  expect_grep 'score matrix is 64 x 64, the weights are 32 x 32' "$TMPD/err"

# usage errors (exit 2) and runtime errors (exit 1)
expect_exit 2 "$NMSPARSE" permute && expect_grep '^nmsparse' "$TMPD/err"
expect_exit 2 "$NMSPARSE" permute "$EX32" --method annealing && expect_grep 'bp, swap or identity' "$TMPD/err"
expect_exit 2 "$NMSPARSE" permute "$EX32" --gap -1
expect_exit 2 "$NMSPARSE" permute "$EX32" --time-limit abc
expect_exit 1 "$NMSPARSE" permute "$TMPD/absent.npy" && expect_grep 'absent.npy' "$TMPD/err"
expect_exit 1 "$NMSPARSE" permute "$EX32" --score "$TMPD/absent.npy"
expect_exit 1 "$NMSPARSE" permute "$EX32" -o "$TMPD/no/such/dir/p.txt" --quiet
finish

#!/bin/sh
# cli_recon.sh - `nmsparse reconstruct`: outputs, consistency between
# methods, conv layouts, permutations, the Fisher path and exit codes.
. "$top_srcdir/tests/testlib.sh"
F="$top_srcdir/tests/recon"

# value of "relative error  NAME  X" from the last run's stdout
relerr() { awk -v m="$1" '$1 == "relative" && $3 == m { print $4; exit }' "$TMPD/out"; }
# a <= b * f (floats)
le() { awk -v a="$1" -v b="$2" -v f="${3:-1}" 'BEGIN { exit !(a <= b * f) }'; }
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-5 * (b < 0 ? -b : b) + 1e-12) }'; }

# --- every method on a small linear layer; errors ordered as they must be
for m in magnitude wanda backsolve obs iht; do
  expect_exit 0 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/h.npy" --method $m \
      -o "$TMPD/$m.npy" --mask "$TMPD/${m}_mask.npy" --report "$TMPD/$m.json" || continue
  expect_grep "relative error *$m " "$TMPD/out"
  expect_grep "relative error *magnitude " "$TMPD/out"
  eval "e_$m=$(relerr $m)"
  [ -s "$TMPD/$m.npy" ] && [ -s "$TMPD/${m}_mask.npy" ] || fail "$m: outputs not written"
  expect_grep '"rel_error"' "$TMPD/$m.json"
  expect_grep "\"method\": \"$m\"" "$TMPD/$m.json"
done
le "$e_backsolve" "$e_wanda" || fail "backsolve ($e_backsolve) worse than its own mask unrefitted ($e_wanda)"
le "$e_iht" "$e_backsolve" || fail "iht ($e_iht) worse than wanda+backsolve ($e_backsolve)"
le "$e_iht" "$e_obs" || fail "iht ($e_iht) worse than obs ($e_obs)"
le "$e_iht" "$e_magnitude" 0.5 || fail "iht ($e_iht) not well below magnitude ($e_magnitude)"
# the mask file is 2:4: bool, 8 x 16, 64 ones
ones=$(tail -c 128 "$TMPD/iht_mask.npy" | od -An -v -tu1 | tr -s ' ' '\n' | grep -c '^1$')
[ "$ones" = 64 ] || fail "iht mask keeps $ones of 128 (want 64)"
# refitting iht's own mask by backsolve reproduces iht's error
expect_exit 0 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/h.npy" --method backsolve --input-mask "$TMPD/iht_mask.npy"
near "$(relerr backsolve)" "$e_iht" || fail "backsolve of the iht mask gives $(relerr backsolve), iht gave $e_iht"

# --- H = identity: magnitude is optimal, every method finds it
expect_exit 0 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/eye.npy" --method iht
near "$(relerr iht)" "$(relerr magnitude)" || fail "identity H: iht $(relerr iht) != magnitude $(relerr magnitude)"

# --- identity permutation file = no permutation; a real one still works
seq 0 15 > "$TMPD/id.perm"
expect_exit 0 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/h.npy" --perm "$TMPD/id.perm"
near "$(relerr iht)" "$e_iht" || fail "identity permutation changed the result"
printf '%s\n' 3 0 7 12 1 5 9 14 2 4 8 13 6 10 11 15 > "$TMPD/p.perm"
expect_exit 0 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/h.npy" --perm "$TMPD/p.perm" --mask "$TMPD/pm.npy"
expect_grep "permuted" "$TMPD/out"
printf '%s\n' 0 1 2 > "$TMPD/short.perm"
expect_exit 1 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/h.npy" --perm "$TMPD/short.perm"

# --- Fisher
expect_exit 0 "$NMSPARSE" reconstruct "$F/w.npy" --fisher "$F/g.npy" --method backsolve
f_bs=$(relerr backsolve)
expect_exit 0 "$NMSPARSE" reconstruct "$F/w.npy" --fisher "$F/g.npy" --method iht --damp 0.1
expect_grep "Fisher" "$TMPD/out"
expect_exit 2 "$NMSPARSE" reconstruct "$F/w.npy" --fisher "$F/g.npy" --method obs
expect_grep "needs --gram" "$TMPD/err"

# --- conv kernels: H per input channel or coupled over kernel positions
expect_exit 0 "$NMSPARSE" reconstruct "$F/conv.npy" --gram "$F/hsmall.npy" -o "$TMPD/c1.npy"
expect_grep "36 x 4" "$TMPD/out"
expect_exit 0 "$NMSPARSE" reconstruct "$F/conv.npy" --gram "$F/hconv.npy" -o "$TMPD/c2.npy"
expect_grep "4 x 36" "$TMPD/out"
expect_grep "kernel positions coupled" "$TMPD/out"
cmp -s "$TMPD/c1.npy" "$F/conv.npy" && fail "conv output equals its input"
[ "$(head -c 128 "$TMPD/c2.npy" | tr -d '\0' | grep -c "(4, 4, 3, 3)")" = 1 ] || fail "conv output lost its shape"

# --- safetensors in and out: the pruned kernel written as .safetensors is
# read back by name; it is already 2:4, so magnitude pruning it again loses
# nothing and any method leaves it as it is (relative error 0)
expect_exit 0 "$NMSPARSE" reconstruct "$F/conv.npy" --gram "$F/hsmall.npy" -o "$TMPD/c.safetensors" --tensor conv1.weight
expect_exit 1 "$NMSPARSE" reconstruct "$TMPD/c.safetensors" --gram "$F/hsmall.npy" --tensor nosuch
expect_exit 0 "$NMSPARSE" reconstruct "$TMPD/c.safetensors" --tensor conv1.weight --gram "$F/hsmall.npy" --method backsolve
near "$(relerr backsolve)" 0 || fail "re-pruning a 2:4 kernel changed it: $(relerr backsolve)"
near "$(relerr magnitude)" 0 || fail "magnitude on a 2:4 kernel: $(relerr magnitude)"

# --- usage and runtime errors
expect_exit 2 "$NMSPARSE" reconstruct "$F/w.npy"
expect_grep "exactly one of --gram" "$TMPD/err"
expect_exit 2 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/h.npy" --fisher "$F/g.npy"
expect_exit 2 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/h.npy" --method sparsegpt
expect_grep "unknown method" "$TMPD/err"
expect_exit 2 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/h.npy" --damp -1
expect_exit 2 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/h.npy" --method iht --input-mask "$TMPD/iht_mask.npy"
expect_exit 1 "$NMSPARSE" reconstruct "$F/w.npy" --gram "$F/hsmall.npy"
expect_grep "must be 16 x 16" "$TMPD/err"
expect_exit 1 "$NMSPARSE" reconstruct "$TMPD/missing.npy" --gram "$F/h.npy"
expect_exit 0 "$NMSPARSE" help reconstruct
expect_grep "Usage: nmsparse reconstruct" "$TMPD/out"
: "$f_bs"
finish

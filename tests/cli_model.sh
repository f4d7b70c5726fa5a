#!/bin/sh
# CLI tests of `nmsparse model`: spec generation and checking, plan, apply
# (function preserved, 2:4 consumers), shrink (PSP), usage errors, atomic
# outputs.  Models come from tests/structured/fxtool (3-layer MLP, conv net
# with batch norm in OIHW + HWIO, residual block with a shared space).
. "$top_srcdir/tests/testlib.sh"
FX="$top_builddir/tests/structured/fxtool"
[ -x "$FX" ] || { echo "SKIP: $FX not built (needs Check)"; exit 77; }
D="$TMPD"
"$FX" write "$D" || { echo "FAIL: fxtool write"; exit 1; }

# same_function KIND A B : outputs agree to 1e-6
same_function() {
  d=$("$FX" compare "$1" "$2" "$3") || { fail "compare $1 $2 $3"; return; }
  awk -v d="$d" 'BEGIN { exit !(d + 0 <= 1e-6) }' || fail "$1: outputs of $(basename "$3") differ by $d"
}
differs() {
  d=$("$FX" compare "$1" "$2" "$3") || { fail "compare $1 $2 $3"; return; }
  awk -v d="$d" 'BEGIN { exit !(d + 0 > 1e-4) }' || fail "$1: $(basename "$3") should differ (got $d)"
}

# ---- spec ----
expect_exit 0 "$NMSPARSE" model spec "$D/mlp.safetensors" -o "$D/gen.spec"
expect_grep '^space fc1 16$' "$D/gen.spec"
expect_grep '^  producer fc1.weight:0$' "$D/gen.spec"
expect_grep '^  alpha    fc2.alpha:0$' "$D/gen.spec"
expect_grep '^  consumer fc3.weight:1$' "$D/gen.spec"
expect_exit 0 "$NMSPARSE" model check "$D/mlp.safetensors" --spec "$D/gen.spec"
expect_grep '2 channel spaces' "$D/out"
expect_exit 0 "$NMSPARSE" model spec "$D/conv.safetensors"
expect_grep "# no space: 'conv1.weight' has 8 outputs" "$D/out"
for k in mlp conv residual; do
  expect_exit 0 "$NMSPARSE" model check "$D/$k.safetensors" --spec "$D/$k.spec"
done

# ---- bad specs: the offending line ----
printf 'space h1\n  producer fc1.weight:0\n  consumer fc3.weight:1\n' > "$D/bad1.spec"
expect_exit 1 "$NMSPARSE" model check "$D/mlp.safetensors" --spec "$D/bad1.spec"
expect_grep "bad1.spec:3: 'fc3.weight' has 12 channels on axis 1 but space 'h1' has 16" "$D/err"
printf 'space h1\n  producer fc1.weight:0\n  bias fc1.bais\n  consumer fc2.weight:1\n' > "$D/bad2.spec"
expect_exit 1 "$NMSPARSE" model apply "$D/mlp.safetensors" --spec "$D/bad2.spec" --plan "$D/none.json" -o "$D/x.safetensors"
expect_exit 1 "$NMSPARSE" model check "$D/mlp.safetensors" --spec "$D/bad2.spec"
expect_grep "bad2.spec:3: tensor 'fc1.bais' is not in" "$D/err"
printf 'space c1\n  producer conv1.weight:0\n  consumer conv2.weight:1\n' > "$D/bad3.spec"
expect_exit 1 "$NMSPARSE" model check "$D/conv.safetensors" --spec "$D/bad3.spec"
expect_grep "bad3.spec:3: consumer 'conv2.weight' uses axis 1, but in layout oihw" "$D/err"
printf 'space h1\n  producer fc1.weight:0\n  feeds fc2.weight:1\n' > "$D/bad4.spec"
expect_exit 1 "$NMSPARSE" model check "$D/mlp.safetensors" --spec "$D/bad4.spec"
expect_grep "bad4.spec:3: unknown keyword 'feeds'" "$D/err"

# ---- plan ----
for k in mlp conv residual; do
  expect_exit 0 "$NMSPARSE" model plan "$D/$k.safetensors" --spec "$D/$k.spec" -o "$D/$k.plan.json" \
    --time-limit-per-layer 30 --jobs 2
  expect_grep '"format": "nmsparse-model-plan"' "$D/$k.plan.json"
  expect_grep '"status": "optimal"' "$D/$k.plan.json"
  expect_grep '^space .*consumers' "$D/out"
  expect_grep '^total' "$D/out"
  expect_grep '2/2 spaces' "$D/err"
done
expect_grep '^res  *2  *8 ' "$D/out"   # residual: two consumers stacked, 8 channels
# plan value >= identity value for every space
awk '/^(h1|h2|c1|c2|res|mid) / { if ($5 + 1e-9 < $4) bad = 1 } END { exit bad }' "$D/out" \
  || fail "a plan value is below the identity value"

# ---- apply ----
for k in mlp conv residual; do
  expect_exit 0 "$NMSPARSE" model apply "$D/$k.safetensors" --spec "$D/$k.spec" --plan "$D/$k.plan.json" -o "$D/$k.perm.safetensors"
  same_function "$k" "$D/$k.safetensors" "$D/$k.perm.safetensors"
  expect_exit 0 "$NMSPARSE" model apply "$D/$k.safetensors" --spec "$D/$k.spec" --plan "$D/$k.plan.json" -o "$D/$k.24.safetensors" --prune 2:4
  differs "$k" "$D/$k.safetensors" "$D/$k.24.safetensors"
done
"$FX" check24 "$D/mlp.24.safetensors" fc2.weight 1 >/dev/null || fail "fc2.weight is not 2:4"
"$FX" check24 "$D/mlp.24.safetensors" fc3.weight 1 >/dev/null || fail "fc3.weight is not 2:4"
"$FX" check24 "$D/conv.24.safetensors" conv2.weight 2 >/dev/null || fail "conv2.weight (hwio) is not 2:4"
"$FX" check24 "$D/residual.24.safetensors" fc1.weight 1 >/dev/null || fail "fc1.weight is not 2:4"
"$FX" check24 "$D/mlp.24.safetensors" fc1.weight 1 >/dev/null && fail "fc1.weight (input layer) was pruned"
# a hand-written plan with a reversed permutation also keeps the function
cat > "$D/rev.json" <<'JSON'
{"format": "nmsparse-model-plan", "version": 1, "spaces": [
 {"space": "h1", "channels": 16, "perm": [15,14,13,12,11,10,9,8,7,6,5,4,3,2,1,0]},
 {"space": "h2", "channels": 12, "perm": [11,10,9,8,7,6,5,4,3,2,1,0]}]}
JSON
expect_exit 0 "$NMSPARSE" model apply "$D/mlp.safetensors" --spec "$D/mlp.spec" --plan "$D/rev.json" -o "$D/rev.safetensors"
same_function mlp "$D/mlp.safetensors" "$D/rev.safetensors"
cmp -s "$D/mlp.safetensors" "$D/rev.safetensors" && fail "reversed plan changed nothing"
# invalid plans: nothing written
sed 's/\[11,10,9,8/[11,11,9,8/' "$D/rev.json" > "$D/dup.json"
expect_exit 1 "$NMSPARSE" model apply "$D/mlp.safetensors" --spec "$D/mlp.spec" --plan "$D/dup.json" -o "$D/dup.safetensors"
expect_grep "h2" "$D/err"
[ -e "$D/dup.safetensors" ] && fail "a failed apply left an output"
ls "$D" | grep -q '\.tmp\.' && fail "a temporary file was left behind"
expect_exit 1 "$NMSPARSE" model apply "$D/conv.safetensors" --spec "$D/conv.spec" --plan "$D/mlp.plan.json" -o "$D/x.safetensors"
expect_grep "no permutation for space 'c1'" "$D/err"

# ---- shrink ----
for k in mlp conv residual; do
  expect_exit 0 "$NMSPARSE" model shrink "$D/${k}_zero.safetensors" --spec "$D/$k.spec" -o "$D/$k.small.safetensors" --threshold 0
  same_function "$k" "$D/${k}_zero.safetensors" "$D/$k.small.safetensors"
  expect_grep '^parameters: ' "$D/out"
  expect_grep '^multiply-adds per output position: ' "$D/out"
done
expect_grep '^res  *8  *5  *3$' "$D/out"
expect_grep '^mid  *12  *12  *0$' "$D/out"
[ "$(wc -c < "$D/residual.small.safetensors")" -lt "$(wc -c < "$D/residual_zero.safetensors")" ] \
  || fail "the shrunk model is not smaller"
expect_exit 0 "$NMSPARSE" model shrink "$D/mlp.safetensors" --spec "$D/mlp.spec" -o "$D/half.safetensors" --ratio 0.5 --multiple 4
expect_grep '^h1  *16  *8  *8$' "$D/out"
expect_grep '^h2  *12  *8  *4$' "$D/out"
expect_grep 'parameters:  396 -> ' "$D/out"
"$FX" compare mlp "$D/mlp.safetensors" "$D/half.safetensors" >/dev/null || fail "the ratio-shrunk MLP cannot be evaluated"

# ---- usage errors ----
expect_exit 2 "$NMSPARSE" model
expect_exit 2 "$NMSPARSE" model frob
expect_exit 2 "$NMSPARSE" model plan "$D/mlp.safetensors" -o "$D/p.json"
expect_grep 'model plan: --spec SPEC is required' "$D/err"
expect_exit 2 "$NMSPARSE" model shrink "$D/mlp.safetensors" --spec "$D/mlp.spec" -o "$D/s.safetensors" --ratio 0.5 --threshold 1
expect_exit 2 "$NMSPARSE" model shrink "$D/mlp.safetensors" --spec "$D/mlp.spec" -o "$D/s.safetensors" --ratio 1.5
expect_exit 2 "$NMSPARSE" model apply "$D/mlp.safetensors" --spec "$D/mlp.spec" --plan "$D/rev.json" -o "$D/s.safetensors" --prune 1:4
expect_exit 2 "$NMSPARSE" model plan "$D/mlp.safetensors" --spec "$D/mlp.spec" -o "$D/p.json" --jobs 0
expect_exit 0 "$NMSPARSE" help model
expect_grep 'model shrink' "$D/out"
finish

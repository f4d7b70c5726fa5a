#!/bin/sh
# CLI tests of `nmsparse model`: spec generation and checking, plan, apply
# (function preserved, 2:4 consumers), shrink (PSP), usage errors, atomic
# outputs.  Models come from tests/structured/fxtool (3-layer MLP, conv net
# with batch norm in OIHW + HWIO, residual block with a shared space).
. "$top_srcdir/tests/testlib.sh"
FX="$top_builddir/tests/structured/fxtool"
[ -x "$FX" ] || { echo "SKIP: $FX not built"; exit 77; }
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
printf 'space c1\n  producer conv1.weight:0\n  consumer conv2.weight:2\n' > "$D/bad3.spec"
expect_exit 1 "$NMSPARSE" model check "$D/conv.safetensors" --spec "$D/bad3.spec"
expect_grep "bad3.spec:3: consumer 'conv2.weight' uses axis 2, but in layout oihw its input channels are axis 1" "$D/err"
printf 'space h1\n  producer fc1.weight:0\n  feeds fc2.weight:1\n' > "$D/bad4.spec"
expect_exit 1 "$NMSPARSE" model check "$D/mlp.safetensors" --spec "$D/bad4.spec"
expect_grep "bad4.spec:3: unknown keyword 'feeds'" "$D/err"

# rev_plan FILE NAME:C ... : a plan reversing (and rotating) every space
rev_plan() {
  out=$1; shift
  { printf '{"format": "nmsparse-model-plan", "version": 1, "spaces": ['
    sep=''
    for sc in "$@"; do
      n=${sc#*:}
      printf '%s\n {"space": "%s", "channels": %s, "perm": [' "$sep" "${sc%:*}" "$n"
      i=$((n - 1)); s2=''
      while [ $i -ge 0 ]; do printf '%s%d' "$s2" $(( (i + 3) % n )); s2=','; i=$((i - 1)); done
      printf ']}'
      sep=','
    done
    printf ']}\n'; } > "$out"
}
rev_plan "$D/mlp.rev.json" h1:16 h2:12
rev_plan "$D/conv.rev.json" c1:8 c2:12
rev_plan "$D/residual.rev.json" res:8 mid:12

# ---- apply (hand-written plans) ----
for k in mlp conv residual; do
  expect_exit 0 "$NMSPARSE" model apply "$D/$k.safetensors" --spec "$D/$k.spec" --plan "$D/$k.rev.json" -o "$D/$k.perm.safetensors"
  expect_grep '2 channel spaces permuted' "$D/out"
  same_function "$k" "$D/$k.safetensors" "$D/$k.perm.safetensors"
  cmp -s "$D/$k.safetensors" "$D/$k.perm.safetensors" && fail "$k: the plan changed nothing"
  expect_exit 0 "$NMSPARSE" model apply "$D/$k.safetensors" --spec "$D/$k.spec" --plan "$D/$k.rev.json" -o "$D/$k.24.safetensors" --prune 2:4
  differs "$k" "$D/$k.safetensors" "$D/$k.24.safetensors"
done
"$FX" check24 "$D/mlp.24.safetensors" fc2.weight 1 >/dev/null || fail "fc2.weight is not 2:4"
"$FX" check24 "$D/mlp.24.safetensors" fc3.weight 1 >/dev/null || fail "fc3.weight is not 2:4"
"$FX" check24 "$D/conv.24.safetensors" conv2.weight 2 >/dev/null || fail "conv2.weight (hwio) is not 2:4"
"$FX" check24 "$D/conv.24.safetensors" fc.weight 1 >/dev/null || fail "fc.weight is not 2:4"
"$FX" check24 "$D/residual.24.safetensors" fc1.weight 1 >/dev/null || fail "fc1.weight is not 2:4"
"$FX" check24 "$D/residual.24.safetensors" fc3.weight 1 >/dev/null || fail "fc3.weight is not 2:4"
"$FX" check24 "$D/mlp.24.safetensors" fc1.weight 1 >/dev/null && fail "fc1.weight (input layer) was pruned"
# outside the spec: copied byte for byte; metadata kept
"$FX" same "$D/conv.safetensors" "$D/conv.24.safetensors" bn1.num_batches_tracked || fail "bn1.num_batches_tracked changed"
"$FX" same "$D/conv.safetensors" "$D/conv.24.safetensors" fc.bias || fail "fc.bias changed"
"$FX" same "$D/conv.safetensors" "$D/conv.24.safetensors" conv2.bias && fail "conv2.bias did not move"
expect_exit 0 "$NMSPARSE" info "$D/conv.24.safetensors"
expect_grep 'format = pt' "$D/out"
# invalid plans: nothing written
sed 's/"perm": \[\([0-9]*\),\([0-9]*\),/"perm": [\1,\1,/' "$D/mlp.rev.json" > "$D/dup.json"
expect_exit 1 "$NMSPARSE" model apply "$D/mlp.safetensors" --spec "$D/mlp.spec" --plan "$D/dup.json" -o "$D/dup.safetensors"
expect_grep "h1" "$D/err"
[ -e "$D/dup.safetensors" ] && fail "a failed apply left an output"
ls "$D" | grep -q '\.tmp\.' && fail "a temporary file was left behind"
expect_exit 1 "$NMSPARSE" model apply "$D/conv.safetensors" --spec "$D/conv.spec" --plan "$D/mlp.rev.json" -o "$D/x.safetensors"
expect_grep "no permutation for space 'c1'" "$D/err"
printf '{"format": "nmsparse-model-plan", "spaces": [,]}' > "$D/broken.json"
expect_exit 1 "$NMSPARSE" model apply "$D/mlp.safetensors" --spec "$D/mlp.spec" --plan "$D/broken.json" -o "$D/x.safetensors"
expect_grep "broken.json:1:" "$D/err"

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
expect_exit 0 "$NMSPARSE" model plan "$D/residual.safetensors" --spec "$D/residual.spec" -o "$D/residual.1.json" --jobs 1
expect_grep '^res  *2  *8 ' "$D/out"   # residual: two consumers stacked, 8 channels
# plan value >= identity value for every space
awk '/^(res|mid) / { if ($5 + 1e-9 < $4) bad = 1 } END { exit bad }' "$D/out" \
  || fail "a plan value is below the identity value"
# the same permutations with 1 and 2 jobs
[ "$(grep -A1 '"perm"' "$D/residual.1.json" | grep -v seconds)" = "$(grep -A1 '"perm"' "$D/residual.plan.json" | grep -v seconds)" ] \
  || fail "plans differ between --jobs 1 and --jobs 2"
for k in mlp conv residual; do
  expect_exit 0 "$NMSPARSE" model apply "$D/$k.safetensors" --spec "$D/$k.spec" --plan "$D/$k.plan.json" -o "$D/$k.opt.safetensors" --prune 2:4
  "$FX" compare "$k" "$D/$k.safetensors" "$D/$k.opt.safetensors" >/dev/null || fail "$k: planned model cannot be evaluated"
done
# end to end: the |w| left in a space's only consumer after apply --prune 2:4
# is the plan's value for that space (h2 of the MLP: fc3.weight)
v=$(sed -n '/"space": "h2"/,/"perm"/p' "$D/mlp.plan.json" | sed -n 's/.*"value": \([^,]*\),.*/\1/p')
s=$("$FX" abs-sum "$D/mlp.opt.safetensors" fc3.weight)
awk -v v="$v" -v s="$s" 'BEGIN { d = v - s; if (d < 0) d = -d; exit !(v > 0 && d <= 1e-5 * v) }' \
  || fail "kept |w| of fc3.weight ($s) is not the plan value ($v)"

# ---- shrink ----
for k in mlp conv residual; do
  expect_exit 0 "$NMSPARSE" model shrink "$D/${k}_zero.safetensors" --spec "$D/$k.spec" -o "$D/$k.small.safetensors" --threshold 0
  same_function "$k" "$D/${k}_zero.safetensors" "$D/$k.small.safetensors"
  expect_grep '^parameters: ' "$D/out"
  expect_grep '^multiply-adds per output position: ' "$D/out"
done
expect_grep '^res  *8  *5  *3  |alpha|$' "$D/out"
expect_grep '^mid  *12  *12  *0  L2 norm$' "$D/out"
[ "$(wc -c < "$D/residual.small.safetensors")" -lt "$(wc -c < "$D/residual_zero.safetensors")" ] \
  || fail "the shrunk model is not smaller"
expect_exit 0 "$NMSPARSE" model shrink "$D/mlp.safetensors" --spec "$D/mlp.spec" -o "$D/half.safetensors" --ratio 0.5 --multiple 4
expect_grep '^h1  *16  *8  *8  |alpha|$' "$D/out"
expect_grep '^h2  *12  *8  *4  |alpha|$' "$D/out"
expect_grep 'parameters:  396 -> ' "$D/out"
"$FX" compare mlp "$D/mlp.safetensors" "$D/half.safetensors" >/dev/null || fail "the ratio-shrunk MLP cannot be evaluated"
# shrink, then 2:4: the written spec fits the shrunk model
expect_exit 0 "$NMSPARSE" model shrink "$D/conv_zero.safetensors" --spec "$D/conv.spec" -o "$D/c.small.safetensors" \
  --threshold 0 --multiple 4 --spec-out "$D/c.small.spec"
expect_grep '^space c1 8$' "$D/c.small.spec"     # 8 - 3 removed = 5, rounded up to 8
expect_grep '^space c2 8$' "$D/c.small.spec"
expect_grep '^  consumer conv2.weight:2 hwio$' "$D/c.small.spec"
expect_exit 1 "$NMSPARSE" model check "$D/c.small.safetensors" --spec "$D/conv.spec"
expect_exit 0 "$NMSPARSE" model plan "$D/c.small.safetensors" --spec "$D/c.small.spec" -o "$D/c.small.json"
expect_exit 0 "$NMSPARSE" model apply "$D/c.small.safetensors" --spec "$D/c.small.spec" --plan "$D/c.small.json" -o "$D/c.small.perm.safetensors"
same_function conv "$D/conv_zero.safetensors" "$D/c.small.perm.safetensors"

# ---- a real network with shared spaces (skipped without ../shared/data) ----
R="$NMS_SHARED_DATA/real"
if [ -d "$R" ]; then
  P=faceapi__face_landmark_68__
  set --
  for f in "$R/$P"L0*.npy; do b=$(basename "$f" .npy); set -- "$@" "${b#${P}L0??_}=$f"; done
  "$FX" assemble "$D/lm68.safetensors" "$@" || fail "assemble landmark68"
  expect_exit 0 "$NMSPARSE" model check "$D/lm68.safetensors" --spec "$top_srcdir/tests/structured/landmark68.spec"
  expect_grep '4 channel spaces' "$D/out"
  {
    printf 'space dense0 32\n' > "$D/lm0.spec"
    sed -n '/^space dense0/,/^space dense1/p' "$top_srcdir/tests/structured/landmark68.spec" | sed '1d;$d' >> "$D/lm0.spec"
    expect_exit 0 "$NMSPARSE" model plan "$D/lm68.safetensors" --spec "$D/lm0.spec" -o "$D/lm0.json" --time-limit-per-layer 60
    expect_grep '^dense0  *4  *32 .* optimal$' "$D/out"
    expect_exit 0 "$NMSPARSE" model apply "$D/lm68.safetensors" --spec "$D/lm0.spec" --plan "$D/lm0.json" -o "$D/lm0.safetensors" --prune 2:4
    "$FX" check24 "$D/lm0.safetensors" dense1.conv0.pointwise_filter 1 >/dev/null || fail "dense1.conv0 is not 2:4"
  }
else
  echo "SKIP: real-network section ($R is absent)"
fi

# ---- usage errors ----
expect_exit 2 "$NMSPARSE" model
expect_exit 2 "$NMSPARSE" model frob
expect_exit 2 "$NMSPARSE" model plan "$D/mlp.safetensors" -o "$D/p.json"
expect_grep 'model plan: --spec SPEC is required' "$D/err"
expect_exit 2 "$NMSPARSE" model shrink "$D/mlp.safetensors" --spec "$D/mlp.spec" -o "$D/s.safetensors" --ratio 0.5 --threshold 1
expect_exit 2 "$NMSPARSE" model shrink "$D/mlp.safetensors" --spec "$D/mlp.spec" -o "$D/s.safetensors" --ratio 1.5
expect_exit 2 "$NMSPARSE" model apply "$D/mlp.safetensors" --spec "$D/mlp.spec" --plan "$D/mlp.rev.json" -o "$D/s.safetensors" --prune 1:4
expect_exit 2 "$NMSPARSE" model plan "$D/mlp.safetensors" --spec "$D/mlp.spec" -o "$D/p.json" --jobs 0
expect_exit 0 "$NMSPARSE" help model
expect_grep 'model shrink' "$D/out"
finish

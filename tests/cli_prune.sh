#!/bin/sh
# nmsparse prune: hand-computed golden outputs (f32, f16, bf16, int8, ties,
# -0.0, infinities, all-zero groups), permutations in both column orders,
# masks, identical bytes from every kernel variant, safetensors models
# (selection, unchanged copies, metadata), NaN and usage errors, real layers.
. "$top_srcdir/tests/testlib.sh"
fx=$top_builddir/tests/prune/prune_fixture
N=$NMSPARSE
T=$TMPD

# same_tensor FILE_A NAME_A FILE_B NAME_B : identical raw bytes
same_tensor() {
  "$fx" dump "$1" $2 >"$T/d1" && "$fx" dump "$3" $4 >"$T/d2" && cmp -s "$T/d1" "$T/d2"
}

# ---- golden: float32 ------------------------------------------------------
"$fx" values f32 2x8 "$T/a.npy"  1 -3 2 0.5  0 0 0 0  -0 0 0 5  inf 1e38 -inf 3 || fail "fixture"
"$fx" values f32 2x8 "$T/a_want.npy"  0 -3 2 0  0 0 0 0  -0 0 0 5  inf 0 -inf 0
"$fx" values uint8 2x8 "$T/a_mask_want.npy"  0 1 1 0  1 1 0 0  1 0 0 1  1 0 1 0
expect_exit 0 "$N" prune "$T/a.npy" -o "$T/a_out.npy" --mask "$T/a_mask.npy"
same_tensor "$T/a_out.npy" "" "$T/a_want.npy" "" || fail "f32 golden values"
same_tensor "$T/a_mask.npy" "" "$T/a_mask_want.npy" "" || fail "f32 golden mask"
expect_grep "pruned .*a.npy: F32 2x8 (2 x 8 matrix)" "$T/out"

# permutation: groups (c0 c4 c1 c5) (c2 c6 c3 c7)
printf '# mixes the two groups\n0\n4\n1\n5\n2\n6\n3\n7\n' >"$T/p.txt"
"$fx" values f32 2x8 "$T/ap_want.npy"  1 0 -3 0 2 0 0.5 0   0 inf 0 1e38 0 -inf 5 0
"$fx" values f32 2x8 "$T/ao_want.npy"  1 -3 2 0.5 0 0 0 0   0 0 0 5 inf 1e38 -inf 0
"$fx" values uint8 2x8 "$T/ao_mask_want.npy"  1 1 1 1 0 0 0 0  0 0 0 1 1 1 1 0
expect_exit 0 "$N" prune "$T/a.npy" --perm "$T/p.txt" -o "$T/ap.npy"
same_tensor "$T/ap.npy" "" "$T/ap_want.npy" "" || fail "f32 permuted order"
expect_grep "permuted column order" "$T/out"
expect_exit 0 "$N" prune "$T/a.npy" --perm "$T/p.txt" --original-order -o "$T/ao.npy" --mask "$T/ao_mask.npy"
same_tensor "$T/ao.npy" "" "$T/ao_want.npy" "" || fail "f32 original order"
same_tensor "$T/ao_mask.npy" "" "$T/ao_mask_want.npy" "" || fail "f32 original-order mask"
# the identity permutation changes nothing
printf '0\n1\n2\n3\n4\n5\n6\n7\n' >"$T/id.txt"
expect_exit 0 "$N" prune "$T/a.npy" --perm "$T/id.txt" -q -o "$T/aid.npy"
same_tensor "$T/aid.npy" "" "$T/a_want.npy" "" || fail "identity permutation"
[ -s "$T/out" ] && fail "-q printed something"

# ---- golden: fp16 bits, int8, bf16 (uint16 .npy read with --dtype bf16) ------
"$fx" values f16 1x8 "$T/h.npy"  0x3c00 0xbc00 0x4000 0x0001  0x8000 0x0000 0x0001 0x8001
"$fx" values f16 1x8 "$T/h_want.npy"  0x3c00 0 0x4000 0  0 0 0x0001 0x8001
expect_exit 0 "$N" prune "$T/h.npy" -o "$T/h_out.npy"
same_tensor "$T/h_out.npy" "" "$T/h_want.npy" "" || fail "f16 golden"
"$fx" values i8 1x12 "$T/i.npy"  -128 127 -127 127  1 -1 1 -1  0 0 -5 0
"$fx" values i8 1x12 "$T/i_want.npy"  -128 127 0 0  1 -1 0 0  0 0 -5 0
expect_exit 0 "$N" prune "$T/i.npy" -o "$T/i_out.npy"
same_tensor "$T/i_out.npy" "" "$T/i_want.npy" "" || fail "int8 golden (|-128| = 128)"
"$fx" values u16 1x8 "$T/b.npy"  0xff80 0x0001 0x8000 0x7f7f  0x3f80 0xbf80 0x3f80 0x4000
"$fx" values u16 1x8 "$T/b_want.npy"  0xff80 0 0 0x7f7f  0x3f80 0 0 0x4000
expect_exit 0 "$N" prune "$T/b.npy" --dtype bf16 -o "$T/b_out.npy"
same_tensor "$T/b_out.npy" "" "$T/b_want.npy" "" || fail "bf16 golden"
expect_grep "BF16 1x8" "$T/out"
expect_exit 0 "$N" prune "$T/b.npy" --dtype bf16 -o "$T/b_out.safetensors"
same_tensor "$T/b_out.safetensors" "weight" "$T/b_want.npy" "" || fail "bf16 to safetensors"
expect_exit 2 "$N" prune "$T/a.npy" --dtype bf16 -o "$T/x.npy"

# ---- every kernel variant gives the same bytes -------------------------------
"$fx" npy f32 64x128 1 "$T/r32.npy"
"$fx" npy f16 16x32x3x3 2 "$T/r16.npy"
"$fx" npy i8 48x64 3 "$T/r8.npy"
"$fx" npy u16 20x36 4 "$T/rb.npy"
tested=""
for v in scalar sse4.1 avx2 avx512 neon; do
  "$N" prune "$T/r32.npy" --variant $v -q -o "$T/v.npy" 2>"$T/err"
  rc=$?
  if [ $rc = 1 ] && grep -q "does not support" "$T/err"; then continue; fi
  [ $rc = 0 ] || { fail "variant $v: exit $rc"; continue; }
  tested="$tested $v"
  for f in r32 r16 r8 rb; do
    extra=""; [ $f = rb ] && extra="--dtype bf16"
    expect_exit 0 "$N" prune "$T/$f.npy" $extra --variant $v -q -o "$T/$f.$v.npy" --mask "$T/$f.$v.mask.npy" || continue
    if [ $v != scalar ]; then
      cmp -s "$T/$f.$v.npy" "$T/$f.scalar.npy" || fail "$f: variant $v differs from scalar"
      cmp -s "$T/$f.$v.mask.npy" "$T/$f.scalar.mask.npy" || fail "$f: variant $v mask differs"
    fi
  done
done
echo "variants compared:$tested"
case $tested in *scalar*) ;; *) fail "scalar variant did not run";; esac
for f in r32 r16 r8; do
  "$fx" check24 "$T/$f.scalar.npy" >"$T/out" || fail "$f: output is not 2:4 (or not idempotent)"
done
grep -q "nonzeros" "$T/out" || fail "check24 printed nothing"
# the environment variable selects a variant; a bad one is an error
NMS_PRUNE_VARIANT=scalar "$N" prune "$T/r32.npy" -q -o "$T/env.npy" || fail "NMS_PRUNE_VARIANT=scalar"
cmp -s "$T/env.npy" "$T/r32.scalar.npy" || fail "NMS_PRUNE_VARIANT output"
NMS_PRUNE_VARIANT=bogus expect_exit 1 "$N" prune "$T/r32.npy" -o "$T/env2.npy"
expect_grep "NMS_PRUNE_VARIANT=bogus" "$T/err"
expect_exit 2 "$N" prune "$T/r32.npy" --variant mmx -o "$T/x.npy"
# 4-D with a permutation, both orders: same mask, columns moved
seq 31 -1 0 >"$T/rev32.txt"
expect_exit 0 "$N" prune "$T/r16.npy" --perm "$T/rev32.txt" -o "$T/r16p.npy" --mask "$T/r16p.mask.npy"
expect_exit 0 "$N" prune "$T/r16.npy" --perm "$T/rev32.txt" --original-order -o "$T/r16o.npy"
"$fx" check24 "$T/r16o.npy" >/dev/null && fail "reversed grouping should not be 2:4 in original order (fixture too regular?)"
expect_exit 1 "$N" prune "$T/r32.npy" --perm "$T/rev32.txt" -o "$T/x.npy"
expect_grep "permutation has 32 entries but the tensor has 128 input channels" "$T/err"
[ -e "$T/x.npy" ] && fail "output written after an error"

# ---- safetensors model ---------------------------------------------------------
"$fx" model 5 "$T/m.safetensors" || fail "model fixture"
expect_exit 0 "$N" prune "$T/m.safetensors" -o "$T/mo.safetensors" --mask "$T/mm.safetensors"
expect_grep "3 tensor(s) pruned, 4 copied unchanged" "$T/out"
for t in layer1.bias conv8.weight odd.weight steps; do
  same_tensor "$T/m.safetensors" $t "$T/mo.safetensors" $t || fail "$t not copied unchanged"
done
for t in layer1.weight conv.weight head.weight; do
  "$fx" check24 "$T/mo.safetensors" $t >/dev/null || fail "$t: not 2:4 after pruning"
  same_tensor "$T/m.safetensors" $t "$T/mo.safetensors" $t && fail "$t unchanged by pruning"
  "$fx" dump "$T/mm.safetensors" $t >/dev/null || fail "no mask for $t"
done
head -c 2000 "$T/mo.safetensors" | grep -a -q '"format" *: *"pt"' || fail "metadata not copied"
# one tensor to .npy equals the same tensor inside the model output
expect_exit 0 "$N" prune "$T/m.safetensors" --tensor head.weight -o "$T/head.npy"
same_tensor "$T/head.npy" "" "$T/mo.safetensors" head.weight || fail "--tensor to .npy"
expect_exit 0 "$N" prune "$T/m.safetensors" --tensor conv8.weight -o "$T/m8.safetensors"
expect_grep "1 tensor(s) pruned, 6 copied unchanged" "$T/out"
same_tensor "$T/m.safetensors" layer1.weight "$T/m8.safetensors" layer1.weight || fail "unnamed tensor changed"
expect_exit 0 "$N" prune "$T/m.safetensors" --min-size 100 -q -o "$T/m100.safetensors"
same_tensor "$T/m.safetensors" conv8.weight "$T/m100.safetensors" conv8.weight && fail "--min-size 100 should prune conv8.weight"
expect_exit 2 "$N" prune "$T/m.safetensors" --perm "$T/id.txt" -o "$T/x.safetensors"
expect_exit 1 "$N" prune "$T/m.safetensors" --tensor nosuch -o "$T/x.safetensors"
expect_grep "no tensor named 'nosuch'" "$T/err"
expect_exit 1 "$N" prune "$T/m.safetensors" --tensor odd.weight -o "$T/x.safetensors"
expect_grep "odd.weight" "$T/err"
expect_exit 1 "$N" prune "$T/m.safetensors" --tensor steps -o "$T/x.safetensors"
[ -e "$T/x.safetensors" ] && fail "output written after an error"

# ---- NaN and usage errors ---------------------------------------------------------
"$fx" values f32 2x8 "$T/nan.npy"  1 2 3 4 5 6 7 8  1 2 3 4 5 6 nan 8
expect_exit 1 "$N" prune "$T/nan.npy" -o "$T/nan_out.npy"
expect_grep "NaN at row 1, column 6" "$T/err"
[ -e "$T/nan_out.npy" ] && fail "output written despite NaN"
expect_exit 2 "$N" prune "$T/a.npy"
expect_exit 2 "$N" prune -o "$T/x.npy"
expect_exit 2 "$N" prune "$T/a.npy" -o "$T/x.txt"
expect_exit 2 "$N" prune "$T/a.npy" --original-order -o "$T/x.npy"
expect_exit 2 "$N" prune "$T/a.npy" --layout nchw -o "$T/x.npy"
expect_exit 1 "$N" prune "$T/missing.npy" -o "$T/x.npy"
"$fx" values f32 1x6 "$T/six.npy" 1 2 3 4 5 6
expect_exit 1 "$N" prune "$T/six.npy" -o "$T/x.npy"
expect_grep "multiple of 4" "$T/err"
expect_exit 0 "$N" help prune
expect_grep "original-order" "$T/out"

# ---- prune --format: prune and pack in one step ----------------------------------
# byte-identical to prune --original-order then pack --perm (and, without a
# permutation, to prune then pack), every format and dtype; the outputs of
# the two ways go to two directories under the same prefix name (the C
# source names its arrays after the prefix)
same_files() { # FORMAT: $T/one/w.* against $T/two/w.*
  case $1 in
    c) set -- h c ;;
    csr) set -- indptr.npy indices.npy data.npy shape.npy ;;
    *) set -- values.npy meta.npy ;;
  esac
  for ext; do cmp -s "$T/one/w.$ext" "$T/two/w.$ext" || return 1; done
}
mkdir -p "$T/one" "$T/two"
perm_n() { i=$(($1 - 1)); while [ $i -ge 0 ]; do echo $(( (i * 37) % $1 )); i=$((i - 1)); done; }
perm_n 64 >"$T/p64.txt"
perm_n 128 >"$T/p128.txt"
for dt in f32 f16 i8; do
  shape=32x64 pf=$T/p64.txt
  [ $dt = i8 ] && shape=16x128 pf=$T/p128.txt
  "$fx" npy $dt $shape 7 "$T/f_$dt.npy" || fail "fixture $dt"
  for fmt in nm csr cutlass c; do
    pat=""; [ $dt = f32 ] && [ $fmt = cutlass ] && pat="--pattern 1:2"
    # without a permutation
    expect_exit 0 "$N" prune "$T/f_$dt.npy" $pat -q -o "$T/pd_$dt.npy"
    expect_exit 0 "$N" pack "$T/pd_$dt.npy" --format $fmt -q -o "$T/two/w"
    expect_exit 0 "$N" prune "$T/f_$dt.npy" $pat --format $fmt -q -o "$T/one/w"
    same_files $fmt || fail "prune --format $fmt ($dt) differs from prune + pack"
    # with a permutation
    expect_exit 0 "$N" prune "$T/f_$dt.npy" $pat --perm "$pf" --original-order -q -o "$T/po_$dt.npy"
    expect_exit 0 "$N" pack "$T/po_$dt.npy" --perm "$pf" --format $fmt -q -o "$T/two/w"
    expect_exit 0 "$N" prune "$T/f_$dt.npy" $pat --perm "$pf" --format $fmt -q -o "$T/one/w"
    same_files $fmt || fail "prune --perm --format $fmt ($dt) differs from prune + pack --perm"
    if [ $fmt != c ]; then
      cmp -s "$T/one/w.perm.npy" "$T/two/w.perm.npy" || fail "perm part ($dt $fmt)"
    fi
  done
done
# unpack restores the original order: int8 (no -0.0, which nm may not store)
expect_exit 0 "$N" prune "$T/f_i8.npy" --perm "$T/p128.txt" --format nm -q -o "$T/onep"
expect_exit 0 "$N" unpack "$T/onep" --format nm -o "$T/back.npy"
same_tensor "$T/back.npy" "" "$T/po_i8.npy" "" || fail "prune --format nm --perm: unpack differs from prune --original-order"
expect_exit 0 "$N" prune "$T/f_f16.npy" --format cutlass -o "$T/sum"
expect_grep "cutlass: 32 x 64 F16 -> .*sum.values.npy (32x32 F16) .*sum.meta.npy (32x4 I16)" "$T/out"
# safetensors output, variants agree
expect_exit 0 "$N" prune "$T/f_f16.npy" --format nm -q -o "$T/one.safetensors"
expect_exit 0 "$N" prune "$T/f_f16.npy" --format nm -q --variant scalar -o "$T/one_s.safetensors"
cmp -s "$T/one.safetensors" "$T/one_s.safetensors" || fail "prune --format: variants differ"
# fp32 cutlass needs 1:2: the error names the file and the pattern
expect_exit 1 "$N" prune "$T/f_f32.npy" --format cutlass -o "$T/bad"
expect_grep "f_f32.npy: .*1:2" "$T/err"
[ -e "$T/bad.values.npy" ] && fail "output written despite the error"
expect_exit 2 "$N" prune "$T/f_f16.npy" --format nm --mask "$T/m.npy" -o "$T/x"
expect_exit 2 "$N" prune "$T/f_f16.npy" --format zip -o "$T/x"
expect_exit 2 "$N" prune "$T/f_f16.npy" --c-format nm -o "$T/x.npy"
expect_exit 2 "$N" prune "$T/f_f16.npy" --pattern 2:8 -o "$T/x.npy"
expect_exit 0 "$N" help prune
expect_grep "format cutlass|nm|csr|c" "$T/out"

# ---- --pattern 1:2 golden, then pack --format cutlass for fp32 --------------------
"$fx" values f32 1x8 "$T/h.npy"  1 -2 3 3  -0 0 0 -5
"$fx" values f32 1x8 "$T/h_want.npy"  0 -2 3 0  -0 0 0 -5
expect_exit 0 "$N" prune "$T/h.npy" --pattern 1:2 -o "$T/h_out.npy"
same_tensor "$T/h_out.npy" "" "$T/h_want.npy" "" || fail "1:2 golden"
expect_grep "1:2" "$T/out"
expect_exit 0 "$N" prune "$T/f_f32.npy" --pattern 1:2 -q -o "$T/p12.npy"
expect_exit 0 "$N" pack "$T/p12.npy" --format cutlass -q -o "$T/p12c"
expect_exit 0 "$N" unpack "$T/p12c" --format cutlass -o "$T/p12back.npy"
same_tensor "$T/p12back.npy" "" "$T/p12.npy" "" || fail "1:2 fp32 cutlass round trip"

# ---- real layers (beside the project) ---------------------------------------------
if [ -d "$NMS_SHARED_DATA/real" ]; then
  n=0
  for f in "$NMS_SHARED_DATA"/real/*.npy; do
    n=$((n + 1))
    [ "${NMS_CHECK_LONG:-0}" = 1 ] || [ $n -le 6 ] || break
    "$N" prune "$f" -q -o "$T/real.npy" 2>"$T/err" || { grep -q "multiple of 4" "$T/err" && continue; fail "real $(basename "$f")"; continue; }
    "$N" prune "$f" -q --variant scalar -o "$T/real_s.npy" || fail "real scalar"
    cmp -s "$T/real.npy" "$T/real_s.npy" || fail "real $(basename "$f"): automatic variant differs from scalar"
    "$fx" check24 "$T/real.npy" >/dev/null || fail "real $(basename "$f"): output not 2:4"
  done
  echo "real layers checked: $n"
else
  echo "note: $NMS_SHARED_DATA/real absent, real layers skipped"
fi
finish

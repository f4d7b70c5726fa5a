#!/bin/sh
# nmsparse pack / unpack: the worked example's bytes, round trips through files
# for every format and dtype, safetensors output, permutations, the C source
# (compiled in strict C99 by gcc and clang when present), error exits, and no
# partial outputs.
. "$top_srcdir/tests/testlib.sh"
GEN="$top_builddir/tests/emit_gen"
[ -x "$GEN" ] || { echo "SKIP: $GEN not built"; exit 77; }
T=$TMPD

# last N bytes of a file as hex, space separated
tail_hex() { tail -c "$2" "$1" | od -An -v -tx1 | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'; }

# ---- the worked example: M[0][0] = 0x89CD at storage offset 0 ----
"$GEN" example "$T/ex.npy" || fail "emit_gen example"
expect_exit 0 "$NMSPARSE" pack "$T/ex.npy" --format cutlass -o "$T/ex" &&
  case "$(tail_hex "$T/ex.meta.npy" 256)" in
    "cd 89 ee ee ee ee ee ee"*) ;;
    *) fail "cutlass meta of the worked example: $(tail_hex "$T/ex.meta.npy" 256 | cut -c1-48)" ;;
  esac
# values row 0: .1669 .1017 -2.13 -.329 2.793 -.9917 2.361 -.686 in fp16
case "$(tail_hex "$T/ex.values.npy" 2048)" in
  "57 31 82 2e 43 c0 44 b5 96 41 ef bb b9 40 7d b9"*) ;;
  *) fail "cutlass values of the worked example: $(tail_hex "$T/ex.values.npy" 2048 | cut -c1-48)" ;;
esac
expect_exit 0 "$NMSPARSE" pack "$T/ex.npy" --format cutlass -o "$T/ex"
expect_grep "cutlass: 32 x 64 F16 -> .*ex.values.npy (32x32 F16) .*ex.meta.npy (32x4 I16)" "$TMPD/out"
expect_exit 0 "$NMSPARSE" pack "$T/ex.npy" --format cutlass -o "$T/ex" -q
[ -s "$TMPD/out" ] && fail "-q still prints"
# nm: the same codes, un-reordered bytes: cd 89 then ee ...
expect_exit 0 "$NMSPARSE" pack "$T/ex.npy" --format nm -o "$T/exnm" &&
  case "$(tail_hex "$T/exnm.meta.npy" 256)" in
    "cd 89 ee ee ee ee ee ee"*) ;;
    *) fail "nm meta of the worked example" ;;
  esac

# ---- round trips: pack, unpack, byte-identical .npy ----
roundtrip() { # FORMAT DTYPE M K [pairs] [extra pack options...]
  fmt=$1 dt=$2 m=$3 k=$4; shift 4
  mode=""; if [ "${1:-}" = pairs ]; then mode=pairs; shift; fi
  in="$T/in_${fmt}_$dt.npy"
  "$GEN" random "$dt" "$m" "$k" 7 "$in" $mode || { fail "emit_gen $dt"; return; }
  expect_exit 0 "$NMSPARSE" pack "$in" --format "$fmt" -o "$T/p_${fmt}_$dt" "$@" || return
  expect_exit 0 "$NMSPARSE" unpack "$T/p_${fmt}_$dt" --format "$fmt" -o "$T/out_${fmt}_$dt.npy" || return
  cmp -s "$in" "$T/out_${fmt}_$dt.npy" || fail "round trip $fmt $dt $m x $k"
}
roundtrip cutlass f16 64 128
roundtrip cutlass u16 32 64 --dtype bf16
roundtrip cutlass i8 32 256
roundtrip cutlass f32 32 64 pairs
for dt in f16 f32 f64 i8 u8 i16 u16 i32 i64; do
  roundtrip nm $dt 6 20
  roundtrip csr $dt 5 12
done
[ -f "$T/p_cutlass_u16.values.npy" ] && [ -f "$T/p_cutlass_u16.meta.npy" ] || fail "cutlass file names"
for part in indptr indices data shape; do
  [ -f "$T/p_csr_f32.$part.npy" ] || fail "csr part $part missing"
done

# ---- safetensors output: one file, values BF16 ----
"$GEN" random u16 32 64 3 "$T/b.npy"
expect_exit 0 "$NMSPARSE" pack "$T/b.npy" --dtype bf16 --format cutlass -o "$T/b.safetensors"
grep -q '"values":{"dtype":"BF16"' "$T/b.safetensors" || grep -q '"BF16"' "$T/b.safetensors" ||
  fail "safetensors values are not BF16"
grep -q '"meta"' "$T/b.safetensors" || fail "safetensors has no meta"
expect_exit 0 "$NMSPARSE" unpack "$T/b.safetensors" --format cutlass -o "$T/b_out.npy" &&
  { cmp -s "$T/b.npy" "$T/b_out.npy" || fail "safetensors round trip"; }
# safetensors input, --tensor, and safetensors output of unpack
"$GEN" random bf16 32 64 4 "$T/m.safetensors"
expect_exit 2 "$NMSPARSE" pack "$T/m.safetensors" --format cutlass -o "$T/m1"
expect_grep "--tensor" "$TMPD/err"
expect_exit 0 "$NMSPARSE" pack "$T/m.safetensors" --tensor w --format cutlass -o "$T/m2.safetensors"
expect_exit 0 "$NMSPARSE" unpack "$T/m2.safetensors" --format cutlass -o "$T/m3.safetensors" --tensor w
expect_exit 0 "$NMSPARSE" pack "$T/m3.safetensors" --format cutlass -o "$T/m4.safetensors"
cmp -s "$T/m2.safetensors" "$T/m4.safetensors" || fail "safetensors -> unpack -> pack differs"
expect_exit 1 "$NMSPARSE" unpack "$T/m2.safetensors" --format nm -o "$T/m5.npy"
expect_grep "cutlass" "$TMPD/err"

# ---- permutation: pack B --perm reverse equals pack A; unpack restores B ----
"$GEN" random f16 32 64 11 "$T/A.npy"
"$GEN" random f16 32 64 11 "$T/B.npy" reverse
i=63; : >"$T/rev.perm"; while [ $i -ge 0 ]; do echo $i >>"$T/rev.perm"; i=$((i - 1)); done
expect_exit 0 "$NMSPARSE" pack "$T/A.npy" --format cutlass -o "$T/pa"
expect_exit 0 "$NMSPARSE" pack "$T/B.npy" --format cutlass --perm "$T/rev.perm" -o "$T/pb"
cmp -s "$T/pa.values.npy" "$T/pb.values.npy" && cmp -s "$T/pa.meta.npy" "$T/pb.meta.npy" ||
  fail "pack with --perm differs from packing the permuted matrix"
[ -f "$T/pb.perm.npy" ] || fail "no perm part"
expect_exit 0 "$NMSPARSE" unpack "$T/pb" --format cutlass -o "$T/pb_out.npy" &&
  { cmp -s "$T/B.npy" "$T/pb_out.npy" || fail "unpack did not restore the original order"; }

# packing again without --perm to the same prefix drops the old perm part
expect_exit 0 "$NMSPARSE" pack "$T/A.npy" --format cutlass -o "$T/pb"
[ ! -e "$T/pb.perm.npy" ] || fail "stale perm part left behind"
expect_exit 0 "$NMSPARSE" unpack "$T/pb" --format cutlass -o "$T/pb_out2.npy" &&
  { cmp -s "$T/A.npy" "$T/pb_out2.npy" || fail "repack without --perm"; }

# a 4-D HWIO kernel: pack its matrix view, unpack with --shape / --layout
expect_exit 0 "$NMSPARSE" unpack "$T/pa" --format cutlass -o "$T/k4.npy" --shape 2x2x64x8 --layout hwio
expect_exit 0 "$NMSPARSE" pack "$T/k4.npy" --layout hwio --format cutlass -o "$T/k4p"
cmp -s "$T/pa.values.npy" "$T/k4p.values.npy" && cmp -s "$T/pa.meta.npy" "$T/k4p.meta.npy" ||
  fail "4-D hwio pack of the scattered tensor differs"
expect_exit 0 "$NMSPARSE" unpack "$T/k4p" --format cutlass -o "$T/k4b.npy" --shape 2x2x64x8 --layout hwio &&
  { cmp -s "$T/k4.npy" "$T/k4b.npy" || fail "4-D round trip"; }
expect_exit 1 "$NMSPARSE" unpack "$T/k4p" --format cutlass -o "$T/k4c.npy" --shape 3x64x8
expect_exit 2 "$NMSPARSE" unpack "$T/k4p" --format cutlass -o "$T/k4c.npy" --shape 3xx8
expect_exit 2 "$NMSPARSE" unpack "$T/k4p" --format cutlass -o "$T/k4c.npy" --layout hwio

# ---- C source ----
expect_exit 0 "$NMSPARSE" pack "$T/B.npy" --format c --perm "$T/rev.perm" -o "$T/layer1"
[ -f "$T/layer1.h" ] && [ -f "$T/layer1.c" ] || fail "C files missing"
expect_grep "static const uint16_t layer1_values" "$T/layer1.c"
expect_grep "LAYER1_ROWS 32u" "$T/layer1.h"
expect_grep "Permutation applied: column j" "$T/layer1.h"
for cc in gcc clang; do
  command -v $cc >/dev/null 2>&1 || continue
  (cd "$T" && $cc -std=c99 -Wall -Wextra -pedantic -Werror -c layer1.c -o layer1_$cc.o) >"$T/cc.log" 2>&1 ||
    { fail "$cc rejects the generated C"; sed 's/^/  /' "$T/cc.log" | head; }
done
# C++ code can use it too (extern "C" in the header)
if command -v g++ >/dev/null 2>&1 && [ -f "$T/layer1_gcc.o" ]; then
  printf '#include "layer1.h"\nint main() { return layer1.rows == LAYER1_ROWS ? 0 : 1; }\n' >"$T/use.cc"
  (cd "$T" && g++ -Wall -Wextra -c use.cc -o use.o && g++ use.o layer1_gcc.o -o use && ./use) >"$T/cxx.log" 2>&1 ||
    { fail "C++ cannot link the generated C"; sed 's/^/  /' "$T/cxx.log" | head; }
fi
expect_exit 0 "$NMSPARSE" unpack "$T/layer1" --format c -o "$T/layer1_out.npy" &&
  { cmp -s "$T/B.npy" "$T/layer1_out.npy" || fail "C source round trip"; }
expect_exit 0 "$NMSPARSE" pack "$T/in_cutlass_i8.npy" --format c --c-format cutlass --symbol fc2 -o "$T/fc"
expect_grep "static const uint32_t fc2_meta" "$T/fc.c"
expect_exit 0 "$NMSPARSE" unpack "$T/fc" --format c -o "$T/fc_out.npy" &&
  { cmp -s "$T/in_cutlass_i8.npy" "$T/fc_out.npy" || fail "C source (cutlass int8) round trip"; }

# ---- with nmsparse prune (bundled real layer): prune -> pack -> unpack ----
L="$top_srcdir/data/landmark68_dense1_conv1.npy"
if [ -f "$L" ] && "$NMSPARSE" help prune >/dev/null 2>&1; then
  expect_exit 0 "$NMSPARSE" prune "$L" -o "$T/pr.npy" -q
  for fmt in nm csr c; do
    expect_exit 0 "$NMSPARSE" pack "$T/pr.npy" --format $fmt -o "$T/pr_$fmt" || continue
    expect_exit 0 "$NMSPARSE" unpack "$T/pr_$fmt" --format $fmt -o "$T/pr_$fmt.npy" &&
      { cmp -s "$T/pr.npy" "$T/pr_$fmt.npy" || fail "prune -> $fmt round trip"; }
  done
  # a 64 x 64 fp32 layer is 2:4, not 1:2: cutlass refuses it
  expect_exit 1 "$NMSPARSE" pack "$T/pr.npy" --format cutlass -o "$T/pr_cut"
  expect_grep "1:2" "$TMPD/err"
  # pruned under a permutation, kept in the original order: pack --perm
  # gives what packing the deployed (permuted) matrix gives
  i=0; : >"$T/p64.perm"
  while [ $i -lt 64 ]; do echo $(( (i * 37 + 11) % 64 )) >>"$T/p64.perm"; i=$((i + 1)); done
  expect_exit 0 "$NMSPARSE" prune "$L" --perm "$T/p64.perm" -o "$T/dep.npy" -q
  expect_exit 0 "$NMSPARSE" prune "$L" --perm "$T/p64.perm" --original-order -o "$T/orig.npy" -q
  expect_exit 0 "$NMSPARSE" pack "$T/dep.npy" --format nm -o "$T/dep"
  expect_exit 0 "$NMSPARSE" pack "$T/orig.npy" --format nm --perm "$T/p64.perm" -o "$T/orig"
  cmp -s "$T/dep.values.npy" "$T/orig.values.npy" && cmp -s "$T/dep.meta.npy" "$T/orig.meta.npy" ||
    fail "pack --perm of the original-order pruning differs from the deployed one"
  expect_exit 0 "$NMSPARSE" unpack "$T/orig" --format nm -o "$T/orig_back.npy" &&
    { cmp -s "$T/orig.npy" "$T/orig_back.npy" || fail "unpack did not restore the original order"; }
fi

# ---- errors, with no output left behind ----
nothing_written() { # PREFIX
  set -- "$1".*
  [ ! -e "$1" ] || fail "partial output left: $*"
}
"$GEN" dense f16 32 64 "$T/dense.npy"
expect_exit 1 "$NMSPARSE" pack "$T/dense.npy" --format cutlass -o "$T/d1"
expect_grep "row 0, group 0" "$TMPD/err"
nothing_written "$T/d1"
expect_exit 1 "$NMSPARSE" pack "$T/dense.npy" --format c -o "$T/d2"
nothing_written "$T/d2"
"$GEN" random f16 16 64 1 "$T/short.npy"
expect_exit 1 "$NMSPARSE" pack "$T/short.npy" --format cutlass -o "$T/d3"
expect_grep "rows % 32" "$TMPD/err"
nothing_written "$T/d3"
"$GEN" random f32 32 32 1 "$T/f24.npy"
expect_exit 1 "$NMSPARSE" pack "$T/f24.npy" --format cutlass -o "$T/d4"
expect_grep "1:2" "$TMPD/err"
nothing_written "$T/d4"
expect_exit 1 "$NMSPARSE" pack "$T/b.npy" --format cutlass -o "$T/d5"
expect_grep "bf16" "$TMPD/err"
# a later part that cannot be written: the earlier ones are removed again
mkdir "$T/d6.data.npy"
expect_exit 1 "$NMSPARSE" pack "$T/in_csr_f32.npy" --format csr -o "$T/d6"
[ ! -e "$T/d6.indptr.npy" ] && [ ! -e "$T/d6.indices.npy" ] && [ ! -e "$T/d6.shape.npy" ] ||
  fail "csr outputs left after a failed write"
ls "$T" | grep -q stage && fail "staging files left: $(ls "$T" | grep stage)"
expect_exit 1 "$NMSPARSE" pack "$T/missing.npy" --format nm -o "$T/d7"
expect_exit 1 "$NMSPARSE" pack "$T/A.npy" --format nm -o "$T/no/such/dir/p"
expect_exit 1 "$NMSPARSE" unpack "$T/nothing" --format nm -o "$T/x.npy"
# corrupt metadata is refused on unpack
cp "$T/p_nm_f32.values.npy" "$T/bad.values.npy"
cp "$T/p_nm_f32.meta.npy" "$T/bad.meta.npy"
printf '\377' | dd of="$T/bad.meta.npy" bs=1 seek=$(($(wc -c <"$T/bad.meta.npy") - 1)) conv=notrunc 2>/dev/null
expect_exit 1 "$NMSPARSE" unpack "$T/bad" --format nm -o "$T/bad_out.npy"
[ ! -e "$T/bad_out.npy" ] || fail "unpack wrote output from bad input"

# usage errors
expect_exit 2 "$NMSPARSE" pack "$T/A.npy" -o "$T/u1"
expect_exit 2 "$NMSPARSE" pack "$T/A.npy" --format zip -o "$T/u1"
expect_exit 2 "$NMSPARSE" pack "$T/A.npy" --format nm
expect_exit 2 "$NMSPARSE" pack "$T/A.npy" --format c -o "$T/u1.safetensors"
expect_exit 2 "$NMSPARSE" pack "$T/A.npy" --format nm --c-format nm -o "$T/u1"
expect_exit 2 "$NMSPARSE" pack "$T/A.npy" --format nm --dtype nope -o "$T/u1"
expect_exit 2 "$NMSPARSE" unpack "$T/pa" --format cutlass -o "$T/u1.txt"
expect_exit 2 "$NMSPARSE" unpack "$T/pa" -o "$T/u1.npy"
expect_exit 0 "$NMSPARSE" help pack
expect_grep "cutlass" "$TMPD/out"
finish

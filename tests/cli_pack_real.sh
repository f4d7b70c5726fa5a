#!/bin/sh
# nmsparse pack / unpack on real weight matrices (../shared/data/real):
# each is pruned to 2:4 (1:2 for fp32 cutlass) by a test-only pruner in
# several dtypes, packed in every format that fits its shape, unpacked, and
# compared byte for byte.  Also the C source of one layer compiles.
# A few layers by default; every layer with NMS_CHECK_LONG=1.
. "$top_srcdir/tests/testlib.sh"
need_shared real
GEN="$top_builddir/tests/emit_gen"
[ -x "$GEN" ] || { echo "SKIP: $GEN not built"; exit 77; }
T=$TMPD
limit=12
[ "${NMS_CHECK_LONG:-0}" = 1 ] && limit=100000
n=0 packed=0 cut=0
for f in "$NMS_SHARED_DATA"/real/*.npy; do
  [ $n -ge $limit ] && break
  n=$((n + 1))
  for dt in f32 f16 bf16; do
    "$GEN" prune "$f" $dt "$T/w.npy" >"$T/gen.log" 2>&1 || { fail "prune $f $dt: $(cat "$T/gen.log")"; continue; }
    for fmt in nm csr cutlass; do
      if [ $fmt = cutlass ] && [ $dt = f32 ]; then
        "$GEN" prune "$f" f32 "$T/w.npy" pairs >/dev/null 2>&1 || continue
      fi
      dtopt=""
      [ $dt = bf16 ] && dtopt="--dtype bf16"
      "$NMSPARSE" pack "$T/w.npy" --format $fmt -o "$T/p" $dtopt >"$T/out" 2>"$T/err"
      rc=$?
      if [ $rc != 0 ]; then
        # cutlass legitimately refuses shapes that are not multiples of its tiles
        if [ $fmt = cutlass ] && grep -q "rows %\|columns %" "$T/err"; then cut=$((cut + 1)); continue; fi
        fail "pack $fmt $dt $(basename "$f"): $(cat "$T/err")"; continue
      fi
      expect_exit 0 "$NMSPARSE" unpack "$T/p" --format $fmt -o "$T/back.npy" || continue
      cmp -s "$T/w.npy" "$T/back.npy" || fail "round trip $fmt $dt $(basename "$f")"
      packed=$((packed + 1))
      rm -f "$T"/p.*
      [ $fmt = cutlass ] && [ $dt = f32 ] && "$GEN" prune "$f" $dt "$T/w.npy" >/dev/null 2>&1
    done
  done
done
echo "$n layers, $packed round trips, $cut cutlass shape refusals"
[ $packed -gt 0 ] || fail "nothing was packed"
# the C source of the last layer, in strict C99
"$NMSPARSE" pack "$T/w.npy" --format c -o "$T/layer" || fail "pack --format c"
if command -v gcc >/dev/null 2>&1; then
  (cd "$T" && gcc -std=c99 -Wall -Wextra -pedantic -Werror -c layer.c) || fail "gcc rejects layer.c"
fi
expect_exit 0 "$NMSPARSE" unpack "$T/layer" --format c -o "$T/layer_back.npy" &&
  { cmp -s "$T/w.npy" "$T/layer_back.npy" || fail "C source round trip on a real layer"; }
finish

#!/bin/sh
# price_bench.sh - the time of one exact pricing round (src/part) on real
# layers of $NMS_SHARED_DATA/real, at the duals of a short column
# generation: 256 x 256, 128 x 512 and 512 x 512.
#
# Environment:
#   PRICE_BENCH_CG=10   seconds of column generation before the timed round
# To time two builds on the same duals: run one with --save-pi F, the other
# with --load-pi F (see the top of tests/bench/price_bench.c).
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
: "${NMS_SHARED_DATA:=$top_srcdir/../shared/data}"
CG=${PRICE_BENCH_CG:-10}
D="$NMS_SHARED_DATA/real"
[ -d "$D" ] || { echo "price_bench: $D absent, skipped"; exit 0; }
for L in L014_ L025_ L016_; do
  for f in "$D"/faceapi__ssd_mobilenetv1__"$L"*.npy; do
    [ -f "$f" ] || continue
    "$top_builddir/tests/bench/price_bench" "$f" --cg "$CG" | tail -n 1
  done
done

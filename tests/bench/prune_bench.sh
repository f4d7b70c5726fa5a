#!/bin/sh
# make bench: 2:4 prune and fused prune + pack (nm, cutlass) vs memcpy of the
# same bytes, every dtype and kernel variant, matrices of 1 MB .. 1 GB
# (NMS_BENCH_PRUNE_SIZES overrides, in MB); then, at small sizes, prune +
# the allocating nms_pack() for comparison.
set -e
bin=$top_builddir/tests/bench/prune_bench
sizes=${NMS_BENCH_PRUNE_SIZES:-1,16,256,1024}
echo "prune_bench: sizes ${sizes} MB"
"$bin" --sizes "$sizes"
echo "prune_bench: with prune + nms_pack (allocating API), 1 and 16 MB"
"$bin" --sizes 1,16 --pack

#!/bin/sh
# make bench: 2:4 pruning throughput vs memcpy of the same bytes, every dtype
# and kernel variant, matrices of 1 MB .. 1 GB (NMS_BENCH_PRUNE_SIZES
# overrides, in MB); then prune + nms_pack (nm, cutlass) and prune + mask.
set -e
bin=$top_builddir/tests/bench/prune_bench
sizes=${NMS_BENCH_PRUNE_SIZES:-1,16,256,1024}
echo "prune_bench: pruned values only, sizes ${sizes} MB"
"$bin" --sizes "$sizes"
echo "prune_bench: prune + pack (src/emit nms_pack), 1 and 16 MB"
"$bin" --sizes 1,16 --pack --min-time 0.3
echo "prune_bench: values + 0/1 mask, 16 MB"
"$bin" --sizes 16 --mask --min-time 0.3

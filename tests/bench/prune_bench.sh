#!/bin/sh
# make bench: 2:4 pruning throughput vs memcpy, every dtype and variant,
# matrices of 1 MB .. 1 GB (NMS_BENCH_PRUNE_SIZES overrides, in MB).
set -e
bin=$top_builddir/tests/bench/prune_bench
sizes=${NMS_BENCH_PRUNE_SIZES:-1,16,256,1024}
echo "prune_bench: sizes ${sizes} MB; values only"
"$bin" --sizes "$sizes"
echo "prune_bench: values + 0/1 mask, 16 MB"
"$bin" --sizes 16 --mask --min-time 0.3

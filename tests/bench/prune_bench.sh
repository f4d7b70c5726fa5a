#!/bin/sh
# make bench: 2:4 prune and fused prune + pack (nm, cutlass) vs memcpy of the
# same bytes, every dtype and kernel variant, matrices of 1 MB .. 1 GB
# (NMS_BENCH_PRUNE_SIZES overrides, in MB), on one thread and then on two
# (inputs of 4 MB and more are split over OpenMP threads); then 1 MB with half
# of the elements zero (groups keeping fewer than two nonzeros take the
# kernels' slower branch); then, at small sizes, nms_pack() of the already
# pruned matrix.
set -e
bin=$top_builddir/tests/bench/prune_bench
sizes=${NMS_BENCH_PRUNE_SIZES:-1,16,256,1024}
echo "prune_bench: sizes ${sizes} MB, one thread"
OMP_NUM_THREADS=1 "$bin" --sizes "$sizes"
echo "prune_bench: sizes 16,256 MB, two threads"
OMP_NUM_THREADS=2 "$bin" --sizes 16,256
echo "prune_bench: 1 MB, 50 % zeros, one thread"
OMP_NUM_THREADS=1 "$bin" --sizes 1 --zeros 50
echo "prune_bench: with nms_pack of the pruned matrix (allocating API), 1 and 16 MB, one thread"
OMP_NUM_THREADS=1 "$bin" --sizes 1,16 --pack

#!/bin/sh
# make bench: pack / unpack throughput of every format and dtype against memcpy.
# NMS_BENCH_MAX_MB limits the largest matrix (default 1024 MB).
exec "$top_builddir/tests/bench/emit_bench"

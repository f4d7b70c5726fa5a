#!/bin/sh
# make bench: throughput of the .npy / safetensors readers and writers, dtype
# conversion and the matrix view, against memcpy.
exec "$top_builddir/tests/bench/io_bench"

# src/prune: 2:4 pruning kernels (scalar reference + one file per
# instruction set, each in its own convenience library with its own -m
# flags), run-time dispatch, the driver and public API.
# src/util/cpu.c (CPU feature detection) is listed here because the
# pruning kernels are its only user so far.
libnmsparse_la_SOURCES += \
	src/util/cpu.h \
	src/util/cpu.c \
	src/prune/prune_kernels.h \
	src/prune/prune_nm_tables.h \
	src/prune/prune_scalar.c \
	src/prune/prune.h \
	src/prune/prune_dispatch.c \
	src/prune/prune.c \
	src/prune/prune_nm.c

if HAVE_SSE41
noinst_LTLIBRARIES += libnms_prune_sse41.la
libnms_prune_sse41_la_SOURCES = src/prune/prune_sse41.c
libnms_prune_sse41_la_CFLAGS = $(AM_CFLAGS) -msse4.1
libnmsparse_la_LIBADD += libnms_prune_sse41.la
endif
if HAVE_AVX2
noinst_LTLIBRARIES += libnms_prune_avx2.la
libnms_prune_avx2_la_SOURCES = src/prune/prune_avx2.c
libnms_prune_avx2_la_CFLAGS = $(AM_CFLAGS) -mavx2
libnmsparse_la_LIBADD += libnms_prune_avx2.la
endif
if HAVE_AVX512
noinst_LTLIBRARIES += libnms_prune_avx512.la
libnms_prune_avx512_la_SOURCES = src/prune/prune_avx512.c
libnms_prune_avx512_la_CFLAGS = $(AM_CFLAGS) -mavx512f -mavx512bw -mavx512vl
libnmsparse_la_LIBADD += libnms_prune_avx512.la
endif
if HAVE_NEON
noinst_LTLIBRARIES += libnms_prune_neon.la
libnms_prune_neon_la_SOURCES = src/prune/prune_neon.c
libnms_prune_neon_la_CFLAGS = $(AM_CFLAGS)
libnmsparse_la_LIBADD += libnms_prune_neon.la
endif
# Distribute every kernel even when this host builds only some of them.
EXTRA_DIST += src/prune/prune_sse41.c src/prune/prune_avx2.c \
	src/prune/prune_avx512.c src/prune/prune_neon.c

# Tests: every kernel variant the host runs against the scalar reference.
if HAVE_CHECK
check_PROGRAMS += tests/check_prune
TESTS += tests/check_prune
tests_check_prune_SOURCES = tests/check_prune.c tests/prune/testdata.c tests/prune/testdata.h
tests_check_prune_CFLAGS = $(UNITTEST_CFLAGS_ALL)
tests_check_prune_LDADD = $(UNITTEST_LIBS)
endif

# NEON kernels cross-built for aarch64 and run under qemu (make check-long).
TESTS += tests/prune_neon_cross.sh
EXTRA_DIST += tests/prune_neon_cross.sh tests/prune/neon_cross.c

# Benchmark (make bench): pruning vs memcpy.
EXTRA_PROGRAMS += tests/bench/prune_bench
bench_programs += tests/bench/prune_bench
bench_scripts += tests/bench/prune_bench.sh
EXTRA_DIST += tests/bench/prune_bench.sh
tests_bench_prune_bench_SOURCES = tests/bench/prune_bench.c
tests_bench_prune_bench_LDADD = libnmsparse.la
CLEANFILES += tests/bench/prune_bench

# The command line: nmsparse prune.
nmsparse_SOURCES += src/cli/cmd_prune.c

# CLI tests and their fixture helper (public API only).
check_PROGRAMS += tests/prune/prune_fixture
tests_prune_prune_fixture_SOURCES = tests/prune/prune_fixture.c
tests_prune_prune_fixture_LDADD = libnmsparse.la
TESTS += tests/cli_prune.sh
EXTRA_DIST += tests/cli_prune.sh

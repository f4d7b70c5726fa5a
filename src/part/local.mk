# src/part: the channel partition problem: objective, heuristics, exact
# pricing, column generation master, exact partition search, driver.
libnmsparse_la_SOURCES += \
	src/part/objective.h \
	src/part/objective.c \
	src/part/part.h \
	src/part/problem.c \
	src/part/col_sort.c \
	src/part/chan_bound.h \
	src/part/chan_bound.c \
	src/part/pass_bound.h \
	src/part/pass_bound.c \
	src/part/pack_bound.h \
	src/part/pack_bound.c \
	src/part/pricing_exact.c \
	src/part/price_kernels.h \
	src/part/pricing_dispatch.c \
	src/part/pricing_heur.c \
	src/part/heuristic.c \
	src/part/window.c \
	src/part/window_bp.c \
	src/part/lap.h \
	src/part/lap.c \
	src/part/refill.c \
	src/part/decisions.h \
	src/part/bb.c \
	src/part/solve.c \
	src/part/master.c \
	src/part/report.c

# The exact and the heuristic pricing once more per instruction set
# (price_kernels.h), under other names each; pricing_dispatch.c picks the
# variants at run time.
if HAVE_AVX2
noinst_LTLIBRARIES += libnms_part_avx2.la
libnms_part_avx2_la_SOURCES = src/part/pricing_exact.c src/part/pricing_heur.c
libnms_part_avx2_la_CFLAGS = $(AM_CFLAGS) -mavx2 -DPRICE_EXACT_NAME=nms__price_exact_avx2 \
	-DPRICE_HEUR_NAME=nms__price_heuristic_avx2
libnmsparse_la_LIBADD += libnms_part_avx2.la
endif
if HAVE_AVX512
noinst_LTLIBRARIES += libnms_part_avx512.la
libnms_part_avx512_la_SOURCES = src/part/pricing_exact.c src/part/pricing_heur.c
libnms_part_avx512_la_CFLAGS = $(AM_CFLAGS) -mavx512f -mavx512bw -DPRICE_EXACT_NAME=nms__price_exact_avx512 \
	-DPRICE_HEUR_NAME=nms__price_heuristic_avx512
libnmsparse_la_LIBADD += libnms_part_avx512.la
endif

nmsparse_SOURCES += src/cli/cmd_permute.c

if HAVE_CHECK
check_PROGRAMS += tests/check_part
TESTS += tests/check_part
tests_check_part_SOURCES = tests/check_part.c
tests_check_part_CFLAGS = $(UNITTEST_CFLAGS_ALL)
tests_check_part_LDADD = $(UNITTEST_LIBS)
endif

TESTS += tests/cli_permute.sh
EXTRA_DIST += tests/cli_permute.sh

bench_scripts += tests/bench/part_bench.sh
EXTRA_DIST += tests/bench/part_bench.sh
EXTRA_DIST += docs/partition-solver.md

EXTRA_PROGRAMS += tests/bench/price_bench
bench_programs += tests/bench/price_bench
tests_bench_price_bench_SOURCES = tests/bench/price_bench.c
tests_bench_price_bench_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS)
tests_bench_price_bench_LDADD = libnmsparse_internal.la
CLEANFILES += tests/bench/price_bench
bench_scripts += tests/bench/price_bench.sh
EXTRA_DIST += tests/bench/price_bench.sh

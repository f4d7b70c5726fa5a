# src/lp: sources, tests and benchmarks of this module.
libnmsparse_la_SOURCES += \
	src/lp/lp.h \
	src/lp/model.c \
	src/lp/lu.h \
	src/lp/lu.c \
	src/lp/lu_struct.h \
	src/lp/lu_factor.c \
	src/lp/scale.h \
	src/lp/scale.c \
	src/lp/simplex_work.h \
	src/lp/simplex.c \
	src/lp/dual.c \
	src/lp/mps.c \
	src/lp/solution.c

if HAVE_CHECK
check_PROGRAMS += tests/check_lp
TESTS += tests/check_lp
tests_check_lp_SOURCES = tests/check_lp.c
tests_check_lp_CFLAGS = $(UNITTEST_CFLAGS_ALL)
tests_check_lp_LDADD = $(UNITTEST_LIBS)
tests_check_lp_LDFLAGS = -static
endif

nmsparse_SOURCES += src/cli/cmd_lp.c

TESTS += tests/cli_lp.sh tests/cli_lp_netlib.sh
EXTRA_DIST += tests/cli_lp.sh tests/cli_lp_netlib.sh \
	tests/lp/tiny_fixed.mps tests/lp/tiny_free.mps \
	tests/lp/netlib_quick.list tests/lp/netlib.xfail

bench_scripts += tests/bench/lp_bench.sh
EXTRA_DIST += tests/bench/lp_bench.sh

EXTRA_PROGRAMS += tests/bench/lp_colgen
bench_programs += tests/bench/lp_colgen
tests_bench_lp_colgen_SOURCES = tests/bench/lp_colgen.c
tests_bench_lp_colgen_LDADD = libnmsparse.la
bench_scripts += tests/bench/lp_colgen.sh
EXTRA_DIST += tests/bench/lp_colgen.sh
CLEANFILES += tests/bench/lp_colgen

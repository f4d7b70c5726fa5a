# src/part: the channel partition problem: objective, heuristics, exact
# pricing, column generation master, exact partition search, driver.
libnmsparse_la_SOURCES += \
	src/part/objective.h \
	src/part/objective.c \
	src/part/part.h \
	src/part/problem.c \
	src/part/pricing_exact.c \
	src/part/pricing_heur.c \
	src/part/heuristic.c \
	src/part/window.c \
	src/part/bb.c \
	src/part/solve.c \
	src/part/master.c \
	src/part/report.c

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

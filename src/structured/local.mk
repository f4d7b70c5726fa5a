# src/structured: whole models (channel specs, consistent permutations,
# 2:4 pruning of consumers) and structured pruning with compaction (PSP).
libnmsparse_la_SOURCES += \
	src/structured/model.h \
	src/structured/model.c \
	src/structured/model_io.c \
	src/structured/spec.h \
	src/structured/spec.c \
	src/structured/elem.h \
	src/structured/elem.c \
	src/structured/axis_ops.h \
	src/structured/axis_ops.c \
	src/structured/apply.h \
	src/structured/apply.c \
	src/structured/shrink.h \
	src/structured/shrink.c \
	src/structured/plan.h \
	src/structured/plan.c \
	src/structured/plan_read.c \
	src/structured/plan_solve.c \
	src/structured/plan_part.c \
	src/structured/guess.h \
	src/structured/guess.c \
	src/structured/api.c
EXTRA_DIST += docs/channel-spec.md \
	tests/structured/landmark68.spec tests/bench/structured_real.sh
bench_scripts += tests/bench/structured_real.sh

nmsparse_SOURCES += src/cli/cmd_model.c

# fxtool: fixture models as safetensors files, an output comparer and
# small checks for tests/cli_model.sh (uses internal functions: the
# convenience copy of the library; needs no Check).
check_PROGRAMS += tests/structured/fxtool
TESTS += tests/cli_model.sh
EXTRA_DIST += tests/cli_model.sh
tests_structured_fxtool_SOURCES = tests/structured/fxtool.c \
	tests/structured/fixtures.c tests/structured/fixtures.h
tests_structured_fxtool_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_structured_fxtool_LDADD = libnmsparse_internal.la $(ZLIB_LIBS)

if HAVE_CHECK
check_PROGRAMS += tests/check_structured
TESTS += tests/check_structured
tests_check_structured_SOURCES = tests/check_structured.c \
	tests/structured/fixtures.c tests/structured/fixtures.h
tests_check_structured_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_check_structured_CFLAGS = $(UNITTEST_CFLAGS_ALL)
tests_check_structured_LDADD = $(UNITTEST_LIBS)
endif

# src/structured: whole models (channel specs, consistent permutations,
# 2:4 pruning of consumers) and structured pruning with compaction (PSP).
libnmsparse_la_SOURCES += \
	src/structured/model.h \
	src/structured/model.c \
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
	src/structured/plan_solve.c \
	src/structured/guess.h \
	src/structured/guess.c
EXTRA_DIST += docs/channel-spec.md

if HAVE_CHECK
check_PROGRAMS += tests/check_structured
TESTS += tests/check_structured
tests_check_structured_SOURCES = tests/check_structured.c \
	tests/structured/fixtures.c tests/structured/fixtures.h
tests_check_structured_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_check_structured_CFLAGS = $(UNITTEST_CFLAGS_ALL)
tests_check_structured_LDADD = $(UNITTEST_LIBS)
tests_check_structured_LDFLAGS = -static
endif

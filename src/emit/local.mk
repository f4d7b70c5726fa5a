# src/emit: sources, tests and benchmarks of this module.
libnmsparse_la_SOURCES += \
	src/emit/emit.h \
	src/emit/codes.c \
	src/emit/packed.c \
	src/emit/matrix_view.c \
	src/emit/cutlass.c \
	src/emit/nm.c \
	src/emit/csr.c \
	src/emit/stage.h \
	src/emit/stage.c \
	src/emit/c_source.h \
	src/emit/c_source.c \
	src/emit/c_source_read.c \
	src/emit/files.c

nmsparse_SOURCES += src/cli/cmd_pack.c src/cli/cmd_unpack.c src/cli/packed_out.c \
	src/cli/packed_out.h

check_PROGRAMS += tests/emit_gen
tests_emit_gen_SOURCES = tests/emit_gen.c
tests_emit_gen_LDADD = libnmsparse.la
TESTS += tests/cli_pack.sh tests/cli_pack_real.sh
EXTRA_DIST += tests/cli_pack.sh tests/cli_pack_real.sh docs/packed-formats.md


if HAVE_CHECK
check_PROGRAMS += tests/check_emit
TESTS += tests/check_emit
tests_check_emit_SOURCES = tests/check_emit.c
tests_check_emit_CFLAGS = $(UNITTEST_CFLAGS_ALL)
tests_check_emit_LDADD = $(UNITTEST_LIBS)
endif

# make bench: pack / unpack against memcpy
EXTRA_PROGRAMS += tests/bench/emit_bench
bench_programs += tests/bench/emit_bench
tests_bench_emit_bench_SOURCES = tests/bench/emit_bench.c
tests_bench_emit_bench_LDADD = libnmsparse.la
bench_scripts += tests/bench/emit.sh
EXTRA_DIST += tests/bench/emit.sh
CLEANFILES += tests/bench/emit_bench

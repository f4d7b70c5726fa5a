# src/io: tensors, .npy, safetensors, permutation files, atomic writes.
libnmsparse_la_SOURCES += \
	src/io/tensor.h \
	src/io/tensor.c \
	src/io/atomic_file.h \
	src/io/atomic_file.c \
	src/io/perm.h \
	src/io/perm.c \
	src/io/source.h \
	src/io/source.c \
	src/io/npy.c \
	src/io/convert.h \
	src/io/convert.c \
	src/io/layout.c \
	src/io/json.h \
	src/io/json.c \
	src/io/json_write.h \
	src/io/json_write.c \
	src/io/safetensors.c \
	src/util/half.h \
	src/util/half.c

if HAVE_CHECK
check_PROGRAMS += tests/check_io
TESTS += tests/check_io
tests_check_io_SOURCES = tests/check_io.c
tests_check_io_CFLAGS = $(UNITTEST_CFLAGS_ALL)
tests_check_io_LDADD = $(UNITTEST_LIBS)
tests_check_io_LDFLAGS = -static
endif

if HAVE_CHECK
check_PROGRAMS += tests/check_io_st
TESTS += tests/check_io_st
tests_check_io_st_SOURCES = tests/check_io_st.c
tests_check_io_st_CFLAGS = $(UNITTEST_CFLAGS_ALL)
tests_check_io_st_LDADD = $(UNITTEST_LIBS)
tests_check_io_st_LDFLAGS = -static
endif

# The readers and writers on the real matrices beside the project (skips
# when $NMS_SHARED_DATA is absent).  Public API only: no Check needed.
check_PROGRAMS += tests/check_io_real
TESTS += tests/check_io_real
tests_check_io_real_SOURCES = tests/check_io_real.c
tests_check_io_real_LDADD = libnmsparse.la

# Fuzz targets (libFuzzer): ./configure --enable-fuzz CC=clang, then
# 'make fuzz' builds tests/fuzz/fuzz_{npy,safetensors,json,perm} and
# 'make fuzz-run FUZZ_TIME=120' runs each for FUZZ_TIME seconds, growing a
# corpus in fuzz-corpus/<target> from the seeds in tests/fuzz/corpus/<target>.
# The readers are compiled into each target with the fuzzer's coverage
# instrumentation and ASan + UBSan; an input that takes over 10 s counts as a
# failure (a hang).  Failing inputs land in fuzz-artifacts/<target>-*.
fuzz_targets = npy safetensors json perm
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/npy.dict tests/fuzz/safetensors.dict tests/fuzz/json.dict \
	tests/fuzz/fuzz_npy.c tests/fuzz/fuzz_safetensors.c tests/fuzz/fuzz_json.c tests/fuzz/fuzz_perm.c
if ENABLE_FUZZ
NMS_FUZZ_FLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
NMS_FUZZ_LIBSRC = src/util/error.c src/util/alloc.c src/util/half.c src/io/tensor.c src/io/source.c \
	src/io/npy.c src/io/convert.c src/io/layout.c src/io/json.c src/io/json_write.c \
	src/io/safetensors.c src/io/perm.c src/io/atomic_file.c
fuzz_programs = tests/fuzz/fuzz_npy tests/fuzz/fuzz_safetensors tests/fuzz/fuzz_json tests/fuzz/fuzz_perm
EXTRA_PROGRAMS += $(fuzz_programs)
CLEANFILES += $(fuzz_programs)
tests_fuzz_fuzz_npy_SOURCES = tests/fuzz/fuzz_npy.c $(NMS_FUZZ_LIBSRC)
tests_fuzz_fuzz_npy_CFLAGS = $(WARN_CFLAGS) $(NMS_FUZZ_FLAGS)
tests_fuzz_fuzz_npy_LDFLAGS = $(NMS_FUZZ_FLAGS)
tests_fuzz_fuzz_safetensors_SOURCES = tests/fuzz/fuzz_safetensors.c $(NMS_FUZZ_LIBSRC)
tests_fuzz_fuzz_safetensors_CFLAGS = $(WARN_CFLAGS) $(NMS_FUZZ_FLAGS)
tests_fuzz_fuzz_safetensors_LDFLAGS = $(NMS_FUZZ_FLAGS)
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz_json.c $(NMS_FUZZ_LIBSRC)
tests_fuzz_fuzz_json_CFLAGS = $(WARN_CFLAGS) $(NMS_FUZZ_FLAGS)
tests_fuzz_fuzz_json_LDFLAGS = $(NMS_FUZZ_FLAGS)
tests_fuzz_fuzz_perm_SOURCES = tests/fuzz/fuzz_perm.c $(NMS_FUZZ_LIBSRC)
tests_fuzz_fuzz_perm_CFLAGS = $(WARN_CFLAGS) $(NMS_FUZZ_FLAGS)
tests_fuzz_fuzz_perm_LDFLAGS = $(NMS_FUZZ_FLAGS)

FUZZ_TIME = 60
fuzz: $(fuzz_programs)
fuzz-run: $(fuzz_programs)
	@set -e; for t in $(fuzz_targets); do \
	  mkdir -p fuzz-corpus/$$t fuzz-artifacts; \
	  dict=; test -f $(srcdir)/tests/fuzz/$$t.dict && dict=-dict=$(srcdir)/tests/fuzz/$$t.dict; \
	  echo "== fuzz_$$t for $(FUZZ_TIME) s"; \
	  ./tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -timeout=10 -max_len=65536 -print_final_stats=1 $$dict \
	    -artifact_prefix=fuzz-artifacts/$$t- fuzz-corpus/$$t $(srcdir)/tests/fuzz/corpus/$$t; \
	done
else
fuzz fuzz-run:
	@echo "fuzz targets are not configured: ./configure --enable-fuzz CC=clang"; exit 1
endif
.PHONY: fuzz fuzz-run

# make bench: reader / writer / matrix-view throughput against memcpy
EXTRA_PROGRAMS += tests/bench/io_bench
bench_programs += tests/bench/io_bench
tests_bench_io_bench_SOURCES = tests/bench/io_bench.c
tests_bench_io_bench_LDADD = libnmsparse.la
bench_scripts += tests/bench/io.sh
EXTRA_DIST += tests/bench/io.sh
CLEANFILES += tests/bench/io_bench

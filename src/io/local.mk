# src/io: tensors, .npy, safetensors, permutation files, atomic writes.
libnmsparse_la_SOURCES += \
	src/io/tensor.h \
	src/io/tensor.c \
	src/io/atomic_file.h \
	src/io/atomic_file.c \
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

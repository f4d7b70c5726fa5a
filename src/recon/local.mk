# src/recon: weight reconstruction under 2:4 with a Gram matrix or a
# low-rank empirical Fisher (backsolve, OBS, IHT), `nmsparse reconstruct`,
# its tests and the Fashion-MNIST benchmark.
libnmsparse_la_SOURCES += \
	src/recon/linalg.h \
	src/recon/linalg.c \
	src/recon/recon_internal.h \
	src/recon/gram.c \
	src/recon/fisher.c \
	src/recon/reconstruct.c

if HAVE_CHECK
check_PROGRAMS += tests/check_recon
TESTS += tests/check_recon
tests_check_recon_SOURCES = tests/check_recon.c
tests_check_recon_CFLAGS = $(UNITTEST_CFLAGS_ALL)
tests_check_recon_LDADD = $(UNITTEST_LIBS)
endif

# the `nmsparse reconstruct` command
nmsparse_SOURCES += src/cli/cmd_reconstruct.c

TESTS += tests/cli_recon.sh
EXTRA_DIST += docs/reconstruction.md tests/cli_recon.sh \
	tests/recon/make_fixtures.py \
	tests/recon/w.npy \
	tests/recon/h.npy \
	tests/recon/eye.npy \
	tests/recon/g.npy \
	tests/recon/conv.npy \
	tests/recon/hconv.npy \
	tests/recon/hsmall.npy

# Fashion-MNIST end-to-end benchmark (make bench)
EXTRA_PROGRAMS += tests/bench/recon_mnist
bench_programs += tests/bench/recon_mnist$(EXEEXT)
bench_scripts += tests/bench/recon_mnist.sh
EXTRA_DIST += tests/bench/recon_mnist.sh
CLEANFILES += tests/bench/recon_mnist.model
tests_bench_recon_mnist_SOURCES = tests/bench/recon_mnist.c
tests_bench_recon_mnist_LDADD = libnmsparse.la
tests_bench_recon_mnist_LDFLAGS = $(OPENMP_CFLAGS)

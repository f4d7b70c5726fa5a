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

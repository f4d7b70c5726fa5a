# tests: shared test helpers and the suites that are not tied to one module.

if !HAVE_CHECK
TESTS += tests/no_check.sh
endif
# ... and says so on the terminal, not only in tests/no_check.log.
check-local:
	@if test "x$(have_check)" != xyes; then \
	  echo "======================================================================"; \
	  echo "NOTE: Check (pkg-config 'check') was not found by configure: the unit-test"; \
	  echo "      suites are SKIPPED and only the command-line tests run.  Install it"; \
	  echo "      (Debian/Ubuntu: apt-get install check) and re-run configure."; \
	  echo "======================================================================"; \
	fi
EXTRA_DIST += tests/no_check.sh tests/testlib.sh tests/testutil.h

# Exported symbols: only nms_* in the static archive and the shared object.
TESTS += tests/exports.sh
EXTRA_DIST += tests/exports.sh

if HAVE_CHECK
check_PROGRAMS += tests/check_core
TESTS += tests/check_core
tests_check_core_SOURCES = tests/check_core.c
tests_check_core_CFLAGS = $(UNITTEST_CFLAGS_ALL)
tests_check_core_LDADD = $(UNITTEST_LIBS)
endif
EXTRA_DIST += data/landmark68_dense0_conv1.npy data/landmark68_dense1_conv1.npy data/README.md data/LICENSE LICENSE README

# Command-line tests and data-driven checks.
TESTS += tests/cli_basic.sh tests/real_manifest.sh tests/readme_example.sh
EXTRA_DIST += tests/cli_basic.sh tests/real_manifest.sh tests/readme_example.sh \
	tests/data/nan.npy tests/data/cols6.npy tests/data/truncated.npy \
	tests/data/conv_oihw_f16.npy tests/data/conv_hwio_f16.npy

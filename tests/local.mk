# tests: shared test helpers and the suites that are not tied to one module.

if !HAVE_CHECK
TESTS += tests/no_check.sh
endif
EXTRA_DIST += tests/no_check.sh tests/testlib.sh

# Exported symbols: only nms_* in the static archive and the shared object.
TESTS += tests/exports.sh
EXTRA_DIST += tests/exports.sh

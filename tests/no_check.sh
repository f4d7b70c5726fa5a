#!/bin/sh
# Stands in for the Check unit-test suites when configure did not find Check.
echo "NOTE: the Check unit-test framework was not found by configure (pkg-config 'check')."
echo "      The unit-test suites are SKIPPED; only the command-line tests run."
echo "      Install it (Debian/Ubuntu: apt-get install check) and re-run configure."
exit 77

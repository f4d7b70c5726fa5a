#!/bin/sh
# lp_colgen.sh - column generation on a random channel-partition master
# (see lp_colgen.c): LP seconds and iterations of the warm-started re-solves.
set -u
: "${top_builddir:=.}"
P="$top_builddir/tests/bench/lp_colgen"
[ -x "$P" ] || { echo "lp_colgen.sh: $P is not built"; exit 0; }
for args in "32 32 50 1" "64 64 200 1"; do
  echo "== lp_colgen $args"
  "$P" $args | tail -n 1
done

#!/bin/sh
# lp_bench.sh - nmsparse's simplex against glpsol (GLPK) on the Netlib LPs and
# the set-partitioning LP relaxations of $NMS_SHARED_DATA/lp, in the same run.
#
# Per problem: rows, columns, then for nmsparse and glpsol the status,
# objective, iterations and CPU seconds (user + system of the process, so the
# numbers mean something on a loaded machine), the time ratio
# nmsparse / glpsol (< 1: nmsparse faster) and whether nmsparse's objective
# matches reference.tsv (1e-6 relative).  Then the geometric mean of the
# ratios over the problems both solved (all, Netlib, set partitioning).
#
# Environment: NMS_LP_BENCH_LIMIT (seconds per solve, default 300),
# NMS_LP_BENCH_ONLY (space-separated problem names to run, default all).
# glpsol comes from the Debian package glpk-utils; when it is missing and we
# are root it is installed with apt-get, otherwise only nmsparse is timed.
set -u
: "${NMSPARSE:=./nmsparse}"
: "${top_srcdir:=.}"
: "${NMS_SHARED_DATA:=$top_srcdir/../shared/data}"
L="$NMS_SHARED_DATA/lp"
REF="$L/reference.tsv"
LIMIT=${NMS_LP_BENCH_LIMIT:-300}
ONLY=${NMS_LP_BENCH_ONLY:-}
if [ ! -f "$REF" ]; then echo "lp_bench: $REF is absent, nothing to do"; exit 0; fi
if ! command -v glpsol >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "lp_bench: installing glpk-utils for glpsol"
    apt-get install -y glpk-utils >/dev/null 2>&1 || echo "lp_bench: apt-get install glpk-utils failed"
  fi
fi
have_glpk=0
command -v glpsol >/dev/null 2>&1 && have_glpk=1
# time the real executable, not libtool's wrapper script
builddir=$(dirname "$NMSPARSE")
if [ -x "$builddir/.libs/nmsparse" ]; then
  NMSPARSE="$builddir/.libs/nmsparse"
  LD_LIBRARY_PATH="$builddir/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
fi
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/lpbench.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT

# cpu_run OUTFILE CMD... : run, write stdout+stderr to OUTFILE, print the CPU
# seconds of one run.  Runs under 0.2 s are repeated (up to 50 times) and
# averaged, since /usr/bin/time counts in 10 ms steps.
cpu_run() {
  out=$1; shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%U %S' -o "$TMPD/time" "$@" > "$out" 2>&1
    t=$(awk '{ printf "%.4f", $1 + $2 }' "$TMPD/time")
    reps=$(awk -v t="$t" 'BEGIN { if (t >= 0.2) print 1; else { r = int(0.2 / (t < 0.004 ? 0.004 : t)) + 1; print (r > 50 ? 50 : r) } }')
    if [ "$reps" -gt 1 ]; then
      /usr/bin/time -f '%U %S' -o "$TMPD/time" sh -c \
        'n=$1; shift; i=0; while [ $i -lt $n ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done' \
        sh "$reps" "$@"
      t=$(awk -v r="$reps" '{ printf "%.4f", ($1 + $2) / r }' "$TMPD/time")
    fi
    echo "$t"
  else
    s=$(date +%s.%N); "$@" > "$out" 2>&1; e=$(date +%s.%N)
    awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f", e - s }'
  fi
}

printf '%-9s %-7s %6s %6s | %-10s %19s %7s %8s | %-10s %19s %7s %8s | %7s %s\n' \
  problem set rows cols nms-status nms-objective nms-it nms-s glpk-status glpk-objective glpk-it glpk-s ratio ref
: > "$TMPD/ratios"
while IFS='	' read -r name set status ref; do
  [ "$name" = name ] && continue
  if [ -n "$ONLY" ]; then
    case " $ONLY " in *" $name "*) ;; *) continue ;; esac
  fi
  gzip -dc "$L/$set/$name.mps.gz" > "$TMPD/p.mps"
  ns=$(cpu_run "$TMPD/nms.out" "$NMSPARSE" lp --time-limit "$LIMIT" "$TMPD/p.mps")
  rows=$(awk '/^rows/ { print $2 }' "$TMPD/nms.out")
  cols=$(awk '/^columns/ { print $2 }' "$TMPD/nms.out")
  nst=$(awk '/^status/ { $1 = ""; sub(/^ +/, ""); gsub(/ /, "-"); print }' "$TMPD/nms.out")
  nobj=$(awk '/^objective/ { print $2 }' "$TMPD/nms.out")
  nit=$(awk '/^iterations/ { print $2 }' "$TMPD/nms.out")
  okref=$(awk -v a="$nobj" -v b="$ref" -v s="$nst" 'BEGIN {
         if (s != "optimal" || a == "") { print "FAIL"; exit }
         d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; if (m < 1) m = 1
         print (d <= 1e-6 * m) ? "ok" : "WRONG" }')
  gst=-; gobj=-; git=-; gs=-; ratio=-
  if [ "$have_glpk" = 1 ]; then
    rm -f "$TMPD/glpk.sol"
    gs=$(cpu_run "$TMPD/glpk.log" glpsol --mps --nomip "$TMPD/p.mps" --tmlim "$LIMIT" -o "$TMPD/glpk.sol")
    if grep -q 'MPS file processing error' "$TMPD/glpk.log"; then
      # glpsol's fixed-format reader rejects tabs (nw04): read it as free MPS
      gs=$(cpu_run "$TMPD/glpk.log" glpsol --freemps --nomip "$TMPD/p.mps" --tmlim "$LIMIT" -o "$TMPD/glpk.sol")
    fi
    gst=$(awk '/^Status:/ { $1 = ""; sub(/^ +/, ""); print tolower($0) }' "$TMPD/glpk.sol" 2>/dev/null)
    gobj=$(awk '/^Objective:/ { print $(NF-1) }' "$TMPD/glpk.sol" 2>/dev/null)
    git=$(awk '/^[ *]+[0-9]+: obj =/ { sub(/^[ *]+/, ""); sub(/:.*/, ""); it = $0 } END { print it + 0 }' "$TMPD/glpk.log")
    [ -n "$gst" ] || gst=error
    if [ "$okref" = ok ] && [ "$gst" = optimal ]; then
      ratio=$(awk -v a="$ns" -v b="$gs" 'BEGIN { if (a < 0.0005) a = 0.0005; if (b < 0.0005) b = 0.0005; printf "%.3f", a / b }')
      echo "$set $ratio" >> "$TMPD/ratios"
    fi
  fi
  printf '%-9s %-7s %6s %6s | %-10s %19s %7s %8s | %-10s %19s %7s %8s | %7s %s\n' \
    "$name" "$set" "$rows" "$cols" "$nst" "$nobj" "$nit" "$ns" "$gst" "$gobj" "$git" "$gs" "$ratio" "$okref"
done < "$REF"
if [ -s "$TMPD/ratios" ]; then
  awk '{ l = log($2); all += l; n++; s[$1] += l; c[$1]++ }
       END { printf "geometric mean of time ratios nmsparse/glpsol: all %.3f (%d problems)", exp(all / n), n
             for (k in s) printf ", %s %.3f (%d)", k, exp(s[k] / c[k]), c[k]
             printf "\n" }' "$TMPD/ratios"
fi
exit 0

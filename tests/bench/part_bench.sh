#!/bin/sh
# part_bench.sh - `nmsparse permute` on every real matrix of
# $NMS_SHARED_DATA/real: identity, the swap baseline and nmsparse (bp).
#
# Environment:
#   PART_BENCH_TIME=60     per-matrix time limit of each method, seconds
#   PART_BENCH_FILTER=RE   only files whose name matches the grep -E regex
#   PART_BENCH_MAXC=N      only matrices with at most N columns
#   PART_BENCH_MINC=N      only matrices with at least N columns
#   PART_BENCH_THREADS=N   --threads (default 0 = all)
#   PART_BENCH_OUT=FILE    also write the table as TSV to FILE
# Prints: file, R, C, identity, swap (value, s), nmsparse (value, bound, gap,
# status, s), then per C: proven optimal count, worst gap, max seconds, and
# whether nmsparse >= swap on every row.
set -u
: "${NMSPARSE:=./nmsparse}"
: "${top_srcdir:=.}"
: "${NMS_SHARED_DATA:=$top_srcdir/../shared/data}"
T=${PART_BENCH_TIME:-60}
FILTER=${PART_BENCH_FILTER:-.}
MAXC=${PART_BENCH_MAXC:-1000000}
MINC=${PART_BENCH_MINC:-0}
TH=${PART_BENCH_THREADS:-0}
OUT=${PART_BENCH_OUT:-}
M="$NMS_SHARED_DATA/real/manifest.tsv"
[ -f "$M" ] || { echo "part_bench: $M absent, skipped"; exit 0; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/partbench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

num() { sed -n "s/^ *\"$1\": \([^,]*\),*$/\1/p" "$2" | tr -d '"' | head -n 1; }

printf '%-60s %5s %5s %12s %12s %7s %12s %12s %9s %-10s %7s %7s\n' file R C identity swap swap_s nmsparse bound gap status s cpu_s
[ -n "$OUT" ] && printf 'file\tR\tC\tidentity\tswap\tswap_s\tnmsparse\tbound\tbound_kind\tgap\tstatus\ts\tcpu_s\n' > "$OUT"
tail -n +2 "$M" | cut -f1,7 | while IFS="$(printf '\t')" read -r f shape; do
  R=${shape%x*}; C=${shape#*x}
  echo "$f" | grep -Eq -e "$FILTER" || continue
  [ "$C" -le "$MAXC" ] && [ "$C" -ge "$MINC" ] || continue
  [ $((C % 4)) -eq 0 ] || continue
  p="$NMS_SHARED_DATA/real/$f"
  "$NMSPARSE" permute "$p" --method swap --time-limit "$T" --threads "$TH" --quiet --report "$TMP/s.json" >/dev/null 2>&1 || { echo "$f: swap failed"; continue; }
  "$NMSPARSE" permute "$p" --time-limit "$T" --threads "$TH" --quiet --report "$TMP/b.json" >/dev/null 2>&1 || { echo "$f: bp failed"; continue; }
  id=$(num identity_value "$TMP/b.json"); sv=$(num value "$TMP/s.json"); ss=$(num seconds "$TMP/s.json")
  bv=$(num value "$TMP/b.json"); bb=$(num bound "$TMP/b.json"); bk=$(num bound_kind "$TMP/b.json")
  bg=$(num gap "$TMP/b.json"); bst=$(num status "$TMP/b.json"); bs=$(num seconds "$TMP/b.json")
  bc=$(num cpu_seconds "$TMP/b.json")
  short=$(echo "$f" | cut -c1-60)
  printf '%-60s %5s %5s %12.6f %12.6f %7.2f %12.6f %12.6f %9.2e %-10s %7.2f %7.2f\n' "$short" "$R" "$C" "$id" "$sv" "$ss" "$bv" "$bb" "$bg" "$bst" "$bs" "$bc"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$f" "$R" "$C" "$id" "$sv" "$ss" "$bv" "$bb" "$bk" "$bg" "$bst" "$bs" "$bc" >> "$TMP/all.tsv"
done
[ -n "$OUT" ] && [ -f "$TMP/all.tsv" ] && cat "$TMP/all.tsv" >> "$OUT"
[ -f "$TMP/all.tsv" ] || exit 0
echo
echo "summary per C (time limit $T s per method):"
awk -F'\t' '{
  C=$3; n[C]++; if ($11=="optimal") opt[C]++;
  if (!(C in wg) || $10+0 > wg[C]) wg[C]=$10+0;
  if ($12+0 > ms[C]) ms[C]=$12+0;
  if ($13+0 > mc[C]) mc[C]=$13+0;
  if ($7+0 < $5+0 - 1e-9*($5+0)) below[C]++;
  gain[C] += ($7-$5)/$5
} END {
  printf "%6s %6s %8s %10s %9s %9s %12s %14s\n", "C", "count", "optimal", "worst_gap", "max_s", "max_cpu", "below_swap", "mean_vs_swap";
  for (C in n) printf "%6d %6d %8d %10.2e %9.2f %9.2f %12d %13.4f%%\n", C, n[C], opt[C]+0, wg[C], ms[C], mc[C], below[C]+0, 100*gain[C]/n[C]
}' "$TMP/all.tsv" | sort -n

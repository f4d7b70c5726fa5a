#!/bin/sh
# `nmsparse info` on every real matrix reproduces the manifest's identity 2:4
# kept fraction and unstructured bound (6 decimals: |difference| <= 1.5e-6).
. "$top_srcdir/tests/testlib.sh"
need_shared real
REAL="$NMS_SHARED_DATA/real"
n=0
tail -n +2 "$REAL/manifest.tsv" | cut -f1,7,10,11 > "$TMPD/manifest"
while IFS="$(printf '\t')" read -r file shape ident unstr; do
  n=$((n + 1))
  if ! "$NMSPARSE" info "$REAL/$file" > "$TMPD/out" 2>"$TMPD/err"; then
    fail "$file: exit status $?: $(cat "$TMPD/err")"; continue
  fi
  line=$(sed -n 3p "$TMPD/out")
  set -- $line
  # columns: tensor dtype shape matrix identity unstructured
  [ "$4" = "$shape" ] || fail "$file: matrix $4, manifest $shape"
  awk -v a="$5" -v b="$ident" -v c="$6" -v d="$unstr" 'BEGIN {
      x = a - b; if (x < 0) x = -x; y = c - d; if (y < 0) y = -y;
      exit (x <= 1.5e-6 && y <= 1.5e-6) ? 0 : 1 }' ||
    fail "$file: identity $5 unstructured $6, manifest $ident $unstr"
done < "$TMPD/manifest"
echo "$n matrices checked"
[ "$n" -eq 176 ] || fail "expected 176 matrices in the manifest, read $n"
finish

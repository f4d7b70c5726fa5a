#!/bin/sh
# Benchmark: `nmsparse model plan` on a real network with shared channel
# spaces -- the pointwise filters of face-api.js face_landmark_68 (four dense
# blocks, each ONE channel space read by 4 stacked consumers: 32, 64, 128,
# 256 channels), then `model apply --prune 2:4` and `model shrink`.
# NMS_BENCH_TIME_LIMIT (default 60) seconds per space; NMS_BENCH_JOBS (2).
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
: "${NMSPARSE:=$top_builddir/nmsparse}"
: "${NMS_SHARED_DATA:=$top_srcdir/../shared/data}"
R="$NMS_SHARED_DATA/real"
FX="$top_builddir/tests/structured/fxtool"
[ -d "$R" ] || { echo "SKIP: $R is absent"; exit 0; }
[ -x "$FX" ] || { echo "SKIP: $FX not built (make check builds it)"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/nmsbench.XXXXXX")
trap 'rm -rf "$T"' EXIT
P=faceapi__face_landmark_68__
set --
for f in "$R/$P"L0*.npy; do
  b=$(basename "$f" .npy); set -- "$@" "${b#${P}L0??_}=$f"
done
"$FX" assemble "$T/lm68.safetensors" "$@" || exit 1
SPEC="$top_srcdir/tests/structured/landmark68.spec"
"$NMSPARSE" model check "$T/lm68.safetensors" --spec "$SPEC" || exit 1
TL=${NMS_BENCH_TIME_LIMIT:-60}
J=${NMS_BENCH_JOBS:-2}
echo "model plan --time-limit-per-layer $TL --jobs $J"
s0=$(date +%s)
"$NMSPARSE" model plan "$T/lm68.safetensors" --spec "$SPEC" -o "$T/plan.json" \
  --time-limit-per-layer "$TL" --jobs "$J" --quiet || exit 1
s1=$(date +%s)
echo "wall seconds: $((s1 - s0))"
"$NMSPARSE" model apply "$T/lm68.safetensors" --spec "$SPEC" --plan "$T/plan.json" \
  -o "$T/lm68_24.safetensors" --prune 2:4 || exit 1
"$NMSPARSE" info "$T/lm68_24.safetensors" | sed -n '1,3p'
"$NMSPARSE" model shrink "$T/lm68.safetensors" --spec "$SPEC" -o "$T/lm68_small.safetensors" \
  --ratio 0.25 --multiple 4 || exit 1

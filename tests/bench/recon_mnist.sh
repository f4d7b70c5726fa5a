#!/bin/sh
# recon_mnist.sh - Fashion-MNIST end-to-end benchmark of 2:4 weight
# reconstruction (see recon_mnist.c).  Installs Debian's
# dataset-fashion-mnist (MIT licence) with apt-get when run as root and the
# data is missing; the idx files are decompressed into a temporary directory.
set -eu
: "${top_builddir:=.}"
: "${NMSPARSE:=$top_builddir/nmsparse}"
PROG="$top_builddir/tests/bench/recon_mnist"
DATA=/usr/share/datasets/fashion-mnist
if [ ! -f "$DATA/train-images-idx3-ubyte.gz" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y dataset-fashion-mnist >/dev/null 2>&1 || true
fi
if command -v dpkg >/dev/null && dpkg -L dataset-fashion-mnist >/dev/null 2>&1; then
  f=$(dpkg -L dataset-fashion-mnist | grep 'train-images-idx3-ubyte' | head -n 1)
  [ -n "$f" ] && DATA=$(dirname "$f")
fi
if [ ! -f "$DATA/train-images-idx3-ubyte.gz" ] && [ ! -f "$DATA/train-images-idx3-ubyte" ]; then
  echo "recon_mnist: Fashion-MNIST not found (apt-get install dataset-fashion-mnist); skipped"
  exit 0
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nms_fmnist.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
for n in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ -f "$DATA/$n.gz" ]; then gzip -dc "$DATA/$n.gz" > "$TMP/$n"; else cp "$DATA/$n" "$TMP/$n"; fi
done
# The trained weights are cached in the build tree (same seed and epochs
# give the same weights; delete the file to retrain).
"$PROG" "$TMP" --epochs "${NMS_BENCH_EPOCHS:-2}" --cache "$top_builddir/tests/bench/recon_mnist.model" \
    ${NMS_BENCH_RECON_ARGS:-}

#!/bin/sh
# The NEON 2:4 kernels on aarch64, from any host: cross-compile the kernels
# and tests/prune/neon_cross.c statically with aarch64-linux-gnu-gcc, run
# them under qemu-aarch64 (user emulation), require the NEON bytes to equal
# the scalar reference's, and the scalar digest to equal the host's.
# Long suite only (make check-long).  Installs the Debian packages
# gcc-aarch64-linux-gnu and qemu-user when missing and running as root;
# otherwise skips (77).  Override the tools with AARCH64_CC / QEMU_AARCH64.
. "$top_srcdir/tests/testlib.sh"

if [ "${NMS_CHECK_LONG:-0}" != 1 ]; then
  echo "SKIP: long suite only (make check-long)"; exit 77
fi

src=$top_srcdir
files="$src/src/prune/prune_scalar.c $src/tests/prune/testdata.c $src/tests/prune/neon_cross.c"
incs="-I$src/src -I$src/include -I$src/tests/prune"
host_cc=${CC:-cc}

if [ "$(uname -m)" = aarch64 ]; then
  # Native: no emulation needed.
  $host_cc -std=gnu11 -O2 $incs $files "$src/src/prune/prune_neon.c" -o "$TMPD/neon" || fail "native NEON build"
  "$TMPD/neon" || fail "NEON kernels differ from scalar"
  finish
fi

cross=${AARCH64_CC:-aarch64-linux-gnu-gcc}
find_qemu() {
  for q in ${QEMU_AARCH64:-} qemu-aarch64 qemu-aarch64-static; do
    command -v "$q" >/dev/null 2>&1 && { echo "$q"; return 0; }
  done
  return 1
}
qemu=$(find_qemu)
if ! command -v "$cross" >/dev/null 2>&1 || [ -z "$qemu" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing gcc-aarch64-linux-gnu qemu-user ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y gcc-aarch64-linux-gnu qemu-user >"$TMPD/apt.log" 2>&1 ||
      { DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y gcc-aarch64-linux-gnu qemu-user >"$TMPD/apt.log" 2>&1; } ||
      { tail -n 5 "$TMPD/apt.log"; echo "SKIP: could not install the cross tools"; exit 77; }
    qemu=$(find_qemu)
  fi
fi
if ! command -v "$cross" >/dev/null 2>&1 || [ -z "$qemu" ]; then
  echo "SKIP: needs $cross and qemu-aarch64 (apt-get install gcc-aarch64-linux-gnu qemu-user, as root)"
  exit 77
fi

# NEON build for aarch64, and the scalar-only digest on the host.
"$cross" -std=gnu11 -O2 -Wall -Wextra -Werror -static $incs $files "$src/src/prune/prune_neon.c" \
  -o "$TMPD/neon_aarch64" || { fail "cross-compiling the NEON kernels"; finish; }
$host_cc -std=gnu11 -O2 -DNO_NEON $incs $files -o "$TMPD/scalar_host" || { fail "host build"; finish; }

"$qemu" "$TMPD/neon_aarch64" >"$TMPD/neon.out" 2>"$TMPD/neon.err"
rc=$?
cat "$TMPD/neon.out"; head -n 10 "$TMPD/neon.err"
[ "$rc" = 0 ] || fail "NEON kernels differ from scalar under $qemu (exit $rc)"
"$TMPD/scalar_host" >"$TMPD/host.out" || fail "host scalar driver failed"
d_neon=$(sed -n 's/.*digest \([0-9a-f]*\).*/\1/p' "$TMPD/neon.out")
d_host=$(sed -n 's/.*digest \([0-9a-f]*\).*/\1/p' "$TMPD/host.out")
[ -n "$d_neon" ] && [ "$d_neon" = "$d_host" ] || fail "scalar digests differ: aarch64 $d_neon, host $d_host"
finish

#!/bin/sh
# quickstart.sh - build nmsparse on a fresh Debian/Ubuntu machine and run it.
#
#   ./quickstart.sh          install missing build tools (apt-get, as root or
#                            with sudo), configure, build, and find the optimal
#                            2:4 channel permutation of the bundled example
#                            layer in data/ (output in quickstart-out/)
#   ./quickstart.sh check    the same build, then the test suite (make check)
#
# Without root or sudo it names the missing packages and stops.
set -eu
cd "$(dirname "$0")"

mode=${1:-run}
case $mode in
  run|check) ;;
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: ./quickstart.sh [check]" >&2; exit 2 ;;
esac

jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

# ---- build dependencies ------------------------------------------------------
missing=""
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_cmd cc gcc
need_cmd make make
need_cmd autoreconf autoconf
need_cmd automake automake
need_cmd libtoolize libtool
need_cmd pkg-config pkg-config
if command -v pkg-config >/dev/null 2>&1; then
  pkg-config --exists check 2>/dev/null || missing="$missing check"
else
  missing="$missing check"
fi
[ -f /usr/include/zlib.h ] || missing="$missing zlib1g-dev"

if [ -n "$missing" ]; then
  echo "quickstart: missing build dependencies:$missing"
  if [ "$(id -u)" = 0 ]; then sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"
  else
    echo "quickstart: run as root (or with sudo) to install them, or install them yourself:"
    echo "    apt-get install$missing"
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "quickstart: apt-get not found; please install:$missing" >&2
    exit 1
  fi
  echo "quickstart: installing with apt-get:$missing"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
fi

# ---- configure and build -------------------------------------------------------
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
  echo "quickstart: autoreconf"
  mkdir -p m4   # AC_CONFIG_MACRO_DIR; a fresh clone has none (only generated files live there)
  autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
  echo "quickstart: configure"
  ./configure --quiet
fi
echo "quickstart: make -j$jobs"
make -j"$jobs" >/dev/null

if [ "$mode" = check ]; then
  echo "quickstart: make check"
  make -j"$jobs" check
  exit $?
fi

# ---- the main job on the bundled example ---------------------------------------------
example=data/landmark68_dense1_conv1.npy
out=quickstart-out
mkdir -p "$out"
echo
echo "\$ ./nmsparse info $example"
./nmsparse info "$example"
echo
echo "\$ ./nmsparse permute $example -o $out/landmark68.perm --report $out/landmark68.json"
./nmsparse permute "$example" -o "$out/landmark68.perm" --report "$out/landmark68.json"
echo
echo "\$ ./nmsparse eval $example --perm $out/landmark68.perm"
./nmsparse eval "$example" --perm "$out/landmark68.perm"
echo
echo "The permutation (one original input-channel index per line) is in $out/landmark68.perm,"
echo "the certificate (value, proven bound, gap, status) in $out/landmark68.json."
echo "Next: 'nmsparse help' lists every command; 'man ./docs/nmsparse.1' documents them."

#!/bin/sh
# Every global symbol defined by libnmsparse must start with nms_ (public)
# or nms__ (internal, static archive only); the shared object exports only
# the public nms_[a-z]* names.
. "$top_srcdir/tests/testlib.sh"
libs="$top_builddir/.libs"
status=0
checked=0
if [ -f "$libs/libnmsparse.a" ]; then
  # (.gomp_critical_user_nms_* are the locks of our named OpenMP critical
  # sections: compiler-made common symbols that carry our prefix.  clang
  # also makes .gomp_critical_user_.reduction.var for some reductions: an
  # OpenMP runtime name that no C identifier can clash with.)
  bad=$(nm -g --defined-only "$libs/libnmsparse.a" 2>/dev/null | awk 'NF==3 {print $3}' |
        grep -v -e '^nms_' -e '^\.gomp_critical_user_nms_' -e '^\.gomp_critical_user_\.reduction\.var$' | sort -u)
  if [ -n "$bad" ]; then echo "FAIL: static archive defines non-nms_ symbols:"; echo "$bad"; status=1; fi
  n=$(nm -g --defined-only "$libs/libnmsparse.a" | awk 'NF==3' | wc -l)
  [ "$n" -gt 0 ] || { echo "FAIL: no symbols in libnmsparse.a"; status=1; }
  echo "static archive libnmsparse.a: $n global symbols checked"
  checked=1
fi
so=$(ls "$libs"/libnmsparse.so.* 2>/dev/null | head -n 1)
if [ -n "$so" ]; then
  bad=$(nm -D --defined-only "$so" | awk 'NF==3 {print $3}' | grep -v '^nms_[a-z]' | sort -u)
  if [ -n "$bad" ]; then echo "FAIL: shared object exports:"; echo "$bad"; status=1; fi
  nm -D --defined-only "$so" | grep -q ' nms_strerror$' || { echo "FAIL: nms_strerror not exported"; status=1; }
  n=$(nm -D --defined-only "$so" | awk 'NF==3' | wc -l)
  echo "shared object $(basename "$so"): $n exported symbols checked"
  checked=1
fi
# What configure asked libtool to build: each one asked for must have been checked.
if [ -x "$top_builddir/libtool" ]; then
  eval "$("$top_builddir/libtool" --config | grep -E '^build_(libtool|old)_libs=')"
  if [ "${build_old_libs:-no}" = yes ] && [ ! -f "$libs/libnmsparse.a" ]; then
    echo "FAIL: static library enabled but $libs/libnmsparse.a is missing"; status=1
  fi
  if [ "${build_libtool_libs:-no}" = yes ] && [ -z "$so" ]; then
    echo "FAIL: shared library enabled but no $libs/libnmsparse.so.* found"; status=1
  fi
fi
[ "$checked" = 1 ] || { echo "SKIP: neither libnmsparse.a nor libnmsparse.so built"; exit 77; }
[ "$status" = 0 ] && echo "exports ok"
exit $status

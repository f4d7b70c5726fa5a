/*
 * testutil.h - helpers shared by the Check suites: a per-suite temporary
 * directory and whole-file writes.  Header-only (static inline functions), one copy
 * per test program.
 */
#ifndef NMS_TESTUTIL_H
#define NMS_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static char tmpdir[256];

/* Create a fresh directory $TMPDIR/<prefix>.XXXXXX in tmpdir. */
static inline void make_tmpdir_named(const char *prefix)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/%s.XXXXXX", base && *base ? base : "/tmp", prefix);
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static inline void remove_tmpdir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* tmpdir/name in a static buffer (valid until the next call). */
static inline const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static inline void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

#endif /* NMS_TESTUTIL_H */

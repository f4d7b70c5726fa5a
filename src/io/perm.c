/* perm.c - permutation files: one 0-based original column index per line. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/atomic_file.h"
#include "io/perm.h"
#include "util/util.h"

int nms_perm_check(const int32_t *p, size_t n, nms_error *err)
{
    unsigned char *seen = nms__calloc(n ? n : 1, 1);
    if (!seen)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < n; j++) {
        if (p[j] < 0 || (size_t)p[j] >= n) {
            nms__free(seen);
            return nms__fail(err, NMS_ERR_INVALID, "position %zu holds %ld, outside 0..%zu", j, (long)p[j], n ? n - 1 : 0);
        }
        if (seen[p[j]]) {
            nms__free(seen);
            return nms__fail(err, NMS_ERR_INVALID, "column %ld appears twice (again at position %zu)", (long)p[j], j);
        }
        seen[p[j]] = 1;
    }
    nms__free(seen);
    return NMS_OK;
}

/* One line into buf (without the newline); 0 at end of input, -1 for a
 * line longer than size - 1, -2 for a NUL byte, 1 for a line. */
static int next_line(FILE *f, char *buf, size_t size)
{
    size_t n = 0;
    int c, any = 0;
    while ((c = getc(f)) != EOF) {
        any = 1;
        if (c == '\n')
            break;
        if (c == '\0')
            return -2;
        if (n + 1 >= size)
            return -1;
        buf[n++] = (char)c;
    }
    buf[n] = '\0';
    return any ? 1 : 0;
}

int nms__perm_read_stream(FILE *f, const char *path, size_t expected_n,
                          int32_t **perm, size_t *n, nms_error *err)
{
    size_t cap = 64, len = 0;
    int32_t *p = nms__malloc_array(cap, sizeof *p);
    char line[256];
    long lineno = 0;
    int st = NMS_OK, rc;
    if (!p)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    while ((rc = next_line(f, line, sizeof line)) != 0) {
        lineno++;
        if (rc < 0) {
            st = nms__fail_at(err, NMS_ERR_FORMAT, path, lineno, 0, "%s:%ld: %s", path, lineno,
                              rc == -1 ? "line too long" : "NUL byte in a text file");
            break;
        }
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        char *end = s;
        long v = 0;
        errno = 0;
        if (isdigit((unsigned char)*s)) /* no sign: "+3" and "-0" are not indices */
            v = strtol(s, &end, 10);
        while (isspace((unsigned char)*end))
            end++;
        if (end == s || *end != '\0' || errno == ERANGE || v < 0 || v > INT32_MAX) {
            st = nms__fail_at(err, NMS_ERR_FORMAT, path, lineno, 0,
                              "%s:%ld: expected one nonnegative column index, found '%.40s'", path, lineno, s);
            break;
        }
        if (len == cap) {
            int32_t *q = nms__realloc_array(p, cap * 2, sizeof *p);
            if (!q) {
                st = nms__fail(err, NMS_ERR_NOMEM, "out of memory");
                break;
            }
            p = q;
            cap *= 2;
        }
        p[len++] = (int32_t)v;
    }
    if (st == NMS_OK && ferror(f))
        st = nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: read error", path);
    if (st == NMS_OK && len == 0)
        st = nms__fail_at(err, NMS_ERR_FORMAT, path, 0, 0, "%s: no column indices in the file", path);
    if (st == NMS_OK && expected_n && len != expected_n)
        st = nms__fail_at(err, NMS_ERR_SHAPE, path, 0, 0, "%s: holds %zu indices, but the matrix has %zu columns", path, len, expected_n);
    if (st == NMS_OK && (st = nms_perm_check(p, len, err)) != NMS_OK)
        nms__error_prefix(err, path);
    if (st != NMS_OK) {
        nms__free(p);
        return st;
    }
    *perm = p;
    *n = len;
    return NMS_OK;
}

int nms_perm_read(const char *path, size_t expected_n, int32_t **perm,
                  size_t *n, nms_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return nms__fail_at(err, NMS_ERR_IO, path, 0, 0, "%s: cannot open: %s", path, strerror(errno));
    int st = nms__perm_read_stream(f, path, expected_n, perm, n, err);
    fclose(f);
    return st;
}

struct perm_lines {
    const int32_t *p;
    size_t n;
};

static int write_perm_lines(FILE *f, void *ctx)
{
    const struct perm_lines *pl = ctx;
    for (size_t j = 0; j < pl->n; j++)
        if (fprintf(f, "%ld\n", (long)pl->p[j]) < 0)
            return -1;
    return 0;
}

int nms_perm_write(const char *path, const int32_t *p, size_t n,
                   nms_error *err)
{
    int st = nms_perm_check(p, n, err);
    if (st)
        return st;
    struct perm_lines pl = {p, n};
    return nms__write_file_atomic(path, write_perm_lines, &pl, err);
}

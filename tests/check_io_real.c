/*
 * check_io_real.c - the readers and writers on the real weight matrices in
 * $NMS_SHARED_DATA/real (skipped, exit 77, when they are absent).
 *
 * For every matrix of manifest.tsv:
 *  - nms_npy_read gives a 2-D F32 tensor of the manifest's matrix_shape;
 *  - its matrix view (layout oi) reproduces the manifest's identity 2:4 kept
 *    fraction and unstructured bound to the 6 printed decimals;
 *  - nms_npy_write reproduces the file byte for byte (the files were written
 *    by numpy.save, so this checks our header against numpy's);
 * and all matrices written into one safetensors file read back identically.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nmsparse.h"

static int failures;

#define FAIL(...)                                  \
    do {                                           \
        fprintf(stderr, "FAIL: " __VA_ARGS__);     \
        fputc('\n', stderr);                       \
        failures++;                                \
    } while (0)

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(len > 0 ? (size_t)len : 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

int main(void)
{
    const char *data = getenv("NMS_SHARED_DATA");
    char path[4096], tmpdir[256], line[8192];
    if (!data || !*data)
        data = "../shared/data";
    snprintf(path, sizeof path, "%s/real/manifest.tsv", data);
    FILE *mf = fopen(path, "r");
    if (!mf) {
        printf("SKIP: %s not found\n", path);
        return 77;
    }
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/check_io_real.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 99;
    }
    char out_npy[512], out_st[512];
    snprintf(out_npy, sizeof out_npy, "%s/m.npy", tmpdir);
    snprintf(out_st, sizeof out_st, "%s/all.safetensors", tmpdir);

    nms_tensor *all[512];
    char *names[512];
    size_t count = 0;
    nms_st_writer *w;
    nms_error err;
    if (nms_st_writer_create(&w, &err)) {
        FAIL("%s", err.text);
        return 1;
    }
    if (!fgets(line, sizeof line, mf)) /* header row */
        return 99;
    while (fgets(line, sizeof line, mf) && count < 512) {
        char *col[16];
        int nc = 0;
        for (char *s = line, *tab; nc < 16; s = tab + 1) {
            col[nc++] = s;
            tab = strchr(s, '\t');
            if (!tab) {
                s[strcspn(s, "\r\n")] = '\0';
                break;
            }
            *tab = '\0';
        }
        if (nc < 11)
            continue;
        size_t rows, cols;
        if (sscanf(col[6], "%zux%zu", &rows, &cols) != 2) {
            FAIL("%s: bad matrix_shape '%s'", col[0], col[6]);
            continue;
        }
        double want_kept = atof(col[9]), want_bound = atof(col[10]);
        snprintf(path, sizeof path, "%s/real/%s", data, col[0]);
        nms_tensor *t, *m;
        if (nms_npy_read(path, &t, &err)) {
            FAIL("%s", err.text);
            continue;
        }
        if (nms_tensor_dtype(t) != NMS_DTYPE_F32 || nms_tensor_ndim(t) != 2 || nms_tensor_dim(t, 0) != rows ||
            nms_tensor_dim(t, 1) != cols)
            FAIL("%s: read %s %zux%zu, manifest says F32 %zux%zu", col[0], nms_dtype_name(nms_tensor_dtype(t)),
                 nms_tensor_dim(t, 0), nms_tensor_dim(t, 1), rows, cols);
        if (nms_tensor_to_matrix(t, NMS_LAYOUT_OI, &m, &err)) {
            FAIL("%s: %s", col[0], err.text);
        } else {
            double kept, total, bound;
            if (nms_kept_value(m, NULL, &kept, &err) || nms_total_value(m, &total, &err) ||
                nms_unstructured_bound(m, &bound, &err))
                FAIL("%s: %s", col[0], err.text);
            else if (fabs(kept / total - want_kept) > 6e-7 || fabs(bound / total - want_bound) > 6e-7)
                FAIL("%s: kept %.7f bound %.7f, manifest %.6f %.6f", col[0], kept / total, bound / total, want_kept,
                     want_bound);
            nms_tensor_free(m);
        }
        size_t n1, n2;
        unsigned char *orig = slurp(path, &n1), *mine = NULL;
        if (nms_npy_write(out_npy, t, &err))
            FAIL("%s: %s", col[0], err.text);
        else if (!(mine = slurp(out_npy, &n2)) || n1 != n2 || memcmp(orig, mine, n1) != 0)
            FAIL("%s: nms_npy_write does not reproduce the file (%zu vs %zu bytes)", col[0], n1, mine ? n2 : 0);
        free(orig);
        free(mine);
        names[count] = strdup(col[0]);
        all[count] = t;
        if (nms_st_writer_add(w, names[count], t, &err))
            FAIL("%s", err.text);
        count++;
    }
    fclose(mf);
    if (count < 100)
        FAIL("only %zu matrices in the manifest", count);
    if (nms_st_writer_set_metadata(w, "source", "check_io_real", &err) || nms_st_writer_write(w, out_st, &err))
        FAIL("%s", err.text);
    nms_st_writer_free(w);
    nms_safetensors *f;
    if (nms_st_open(out_st, &f, &err)) {
        FAIL("%s", err.text);
    } else {
        if (nms_st_count(f) != count)
            FAIL("safetensors holds %zu tensors, wrote %zu", nms_st_count(f), count);
        for (size_t i = 0; i < count && i < nms_st_count(f); i++) {
            nms_tensor *t;
            if (strcmp(nms_st_name(f, i), names[i]) != 0)
                FAIL("tensor %zu is '%s', wrote '%s'", i, nms_st_name(f, i), names[i]);
            if (nms_st_load(f, i, &t, &err)) {
                FAIL("%s", err.text);
                continue;
            }
            if (nms_tensor_nbytes(t) != nms_tensor_nbytes(all[i]) ||
                memcmp(nms_tensor_cdata(t), nms_tensor_cdata(all[i]), nms_tensor_nbytes(t)) != 0)
                FAIL("%s: safetensors round trip differs", names[i]);
            nms_tensor_free(t);
        }
        nms_st_close(f);
    }
    for (size_t i = 0; i < count; i++) {
        nms_tensor_free(all[i]);
        free(names[i]);
    }
    unlink(out_npy);
    unlink(out_st);
    rmdir(tmpdir);
    printf("%zu real matrices: %s\n", count, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}

/*
 * check_io.c - unit tests of src/io: .npy reading and writing, the matrix
 * view (layouts), dtype conversion and the float16 / bfloat16 / fp8 helpers.
 * Fixture files are built by the tests themselves (in memory or in a
 * temporary directory).
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nmsparse.h"
#include "io/tensor.h"
#include "util/half.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

/* An assertion for hot loops: Check's ck_assert records every passing
 * assertion (a write to a pipe), which makes million-iteration loops slow. */
#define REQUIRE(cond, ...)                  \
    do {                                    \
        if (!(cond))                        \
            ck_abort_msg(__VA_ARGS__);      \
    } while (0)

static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char *buf = malloc(1 << 20);
    *n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* A .npy file image: version major.0, the given dict (padded with spaces and
 * a '\n' to a multiple of 64 unless raw), then `n` data bytes. */
static unsigned char *npy_image(int major, const char *dict, const void *data, size_t n, size_t *size)
{
    size_t pre = major == 1 ? 10 : 12;
    size_t dlen = strlen(dict);
    size_t total = (pre + dlen + 1 + 63) / 64 * 64;
    size_t hlen = total - pre;
    unsigned char *b = malloc(total + n + 1);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    for (size_t i = 0; i < pre - 8; i++)
        b[8 + i] = (unsigned char)(hlen >> (8 * i));
    memcpy(b + pre, dict, dlen);
    memset(b + pre + dlen, ' ', hlen - dlen - 1);
    b[total - 1] = '\n';
    if (n)
        memcpy(b + total, data, n);
    *size = total + n;
    return b;
}

/* Read an image expecting failure with `status`; the message must contain `needle`. */
static void expect_npy_error(const unsigned char *img, size_t size, int status, const char *needle)
{
    nms_tensor *t = NULL;
    nms_error err;
    memset(&err, 0, sizeof err);
    int st = nms_npy_read_mem(img, size, "w.npy", &t, &err);
    ck_assert_msg(st == status, "status %d (%s), wanted %d; message: %s", st, nms_strerror(st), status, err.text);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(err.status, status);
    ck_assert_msg(strstr(err.text, "w.npy") != NULL, "message does not name the file: %s", err.text);
    ck_assert_msg(strstr(err.text, needle) != NULL, "message '%s' lacks '%s'", err.text, needle);
}

static void expect_dict_error(const char *dict, size_t nbytes, int status, const char *needle)
{
    unsigned char zeros[64] = {0};
    size_t size;
    unsigned char *img = npy_image(1, dict, zeros, nbytes, &size);
    expect_npy_error(img, size, status, needle);
    free(img);
}

/* ---- .npy reading: good files ------------------------------------------- */

START_TEST(npy_every_dtype)
{
    static const struct {
        const char *descr;
        nms_dtype dtype;
        size_t esize;
    } cases[] = {
        {"<f4", NMS_DTYPE_F32, 4}, {"<f8", NMS_DTYPE_F64, 8}, {"<f2", NMS_DTYPE_F16, 2},
        {"|i1", NMS_DTYPE_I8, 1},  {"|u1", NMS_DTYPE_U8, 1},  {"<i2", NMS_DTYPE_I16, 2},
        {"<u2", NMS_DTYPE_U16, 2}, {"<i4", NMS_DTYPE_I32, 4}, {"<u4", NMS_DTYPE_U32, 4},
        {"<i8", NMS_DTYPE_I64, 8}, {"<u8", NMS_DTYPE_U64, 8}, {"|b1", NMS_DTYPE_BOOL, 1},
        {"=f4", NMS_DTYPE_F32, 4}, {"<i1", NMS_DTYPE_I8, 1},  {">u1", NMS_DTYPE_U8, 1},
        {"=i8", NMS_DTYPE_I64, 8},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int major = 1; major <= 3; major++) {
            char dict[128];
            unsigned char data[6 * 8];
            for (size_t i = 0; i < sizeof data; i++)
                data[i] = (unsigned char)(i * 7 + c);
            snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (2, 3), }", cases[c].descr);
            size_t size;
            unsigned char *img = npy_image(major, dict, data, 6 * cases[c].esize, &size);
            nms_tensor *t = NULL;
            nms_error err;
            int st = nms_npy_read_mem(img, size, "w.npy", &t, &err);
            ck_assert_msg(st == NMS_OK, "%s v%d: %s", cases[c].descr, major, err.text);
            ck_assert_int_eq(nms_tensor_dtype(t), cases[c].dtype);
            ck_assert_int_eq(nms_tensor_ndim(t), 2);
            ck_assert_uint_eq(nms_tensor_dim(t, 0), 2);
            ck_assert_uint_eq(nms_tensor_dim(t, 1), 3);
            ck_assert_uint_eq(nms_tensor_nbytes(t), 6 * cases[c].esize);
            ck_assert_int_eq(memcmp(nms_tensor_cdata(t), data, 6 * cases[c].esize), 0);
            nms_tensor_free(t);
            free(img);
        }
}
END_TEST

START_TEST(npy_float_values)
{
    float v[4] = {1.5f, -2.25f, 0.0f, 1e-30f};
    size_t size;
    unsigned char *img = npy_image(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", v, sizeof v, &size);
    nms_tensor *t;
    ck_assert_int_eq(nms_npy_read_mem(img, size, "w.npy", &t, NULL), NMS_OK);
    const float *d = nms_tensor_cdata(t);
    ck_assert(d[0] == 1.5f && d[1] == -2.25f && d[2] == 0.0f && d[3] == 1e-30f);
    nms_tensor_free(t);
    free(img);
}
END_TEST

START_TEST(npy_header_spellings)
{
    /* key order, double quotes, no trailing comma, Python 2 longs, spaces */
    static const char *dicts[] = {
        "{'shape': (2, 3), 'fortran_order': False, 'descr': '<i2'}",
        "{\"descr\": \"<i2\", \"fortran_order\": False, \"shape\": (2,3)}",
        "{'descr':'<i2','fortran_order':False,'shape':(2L, 3L),}",
        "  { 'descr' : '<i2' , 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }  ",
    };
    int16_t data[6] = {1, 2, 3, 4, 5, 6};
    for (size_t i = 0; i < sizeof dicts / sizeof dicts[0]; i++) {
        size_t size;
        unsigned char *img = npy_image(1, dicts[i], data, sizeof data, &size);
        nms_tensor *t;
        nms_error err;
        ck_assert_msg(nms_npy_read_mem(img, size, "w.npy", &t, &err) == NMS_OK, "%s: %s", dicts[i], err.text);
        ck_assert_uint_eq(nms_tensor_numel(t), 6);
        ck_assert_int_eq(((const int16_t *)nms_tensor_cdata(t))[5], 6);
        nms_tensor_free(t);
        free(img);
    }
}
END_TEST

START_TEST(npy_dimensions_0_to_8)
{
    for (int nd = 0; nd <= 8; nd++) {
        char dict[200];
        int n = snprintf(dict, sizeof dict, "{'descr': '|u1', 'fortran_order': False, 'shape': (");
        size_t numel = 1;
        for (int k = 0; k < nd; k++) {
            n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%d", k ? ", " : "", k % 3 + 1);
            numel *= (size_t)(k % 3 + 1);
        }
        snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", nd == 1 ? "," : "");
        unsigned char data[256];
        for (size_t i = 0; i < sizeof data; i++)
            data[i] = (unsigned char)i;
        size_t size;
        unsigned char *img = npy_image(1, dict, data, numel, &size);
        nms_tensor *t;
        nms_error err;
        ck_assert_msg(nms_npy_read_mem(img, size, "w.npy", &t, &err) == NMS_OK, "%d-D: %s", nd, err.text);
        ck_assert_int_eq(nms_tensor_ndim(t), nd);
        ck_assert_uint_eq(nms_tensor_numel(t), numel);
        ck_assert_int_eq(memcmp(nms_tensor_cdata(t), data, numel), 0);
        nms_tensor_free(t);
        free(img);
    }
}
END_TEST

START_TEST(npy_zero_size)
{
    size_t size;
    unsigned char *img = npy_image(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", NULL, 0, &size);
    nms_tensor *t;
    ck_assert_int_eq(nms_npy_read_mem(img, size, "w.npy", &t, NULL), NMS_OK);
    ck_assert_uint_eq(nms_tensor_numel(t), 0);
    ck_assert_uint_eq(nms_tensor_dim(t, 1), 5);
    nms_tensor_free(t);
    free(img);
}
END_TEST

START_TEST(npy_fortran_order)
{
    /* 2x3 matrix [[0,1,2],[3,4,5]] stored column-major: 0 3 1 4 2 5 */
    int32_t f2[6] = {0, 3, 1, 4, 2, 5};
    size_t size;
    unsigned char *img = npy_image(2, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", f2, sizeof f2, &size);
    nms_tensor *t;
    ck_assert_int_eq(nms_npy_read_mem(img, size, "w.npy", &t, NULL), NMS_OK);
    const int32_t *d = nms_tensor_cdata(t);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(d[i], i);
    nms_tensor_free(t);
    free(img);

    /* 3-D (2,3,4): value 100i + 10j + k, stored at i + 2j + 6k */
    int16_t f3[24];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                f3[i + 2 * j + 6 * k] = (int16_t)(100 * i + 10 * j + k);
    img = npy_image(3, "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3, 4), }", f3, sizeof f3, &size);
    ck_assert_int_eq(nms_npy_read_mem(img, size, "w.npy", &t, NULL), NMS_OK);
    const int16_t *e = nms_tensor_cdata(t);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                ck_assert_int_eq(e[(i * 3 + j) * 4 + k], 100 * i + 10 * j + k);
    nms_tensor_free(t);
    free(img);
}
END_TEST

/* ---- .npy reading: bad files -------------------------------------------- */

START_TEST(npy_bad_preamble)
{
    float v[2] = {1, 2};
    size_t size;
    unsigned char *img = npy_image(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", v, sizeof v, &size);
    expect_npy_error(img, 0, NMS_ERR_FORMAT, "too short");
    expect_npy_error(img, 9, NMS_ERR_FORMAT, "too short");
    expect_npy_error(img, 40, NMS_ERR_FORMAT, "truncated");
    img[1] = 'X';
    expect_npy_error(img, size, NMS_ERR_FORMAT, "not a .npy file");
    img[1] = 'N';
    img[6] = 4;
    expect_npy_error(img, size, NMS_ERR_UNSUPPORTED, "version 4.0");
    img[6] = 1;
    img[7] = 1;
    expect_npy_error(img, size, NMS_ERR_UNSUPPORTED, "version 1.1");
    img[7] = 0;
    /* lying header length: beyond the file */
    img[8] = 0xff;
    img[9] = 0xff;
    expect_npy_error(img, size, NMS_ERR_FORMAT, "truncated");
    free(img);
    /* a version-2 header length of 4 GB in a tiny file */
    img = npy_image(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", v, sizeof v, &size);
    img[8] = img[9] = img[10] = img[11] = 0xff;
    expect_npy_error(img, size, NMS_ERR_FORMAT, "truncated");
    expect_npy_error(img, 11, NMS_ERR_FORMAT, "truncated");
    free(img);
}
END_TEST

START_TEST(npy_data_length_mismatch)
{
    float v[13] = {0};
    size_t size;
    unsigned char *img = npy_image(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", v, sizeof v, &size);
    nms_tensor *t;
    ck_assert_int_eq(nms_npy_read_mem(img, size - 4, "w.npy", &t, NULL), NMS_OK);
    nms_tensor_free(t);
    expect_npy_error(img, size - 8, NMS_ERR_FORMAT, "w.npy: header declares 12 elements (48 bytes) but the file holds 44 bytes");
    expect_npy_error(img, size, NMS_ERR_FORMAT, "header declares 12 elements (48 bytes) but the file holds 52 bytes");
    expect_npy_error(img, size - 51, NMS_ERR_FORMAT, "but the file holds 1 bytes");
    free(img);
}
END_TEST

START_TEST(npy_bad_dicts)
{
    expect_dict_error("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, NMS_ERR_UNSUPPORTED, "big-endian");
    expect_dict_error("{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }", 8, NMS_ERR_UNSUPPORTED, "big-endian");
    expect_dict_error("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8, NMS_ERR_UNSUPPORTED, "'<c8'");
    expect_dict_error("{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }", 20, NMS_ERR_UNSUPPORTED, "dtype");
    expect_dict_error("{'descr': 'O', 'fortran_order': False, 'shape': (1,), }", 8, NMS_ERR_UNSUPPORTED, "dtype");
    expect_dict_error("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", 4, NMS_ERR_UNSUPPORTED, "structured");
    expect_dict_error("{'descr': '<f4', 'shape': (2,), }", 8, NMS_ERR_FORMAT, "missing key 'fortran_order'");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False}", 4, NMS_ERR_FORMAT, "missing key 'shape'");
    expect_dict_error("{'fortran_order': False, 'shape': (2,)}", 8, NMS_ERR_FORMAT, "missing key 'descr'");
    expect_dict_error("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8, NMS_ERR_FORMAT, "duplicate");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8, NMS_ERR_FORMAT, "unexpected key 'x'");
    expect_dict_error("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", 8, NMS_ERR_FORMAT, "True or False");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", 8, NMS_ERR_FORMAT, "trailing comma");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", 8, NMS_ERR_FORMAT, "tuple");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8, NMS_ERR_FORMAT, "negative");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (02,), }", 8, NMS_ERR_FORMAT, "leading zero");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,,), }", 8, NMS_ERR_FORMAT, "dimension");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", 8, NMS_ERR_FORMAT, "after the dict");
    expect_dict_error("{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", 8, NMS_ERR_UNSUPPORTED, "'<f4, '");
    expect_dict_error("{'descr': '<f4", 8, NMS_ERR_FORMAT, "malformed");
    expect_dict_error("{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }", 8, NMS_ERR_FORMAT, "expected ','");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", 8, NMS_ERR_FORMAT, "malformed");
    expect_dict_error("'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8, NMS_ERR_FORMAT, "expected '{'");
    expect_dict_error("{'descr': '<f\\4', 'fortran_order': False, 'shape': (2,), }", 8, NMS_ERR_FORMAT, "unexpected character");
    /* sizes that overflow */
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 8, NMS_ERR_RANGE,
                      "overflows");
    expect_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 8, NMS_ERR_RANGE,
                      "overflows");
    expect_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }", 8, NMS_ERR_RANGE,
                      "overflows");
    /* huge but not overflowing: refused by the file size, before any allocation */
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }", 8, NMS_ERR_FORMAT,
                      "header declares 1000000000000 elements (4000000000000 bytes) but the file holds 8 bytes");
    expect_dict_error("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }", 1,
                      NMS_ERR_UNSUPPORTED, "more than 8 dimensions");
}
END_TEST

START_TEST(npy_files_on_disk)
{
    make_tmpdir_named("check_io");
    nms_tensor *t = NULL;
    nms_error err;
    ck_assert_int_eq(nms_npy_read(tmp_path("missing.npy"), &t, &err), NMS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.text, "missing.npy"));
    ck_assert_int_eq(nms_npy_read(tmpdir, &t, &err), NMS_ERR_IO);
    int32_t v[3] = {7, 8, 9};
    size_t size;
    unsigned char *img = npy_image(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", v, sizeof v, &size);
    write_bytes(tmp_path("w.npy"), img, size);
    ck_assert_int_eq(nms_npy_read(tmp_path("w.npy"), &t, &err), NMS_OK);
    ck_assert_int_eq(((const int32_t *)nms_tensor_cdata(t))[2], 9);
    nms_tensor_free(t);
    write_bytes(tmp_path("w.npy"), img, size - 1);
    ck_assert_int_eq(nms_npy_read(tmp_path("w.npy"), &t, &err), NMS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "w.npy: header declares 3 elements (12 bytes) but the file holds 11 bytes"));
    ck_assert_str_eq(err.source, tmp_path("w.npy"));
    free(img);
    remove_tmpdir();
}
END_TEST

/* A pipe is not a regular file: it is read whole, then parsed. */
START_TEST(npy_from_fifo)
{
    make_tmpdir_named("check_io");
    int32_t v[5] = {1, -2, 3, -4, 5};
    size_t size;
    unsigned char *img = npy_image(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }", v, sizeof v, &size);
    ck_assert_int_eq(mkfifo(tmp_path("fifo.npy"), 0600), 0);
    char path[512];
    snprintf(path, sizeof path, "%s", tmp_path("fifo.npy"));
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(img, 1, size, f) != size)
            _exit(1);
        fclose(f);
        _exit(0);
    }
    nms_tensor *t;
    nms_error err;
    ck_assert_msg(nms_npy_read(path, &t, &err) == NMS_OK, "%s", err.text);
    int wst;
    ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
    ck_assert(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
    ck_assert_int_eq(memcmp(nms_tensor_cdata(t), v, sizeof v), 0);
    nms_tensor_free(t);
    free(img);
    remove_tmpdir();
}
END_TEST

/* ---- .npy writing ------------------------------------------------------- */

START_TEST(npy_write_golden_header)
{
    make_tmpdir_named("check_io");
    size_t shape[2] = {3, 4};
    nms_tensor *t;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 2, shape, &t, NULL), NMS_OK);
    float *d = nms_tensor_data(t);
    for (int i = 0; i < 12; i++)
        d[i] = (float)i * 0.5f - 1.0f;
    ck_assert_int_eq(nms_npy_write(tmp_path("a.npy"), t, NULL), NMS_OK);
    size_t n;
    unsigned char *b = read_bytes(tmp_path("a.npy"), &n);
    /* what numpy.save writes for a float32 (3, 4) array */
    static const char dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
    ck_assert_uint_eq(n, 128 + 48);
    ck_assert_int_eq(memcmp(b, "\x93NUMPY\x01\x00\x76\x00", 10), 0);
    ck_assert_int_eq(memcmp(b + 10, dict, sizeof dict - 1), 0);
    for (size_t i = 10 + sizeof dict - 1; i < 127; i++)
        ck_assert_int_eq(b[i], ' ');
    ck_assert_int_eq(b[127], '\n');
    ck_assert_int_eq(memcmp(b + 128, d, 48), 0);
    free(b);
    nms_tensor_free(t);

    /* 1-D and 0-d shapes are spelled (5,) and () */
    size_t five = 5;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_I8, 1, &five, &t, NULL), NMS_OK);
    ck_assert_int_eq(nms_npy_write(tmp_path("b.npy"), t, NULL), NMS_OK);
    b = read_bytes(tmp_path("b.npy"), &n);
    ck_assert_ptr_nonnull(strstr((char *)b + 10, "{'descr': '|i1', 'fortran_order': False, 'shape': (5,), }"));
    ck_assert_uint_eq(n, 128 + 5);
    free(b);
    nms_tensor_free(t);
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F64, 0, NULL, &t, NULL), NMS_OK);
    ck_assert_int_eq(nms_npy_write(tmp_path("c.npy"), t, NULL), NMS_OK);
    b = read_bytes(tmp_path("c.npy"), &n);
    ck_assert_ptr_nonnull(strstr((char *)b + 10, "'shape': (), }"));
    ck_assert_uint_eq(n, 128 + 8);
    free(b);
    nms_tensor_free(t);
    remove_tmpdir();
}
END_TEST

START_TEST(npy_write_round_trip)
{
    make_tmpdir_named("check_io");
    static const nms_dtype dts[] = {NMS_DTYPE_F32, NMS_DTYPE_F64, NMS_DTYPE_F16, NMS_DTYPE_I8, NMS_DTYPE_U8,
                                    NMS_DTYPE_I16, NMS_DTYPE_U16, NMS_DTYPE_I32, NMS_DTYPE_U32, NMS_DTYPE_I64,
                                    NMS_DTYPE_U64, NMS_DTYPE_BOOL};
    size_t shape[4] = {2, 3, 1, 5};
    for (size_t c = 0; c < sizeof dts / sizeof dts[0]; c++)
        for (int nd = 0; nd <= 4; nd++) {
            nms_tensor *t, *r;
            nms_error err;
            ck_assert_int_eq(nms_tensor_create(dts[c], nd, shape, &t, NULL), NMS_OK);
            unsigned char *d = nms_tensor_data(t);
            for (size_t i = 0; i < nms_tensor_nbytes(t); i++)
                d[i] = dts[c] == NMS_DTYPE_BOOL ? (unsigned char)(i % 2) : (unsigned char)(i * 13 + 1);
            ck_assert_int_eq(nms_npy_write(tmp_path("r.npy"), t, &err), NMS_OK);
            ck_assert_msg(nms_npy_read(tmp_path("r.npy"), &r, &err) == NMS_OK, "%s", err.text);
            ck_assert_int_eq(nms_tensor_dtype(r), dts[c]);
            ck_assert_int_eq(nms_tensor_ndim(r), nd);
            for (int k = 0; k < nd; k++)
                ck_assert_uint_eq(nms_tensor_dim(r, k), shape[k]);
            ck_assert_uint_eq(nms_tensor_nbytes(r), nms_tensor_nbytes(t));
            ck_assert_int_eq(memcmp(nms_tensor_cdata(r), d, nms_tensor_nbytes(t)), 0);
            nms_tensor_free(t);
            nms_tensor_free(r);
        }
    remove_tmpdir();
}
END_TEST

START_TEST(npy_write_errors)
{
    make_tmpdir_named("check_io");
    size_t shape[1] = {4};
    nms_tensor *t;
    nms_error err;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_BF16, 1, shape, &t, NULL), NMS_OK);
    ck_assert_int_eq(nms_npy_write(tmp_path("x.npy"), t, &err), NMS_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.text, "BF16"));
    ck_assert_int_eq(access(tmp_path("x.npy"), F_OK), -1);
    nms_tensor_free(t);
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 1, shape, &t, NULL), NMS_OK);
    ck_assert_int_eq(nms_npy_write(tmp_path("no/such/dir/x.npy"), t, &err), NMS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.text, "x.npy"));
    nms_tensor_free(t);
    remove_tmpdir();
}
END_TEST

/* ---- half / bfloat16 / fp8 ---------------------------------------------- */

START_TEST(half_decode_known)
{
    ck_assert(nms__f16_to_f32(0x3c00) == 1.0f);
    ck_assert(nms__f16_to_f32(0xc000) == -2.0f);
    ck_assert(nms__f16_to_f32(0x7bff) == 65504.0f);
    ck_assert(nms__f16_to_f32(0x0400) == ldexpf(1.0f, -14));
    ck_assert(nms__f16_to_f32(0x0001) == ldexpf(1.0f, -24));
    ck_assert(nms__f16_to_f32(0x03ff) == ldexpf(1023.0f, -24));
    ck_assert(nms__f16_to_f32(0x3555) == 0.333251953125f);
    ck_assert(isinf(nms__f16_to_f32(0x7c00)) && nms__f16_to_f32(0x7c00) > 0);
    ck_assert(isinf(nms__f16_to_f32(0xfc00)) && nms__f16_to_f32(0xfc00) < 0);
    ck_assert(isnan(nms__f16_to_f32(0x7e00)) && isnan(nms__f16_to_f32(0x7c01)));
    ck_assert(nms__f16_to_f32(0x8000) == 0.0f && signbit(nms__f16_to_f32(0x8000)));
    ck_assert(nms__bf16_to_f32(0x3f80) == 1.0f);
    ck_assert(nms__bf16_to_f32(0xc040) == -3.0f);
    ck_assert(nms__bf16_to_f32(0x0001) == ldexpf(1.0f, -133));
}
END_TEST

START_TEST(half_round_trip_all)
{
    for (uint32_t h = 0; h < 65536; h++) {
        float f = nms__f16_to_f32((uint16_t)h);
        uint16_t back = nms__f32_to_f16(f), back64;
        nms__f64_to_f16((double)f, &back64);
        if (isnan(f)) {
            REQUIRE(isnan(nms__f16_to_f32(back)) && isnan(nms__f16_to_f32(back64)), "isnan(nms__f16_to_f32(back)) && isnan(nms__f16_to_f32(back64))");
            REQUIRE((back & 0x8000) == (h & 0x8000), "sign of NaN 0x%04x lost", h);
        } else {
            REQUIRE(back == h && back64 == h, "0x%04x -> %g -> 0x%04x / 0x%04x", h, (double)f, back, back64);
        }
        float g = nms__bf16_to_f32((uint16_t)h);
        uint16_t bb = nms__f32_to_bf16(g);
        nms__f64_to_bf16((double)g, &back64);
        if (isnan(g))
            REQUIRE(isnan(nms__bf16_to_f32(bb)) && isnan(nms__bf16_to_f32(back64)), "isnan(nms__bf16_to_f32(bb)) && isnan(nms__bf16_to_f32(back64))");
        else
            REQUIRE(bb == h && back64 == h, "bb == h && back64 == h");
    }
}
END_TEST

START_TEST(half_rounding_edges)
{
    ck_assert_uint_eq(nms__f32_to_f16(65519.0f), 0x7bff);
    ck_assert_uint_eq(nms__f32_to_f16(65520.0f), 0x7c00);
    ck_assert_uint_eq(nms__f32_to_f16(-1e10f), 0xfc00);
    ck_assert_uint_eq(nms__f32_to_f16(INFINITY), 0x7c00);
    ck_assert_uint_eq(nms__f32_to_f16(ldexpf(1.0f, -25)), 0x0000);            /* tie -> even 0 */
    ck_assert_uint_eq(nms__f32_to_f16(ldexpf(1.0000001f, -25)), 0x0001);      /* just above the tie */
    ck_assert_uint_eq(nms__f32_to_f16(ldexpf(3.0f, -25)), 0x0002);            /* tie 1|2 -> even 2 */
    ck_assert_uint_eq(nms__f32_to_f16(ldexpf(5.0f, -25)), 0x0002);            /* tie 2|3 -> even 2 */
    ck_assert_uint_eq(nms__f32_to_f16(-ldexpf(1.0f, -26)), 0x8000);           /* -0 */
    ck_assert_uint_eq(nms__f32_to_f16(ldexpf(2047.0f, -25)), 0x0400);         /* subnormal carries to normal */
    ck_assert_uint_eq(nms__f32_to_f16(1.0f + ldexpf(1.0f, -11)), 0x3c00);     /* tie -> even */
    ck_assert_uint_eq(nms__f32_to_f16(1.0f + ldexpf(3.0f, -11)), 0x3c02);     /* tie -> even (up) */
    ck_assert_uint_eq(nms__f32_to_f16(1.0f + ldexpf(1.0f, -11) + ldexpf(1.0f, -20)), 0x3c01);
    ck_assert_uint_eq(nms__f32_to_bf16(1.0f + ldexpf(1.0f, -8)), 0x3f80);     /* tie -> even */
    ck_assert_uint_eq(nms__f32_to_bf16(1.0f + ldexpf(3.0f, -8)), 0x3f82);
    ck_assert_uint_eq(nms__f32_to_bf16(nms__f32_from_bits(0x7f7fffff)), 0x7f80); /* overflow -> inf */
    ck_assert_uint_eq(nms__f32_to_bf16(nms__f32_from_bits(0x7f800001)) & 0x7fc0, 0x7fc0); /* NaN stays NaN */
    ck_assert_uint_eq(nms__f32_to_bf16(nms__f32_from_bits(0x00008000)), 0x0000);  /* subnormal tie -> even */
    ck_assert_uint_eq(nms__f32_to_bf16(nms__f32_from_bits(0x00018000)), 0x0002);
}
END_TEST

/* The fast float32 paths agree with the independent double-based encoder on
 * a spread of 4.3 million float32 bit patterns. */
START_TEST(half_fast_matches_reference)
{
    for (uint64_t x = 0; x < 0x100000000ull; x += 997) {
        float f = nms__f32_from_bits((uint32_t)x);
        if (isnan(f))
            continue;
        uint16_t a = nms__f32_to_f16(f), b;
        nms__f64_to_f16((double)f, &b);
        REQUIRE(a == b, "f16 of 0x%08x: 0x%04x vs 0x%04x", (unsigned)x, a, b);
        a = nms__f32_to_bf16(f);
        nms__f64_to_bf16((double)f, &b);
        REQUIRE(a == b, "bf16 of 0x%08x: 0x%04x vs 0x%04x", (unsigned)x, a, b);
    }
}
END_TEST

START_TEST(fp8_all_values)
{
    for (unsigned b = 0; b < 256; b++) {
        uint8_t back;
        float f = nms__e4m3_to_f32((uint8_t)b);
        if ((b & 0x7f) == 0x7f) {
            REQUIRE(isnan(f), "isnan(f)");
        } else {
            REQUIRE(nms__f32_to_e4m3(f, &back) == 0, "nms__f32_to_e4m3(f, &back)");
            REQUIRE(back == b, "back != b");
        }
        f = nms__e5m2_to_f32((uint8_t)b);
        REQUIRE(nms__f32_to_e5m2(f, &back) == 0, "nms__f32_to_e5m2(f, &back)");
        if (isnan(f))
            REQUIRE(isnan(nms__e5m2_to_f32(back)), "isnan(nms__e5m2_to_f32(back))");
        else
            REQUIRE(back == b, "back != b");
    }
    uint8_t o;
    REQUIRE(nms__e4m3_to_f32(0x7e) == 448.0f, "nms__e4m3_to_f32(0x7e) == 448.0f");
    REQUIRE(nms__e4m3_to_f32(0x01) == ldexpf(1.0f, -9), "nms__e4m3_to_f32(0x01) == ldexpf(1.0f, -9)");
    REQUIRE(nms__e4m3_to_f32(0x38) == 1.0f, "nms__e4m3_to_f32(0x38) == 1.0f");
    REQUIRE(nms__e5m2_to_f32(0x7b) == 57344.0f, "nms__e5m2_to_f32(0x7b) == 57344.0f");
    REQUIRE(nms__f32_to_e4m3(464.0f, &o) == 0, "nms__f32_to_e4m3(464.0f, &o)"); /* tie 448|480 -> even 448 */
    REQUIRE(o == 0x7e, "o != 0x7e");
    REQUIRE(nms__f32_to_e4m3(465.0f, &o) == -1, "nms__f32_to_e4m3(465.0f, &o)");
    REQUIRE(nms__f32_to_e4m3(INFINITY, &o) == -1, "nms__f32_to_e4m3(INFINITY, &o)");
    REQUIRE(nms__f32_to_e4m3(1.0625f, &o) == 0, "nms__f32_to_e4m3(1.0625f, &o)"); /* tie 1|1.125 -> even 1 */
    REQUIRE(o == 0x38, "o != 0x38");
    REQUIRE(nms__f32_to_e5m2(61440.0f, &o) == 0, "nms__f32_to_e5m2(61440.0f, &o)");
    REQUIRE(o == 0x7c, "o != 0x7c");
    REQUIRE(nms__f32_to_e5m2(61439.0f, &o) == 0, "nms__f32_to_e5m2(61439.0f, &o)");
    REQUIRE(o == 0x7b, "o != 0x7b");
}
END_TEST

/* ---- conversion --------------------------------------------------------- */

static nms_tensor *vec(nms_dtype d, size_t n, const void *data)
{
    nms_tensor *t;
    ck_assert_int_eq(nms_tensor_create(d, 1, &n, &t, NULL), NMS_OK);
    memcpy(nms_tensor_data(t), data, nms_tensor_nbytes(t));
    return t;
}

START_TEST(convert_float_to_int)
{
    float v[6] = {2.5f, -2.5f, 3.5f, -128.4f, 127.49f, 0.0f};
    nms_tensor *t = vec(NMS_DTYPE_F32, 6, v), *r;
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_I8, &r, NULL), NMS_OK);
    const int8_t *q = nms_tensor_cdata(r);
    ck_assert(q[0] == 2 && q[1] == -2 && q[2] == 4 && q[3] == -128 && q[4] == 127 && q[5] == 0);
    nms_tensor_free(r);
    nms_error err;
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_U8, &r, &err), NMS_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(err.text, "element 1"));
    nms_tensor_free(t);
    float w[2] = {1.0f, NAN};
    t = vec(NMS_DTYPE_F32, 2, w);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_I32, &r, &err), NMS_ERR_NONFINITE);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_BOOL, &r, &err), NMS_ERR_NONFINITE);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_F16, &r, &err), NMS_OK); /* floats carry NaN */
    ck_assert(isnan(nms__f16_to_f32(((const uint16_t *)nms_tensor_cdata(r))[1])));
    nms_tensor_free(r);
    nms_tensor_free(t);
    float big = 127.5f;
    t = vec(NMS_DTYPE_F32, 1, &big);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_I8, &r, &err), NMS_ERR_RANGE); /* rounds to 128 */
    nms_tensor_free(t);
}
END_TEST

START_TEST(convert_int_to_int_and_float)
{
    int32_t v[4] = {-1, 255, 256, 65504};
    nms_tensor *t = vec(NMS_DTYPE_I32, 4, v), *r;
    nms_error err;
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_U8, &r, &err), NMS_ERR_RANGE);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_I64, &r, &err), NMS_OK);
    ck_assert(((const int64_t *)nms_tensor_cdata(r))[0] == -1);
    nms_tensor_free(r);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_F16, &r, &err), NMS_OK);
    const uint16_t *h = nms_tensor_cdata(r);
    ck_assert(h[0] == 0xbc00 && h[1] == 0x5bf8 && h[2] == 0x5c00 && h[3] == 0x7bff);
    nms_tensor_free(r);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_BOOL, &r, &err), NMS_OK);
    ck_assert_int_eq(memcmp(nms_tensor_cdata(r), "\1\1\1\1", 4), 0);
    nms_tensor_free(r);
    nms_tensor_free(t);
    uint64_t u[2] = {UINT64_MAX, (UINT64_C(1) << 63) + 1};
    t = vec(NMS_DTYPE_U64, 2, u);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_F32, &r, &err), NMS_OK);
    ck_assert(((const float *)nms_tensor_cdata(r))[0] == 18446744073709551616.0f);
    nms_tensor_free(r);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_I64, &r, &err), NMS_ERR_RANGE);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_F16, &r, &err), NMS_OK);
    ck_assert_uint_eq(((const uint16_t *)nms_tensor_cdata(r))[0], 0x7c00);
    nms_tensor_free(r);
    nms_tensor_free(t);
    int64_t m[1] = {INT64_MIN};
    t = vec(NMS_DTYPE_I64, 1, m);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_F64, &r, &err), NMS_OK);
    ck_assert(((const double *)nms_tensor_cdata(r))[0] == -9223372036854775808.0);
    nms_tensor_free(r);
    nms_tensor_free(t);
}
END_TEST

START_TEST(convert_no_double_rounding)
{
    /* 1 + 2^-11 + 2^-40: float32 would round it to the tie 1 + 2^-11, which
     * then goes to 1.0 in binary16; the right answer is 1 + 2^-10. */
    double x = 1.0 + ldexp(1.0, -11) + ldexp(1.0, -40);
    nms_tensor *t = vec(NMS_DTYPE_F64, 1, &x), *r;
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_F16, &r, NULL), NMS_OK);
    ck_assert_uint_eq(((const uint16_t *)nms_tensor_cdata(r))[0], 0x3c01);
    nms_tensor_free(r);
    nms_tensor_free(t);
    /* 2^60 + 2^52 + 1 as int64 -> bf16: the exact value is just above the
     * tie between 2^60 and 2^60 + 2^53, so it rounds up. */
    int64_t i = (INT64_C(1) << 60) + (INT64_C(1) << 52) + 1;
    t = vec(NMS_DTYPE_I64, 1, &i);
    ck_assert_int_eq(nms_tensor_convert(t, NMS_DTYPE_BF16, &r, NULL), NMS_OK);
    ck_assert(nms__bf16_to_f32(((const uint16_t *)nms_tensor_cdata(r))[0]) == ldexpf(1.0f, 60) + ldexpf(1.0f, 53));
    nms_tensor_free(r);
    nms_tensor_free(t);
}
END_TEST

START_TEST(convert_all_pairs_small_ints)
{
    /* 0..5 survive every conversion exactly and come back */
    for (int a = 0; a < NMS_DTYPE_COUNT; a++)
        for (int b = 0; b < NMS_DTYPE_COUNT; b++) {
            double v[6] = {0, 1, 2, 3, 4, 5};
            nms_tensor *t = vec(NMS_DTYPE_F64, 6, v), *x, *y, *z;
            nms_error err;
            ck_assert_int_eq(nms_tensor_convert(t, (nms_dtype)a, &x, &err), NMS_OK);
            ck_assert_msg(nms_tensor_convert(x, (nms_dtype)b, &y, &err) == NMS_OK, "%d->%d: %s", a, b, err.text);
            ck_assert_int_eq(nms_tensor_convert(y, NMS_DTYPE_F64, &z, &err), NMS_OK);
            const double *d = nms_tensor_cdata(z);
            int boolish = a == NMS_DTYPE_BOOL || b == NMS_DTYPE_BOOL;
            for (int k = 0; k < 6; k++)
                ck_assert_msg(d[k] == (boolish ? (k != 0) : k), "%s->%s: %g", nms_dtype_name((nms_dtype)a),
                              nms_dtype_name((nms_dtype)b), d[k]);
            nms_tensor_free(t);
            nms_tensor_free(x);
            nms_tensor_free(y);
            nms_tensor_free(z);
        }
}
END_TEST

/* ---- layouts ------------------------------------------------------------ */

static nms_tensor *iota(nms_dtype d, int ndim, const size_t *shape)
{
    nms_tensor *t, *f;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F64, ndim, shape, &f, NULL), NMS_OK);
    double *x = nms_tensor_data(f);
    for (size_t i = 0; i < nms_tensor_numel(f); i++)
        x[i] = (double)i;
    ck_assert_int_eq(nms_tensor_convert(f, d, &t, NULL), NMS_OK);
    nms_tensor_free(f);
    return t;
}

static float m_at(const nms_tensor *m, size_t r, size_t c)
{
    return ((const float *)nms_tensor_cdata(m))[r * nms_tensor_dim(m, 1) + c];
}

START_TEST(layout_oihw)
{
    size_t shape[4] = {2, 3, 2, 2}; /* O=2, I=3, K=4 */
    nms_tensor *t = iota(NMS_DTYPE_F32, 4, shape), *m, *m2;
    REQUIRE(nms_tensor_to_matrix(t, NMS_LAYOUT_OIHW, &m, NULL) == NMS_OK, "nms_tensor_to_matrix(t, NMS_LAYOUT_OIHW, &m, NULL)");
    REQUIRE(nms_tensor_dim(m, 0) == 8, "rows");
    REQUIRE(nms_tensor_dim(m, 1) == 3, "cols");
    /* by hand: row 5 = (o=1, k=1), column 2: T[1,2,0,1] = ((1*3+2)*2+0)*2+1 = 21 */
    REQUIRE(m_at(m, 5, 2) == 21.0f, "m_at(m, 5, 2) == 21.0f");
    REQUIRE(m_at(m, 0, 1) == 4.0f, "m_at(m, 0, 1) == 4.0f");  /* T[0,1,0,0] */
    REQUIRE(m_at(m, 3, 0) == 3.0f, "m_at(m, 3, 0) == 3.0f");  /* T[0,0,1,1] */
    REQUIRE(m_at(m, 7, 2) == 23.0f, "m_at(m, 7, 2) == 23.0f"); /* last */
    for (size_t o = 0; o < 2; o++)
        for (size_t i = 0; i < 3; i++)
            for (size_t k = 0; k < 4; k++)
                REQUIRE(m_at(m, o * 4 + k, i) == (float)((o * 3 + i) * 4 + k), "m_at(m, o * 4 + k, i) == (float)((o * 3 + i) * 4 + k)");
    REQUIRE(nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m2, NULL) == NMS_OK, "nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m2, NULL)");
    REQUIRE(memcmp(nms_tensor_cdata(m), nms_tensor_cdata(m2), nms_tensor_nbytes(m)) == 0, "memcmp(nms_tensor_cdata(m), nms_tensor_cdata(m2), nms_tensor_nbytes(m))");
    nms_tensor_free(m2);
    size_t r, c;
    REQUIRE(nms_tensor_matrix_shape(t, NMS_LAYOUT_AUTO, &r, &c, NULL) == NMS_OK, "nms_tensor_matrix_shape(t, NMS_LAYOUT_AUTO, &r, &c, NULL)");
    REQUIRE(r == 8 && c == 3, "r == 8 && c == 3");
    /* and back */
    nms_tensor *back;
    REQUIRE(nms_matrix_to_tensor(m, NMS_LAYOUT_OIHW, 4, shape, &back, NULL) == NMS_OK, "nms_matrix_to_tensor(m, NMS_LAYOUT_OIHW, 4, shape, &back, NULL)");
    REQUIRE(memcmp(nms_tensor_cdata(back), nms_tensor_cdata(t), nms_tensor_nbytes(t)) == 0, "memcmp(nms_tensor_cdata(back), nms_tensor_cdata(t), nms_tensor_nbytes(t))");
    nms_tensor_free(back);
    nms_tensor_free(m);
    nms_tensor_free(t);
}
END_TEST

START_TEST(layout_hwio)
{
    size_t shape[4] = {2, 2, 3, 2}; /* kh, kw, I=3, O=2: K=4 */
    nms_tensor *t = iota(NMS_DTYPE_I16, 4, shape), *m;
    REQUIRE(nms_tensor_to_matrix(t, NMS_LAYOUT_HWIO, &m, NULL) == NMS_OK, "nms_tensor_to_matrix(t, NMS_LAYOUT_HWIO, &m, NULL)");
    REQUIRE(nms_tensor_dim(m, 0) == 8, "rows");
    REQUIRE(nms_tensor_dim(m, 1) == 3, "cols");
    /* by hand: row 5 = (o=1, k=1 i.e. kh=0 kw=1), column 2: T[0,1,2,1] = ((0*2+1)*3+2)*2+1 = 11 */
    REQUIRE(m_at(m, 5, 2) == 11.0f, "m_at(m, 5, 2) == 11.0f");
    REQUIRE(m_at(m, 0, 0) == 0.0f, "m_at(m, 0, 0) == 0.0f");
    REQUIRE(m_at(m, 4, 0) == 1.0f, "m_at(m, 4, 0) == 1.0f");  /* T[0,0,0,1] */
    REQUIRE(m_at(m, 3, 1) == 20.0f, "m_at(m, 3, 1) == 20.0f"); /* T[1,1,1,0] = ((1*2+1)*3+1)*2 */
    for (size_t o = 0; o < 2; o++)
        for (size_t i = 0; i < 3; i++)
            for (size_t k = 0; k < 4; k++)
                REQUIRE(m_at(m, o * 4 + k, i) == (float)((k * 3 + i) * 2 + o), "m_at(m, o * 4 + k, i) == (float)((k * 3 + i) * 2 + o)");
    nms_tensor *tf, *back;
    REQUIRE(nms_tensor_convert(t, NMS_DTYPE_F32, &tf, NULL) == NMS_OK, "nms_tensor_convert(t, NMS_DTYPE_F32, &tf, NULL)");
    REQUIRE(nms_matrix_to_tensor(m, NMS_LAYOUT_HWIO, 4, shape, &back, NULL) == NMS_OK, "nms_matrix_to_tensor(m, NMS_LAYOUT_HWIO, 4, shape, &back, NULL)");
    REQUIRE(memcmp(nms_tensor_cdata(back), nms_tensor_cdata(tf), nms_tensor_nbytes(tf)) == 0, "memcmp(nms_tensor_cdata(back), nms_tensor_cdata(tf), nms_tensor_nbytes(tf))");
    nms_tensor_free(back);
    nms_tensor_free(tf);
    nms_tensor_free(m);
    nms_tensor_free(t);
}
END_TEST

START_TEST(layout_oi_1d_3d_and_errors)
{
    size_t s2[2] = {4, 8}, s1[1] = {8}, s3[3] = {2, 4, 3}, s0[1] = {0};
    nms_tensor *t = iota(NMS_DTYPE_F16, 2, s2), *m;
    nms_error err;
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m, NULL), NMS_OK);
    ck_assert(nms_tensor_dim(m, 0) == 4 && nms_tensor_dim(m, 1) == 8);
    for (int i = 0; i < 32; i++)
        ck_assert(((const float *)nms_tensor_cdata(m))[i] == (float)i);
    nms_tensor_free(m);
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_OIHW, &m, NULL), NMS_OK); /* 2-D OIHW = OI */
    ck_assert(m_at(m, 1, 2) == 10.0f);
    nms_tensor_free(m);
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_HWIO, &m, NULL), NMS_OK); /* 2-D HWIO = [I, O] */
    ck_assert(nms_tensor_dim(m, 0) == 8 && nms_tensor_dim(m, 1) == 4);
    ck_assert(m_at(m, 2, 1) == 10.0f); /* row o=2, column i=1: T[1, 2] */
    nms_tensor_free(m);
    nms_tensor_free(t);

    t = iota(NMS_DTYPE_BF16, 1, s1);
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_HWIO, &m, NULL), NMS_OK);
    ck_assert(nms_tensor_dim(m, 0) == 1 && nms_tensor_dim(m, 1) == 8 && m_at(m, 0, 7) == 7.0f);
    nms_tensor_free(m);
    nms_tensor_free(t);

    t = iota(NMS_DTYPE_I8, 3, s3); /* AUTO = OIHW: O=2, I=4, K=3 */
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m, NULL), NMS_OK);
    ck_assert(nms_tensor_dim(m, 0) == 6 && nms_tensor_dim(m, 1) == 4);
    ck_assert(m_at(m, 4, 3) == 22.0f); /* o=1, k=1, i=3: (1*4+3)*3+1 */
    nms_tensor_free(m);
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_OI, &m, &err), NMS_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(err.text, "2x4x3"));
    nms_tensor_free(t);

    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 0, NULL, &t, NULL), NMS_OK);
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m, &err), NMS_ERR_SHAPE);
    nms_tensor_free(t);
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 1, s0, &t, NULL), NMS_OK);
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m, &err), NMS_OK);
    ck_assert(nms_tensor_dim(m, 0) == 1 && nms_tensor_dim(m, 1) == 0);
    nms_tensor_free(m);
    nms_tensor_free(t);

    /* empty tensors with huge other dims finish at once (a fuzzing find) */
    size_t hollow[4] = {(size_t)1 << 20, (size_t)1 << 20, 0, 3};
    for (int lay = NMS_LAYOUT_OIHW; lay <= NMS_LAYOUT_HWIO; lay++) {
        nms_tensor *back;
        ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 4, hollow, &t, NULL), NMS_OK);
        ck_assert_int_eq(nms_tensor_to_matrix(t, (nms_layout)lay, &m, &err), NMS_OK);
        ck_assert_uint_eq(nms_tensor_numel(m), 0);
        ck_assert_int_eq(nms_matrix_to_tensor(m, (nms_layout)lay, 4, hollow, &back, &err), NMS_OK);
        nms_tensor_free(back);
        nms_tensor_free(m);
        nms_tensor_free(t);
    }

    t = iota(NMS_DTYPE_F32, 2, s2);
    ck_assert_int_eq(nms_matrix_to_tensor(t, NMS_LAYOUT_OIHW, 3, s3, &m, &err), NMS_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(err.text, "6x4"));
    size_t huge[3] = {SIZE_MAX / 2, 4, 4};
    ck_assert_int_eq(nms_matrix_to_tensor(t, NMS_LAYOUT_OIHW, 3, huge, &m, &err), NMS_ERR_RANGE);
    nms_tensor_free(t);
}
END_TEST

START_TEST(layout_nonfinite)
{
    size_t shape[4] = {2, 3, 2, 2};
    nms_tensor *t = iota(NMS_DTYPE_F32, 4, shape), *m = NULL;
    nms_error err;
    float *d = nms_tensor_data(t);
    d[21] = NAN; /* T[1,2,0,1]: row 5, column 2 */
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_OIHW, &m, &err), NMS_ERR_NONFINITE);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.text, "[1, 2, 0, 1] is NaN") && strstr(err.text, "row 5, column 2"), "%s", err.text);
    d[21] = 0;
    d[3] = -INFINITY;
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_OIHW, &m, &err), NMS_ERR_NONFINITE);
    ck_assert_msg(strstr(err.text, "[0, 0, 1, 1] is infinite"), "%s", err.text);
    nms_tensor_free(t);

    size_t s2[2] = {1, 4};
    uint16_t h[4] = {0x3c00, 0x7c00, 0, 0};
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F16, 2, s2, &t, NULL), NMS_OK);
    memcpy(nms_tensor_data(t), h, sizeof h);
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m, &err), NMS_ERR_NONFINITE);
    ck_assert_ptr_nonnull(strstr(err.text, "[0, 1] is infinite"));
    nms_tensor_free(t);
    double big[4] = {1, 2, 1e300, 4};
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F64, 2, s2, &t, NULL), NMS_OK);
    memcpy(nms_tensor_data(t), big, sizeof big);
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m, &err), NMS_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(err.text, "[0, 2]"));
    nms_tensor_free(t);
}
END_TEST

START_TEST(layout_names)
{
    nms_layout l;
    ck_assert_int_eq(nms_layout_parse("OIHW", &l), NMS_OK);
    ck_assert_int_eq(l, NMS_LAYOUT_OIHW);
    ck_assert_int_eq(nms_layout_parse("hwio", &l), NMS_OK);
    ck_assert_int_eq(l, NMS_LAYOUT_HWIO);
    ck_assert_int_eq(nms_layout_parse("oi", &l), NMS_OK);
    ck_assert_int_eq(l, NMS_LAYOUT_OI);
    ck_assert_int_eq(nms_layout_parse("auto", &l), NMS_OK);
    ck_assert_int_eq(l, NMS_LAYOUT_AUTO);
    ck_assert_int_eq(nms_layout_parse("nchw", &l), NMS_ERR_INVALID);
    for (int k = 0; k <= NMS_LAYOUT_HWIO; k++) {
        ck_assert_int_eq(nms_layout_parse(nms_layout_name((nms_layout)k), &l), NMS_OK);
        ck_assert_int_eq(l, k);
    }
}
END_TEST

/* ---- permutation files -------------------------------------------------- */

static int perm_from_text(const char *text, size_t len, size_t expected, int32_t **p, size_t *n, nms_error *err)
{
    write_bytes(tmp_path("p.txt"), text, len);
    return nms_perm_read(tmp_path("p.txt"), expected, p, n, err);
}

START_TEST(perm_files)
{
    make_tmpdir_named("check_io");
    int32_t *p;
    size_t n;
    nms_error err;
    static const char good[] = "# a comment\n3\n  1 \n\n0\r\n2"; /* no final newline */
    ck_assert_int_eq(perm_from_text(good, sizeof good - 1, 4, &p, &n, &err), NMS_OK);
    ck_assert(n == 4 && p[0] == 3 && p[1] == 1 && p[2] == 0 && p[3] == 2);
    int32_t q[8] = {7, 6, 5, 4, 0, 1, 2, 3};
    ck_assert_int_eq(nms_perm_write(tmp_path("w.txt"), q, 8, NULL), NMS_OK);
    nms_free(p);
    ck_assert_int_eq(nms_perm_read(tmp_path("w.txt"), 0, &p, &n, NULL), NMS_OK);
    ck_assert(n == 8 && memcmp(p, q, sizeof q) == 0);
    nms_free(p);
    static const struct {
        const char *text;
        size_t len;
        size_t expected;
        int status;
        const char *needle;
    } bad[] = {
        {"0\n1\n1\n", 6, 0, NMS_ERR_INVALID, "column 1 appears twice"},
        {"0\n4\n1\n2\n", 8, 0, NMS_ERR_INVALID, "position 1 holds 4"},
        {"0\n1\n", 4, 4, NMS_ERR_SHAPE, "holds 2 indices, but the matrix has 4 columns"},
        {"0\n-1\n", 5, 0, NMS_ERR_FORMAT, "p.txt:2: expected one nonnegative column index"},
        {"0\n+1\n", 5, 0, NMS_ERR_FORMAT, "p.txt:2:"},
        {"0 1\n", 4, 0, NMS_ERR_FORMAT, "p.txt:1:"},
        {"0\n1x\n", 5, 0, NMS_ERR_FORMAT, "'1x'"},
        {"0\n99999999999\n", 14, 0, NMS_ERR_FORMAT, "p.txt:2:"},
        {"0\n1\0\n", 5, 0, NMS_ERR_FORMAT, "p.txt:2: NUL byte"},
        {"# nothing\n\n", 11, 0, NMS_ERR_FORMAT, "no column indices"},
        {"", 0, 0, NMS_ERR_FORMAT, "no column indices"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        int st = perm_from_text(bad[i].text, bad[i].len, bad[i].expected, &p, &n, &err);
        ck_assert_msg(st == bad[i].status, "case %zu: %d (%s)", i, st, err.text);
        ck_assert_msg(strstr(err.text, bad[i].needle) && strstr(err.text, "p.txt"), "case %zu: '%s' lacks '%s'", i,
                      err.text, bad[i].needle);
    }
    char longline[400];
    memset(longline, '1', sizeof longline);
    ck_assert_int_eq(perm_from_text(longline, sizeof longline, 0, &p, &n, &err), NMS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "line too long"));
    ck_assert_int_eq(nms_perm_read(tmp_path("none.txt"), 0, &p, &n, &err), NMS_ERR_IO);
    remove_tmpdir();
}
END_TEST

static Suite *io_suite(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("npy_read");
    tcase_add_test(tc, npy_every_dtype);
    tcase_add_test(tc, npy_float_values);
    tcase_add_test(tc, npy_header_spellings);
    tcase_add_test(tc, npy_dimensions_0_to_8);
    tcase_add_test(tc, npy_zero_size);
    tcase_add_test(tc, npy_fortran_order);
    tcase_add_test(tc, npy_bad_preamble);
    tcase_add_test(tc, npy_data_length_mismatch);
    tcase_add_test(tc, npy_bad_dicts);
    tcase_add_test(tc, npy_files_on_disk);
    tcase_add_test(tc, npy_from_fifo);
    suite_add_tcase(s, tc);
    tc = tcase_create("npy_write");
    tcase_add_test(tc, npy_write_golden_header);
    tcase_add_test(tc, npy_write_round_trip);
    tcase_add_test(tc, npy_write_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("half");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, half_decode_known);
    tcase_add_test(tc, half_round_trip_all);
    tcase_add_test(tc, half_rounding_edges);
    tcase_add_test(tc, half_fast_matches_reference);
    tcase_add_test(tc, fp8_all_values);
    suite_add_tcase(s, tc);
    tc = tcase_create("convert");
    tcase_add_test(tc, convert_float_to_int);
    tcase_add_test(tc, convert_int_to_int_and_float);
    tcase_add_test(tc, convert_no_double_rounding);
    tcase_add_test(tc, convert_all_pairs_small_ints);
    suite_add_tcase(s, tc);
    tc = tcase_create("layout");
    tcase_add_test(tc, layout_oihw);
    tcase_add_test(tc, layout_hwio);
    tcase_add_test(tc, layout_oi_1d_3d_and_errors);
    tcase_add_test(tc, layout_nonfinite);
    tcase_add_test(tc, layout_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("perm");
    tcase_add_test(tc, perm_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(io_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * check_io_st.c - unit tests of the JSON reader and writer and of the
 * safetensors reader and writer (src/io).  Fixture files are built here.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nmsparse.h"
#include "io/json.h"
#include "io/json_write.h"
#include "util/half.h"
#include "testutil.h"

static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char *buf = malloc(1 << 20);
    *n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* ---- JSON reader -------------------------------------------------------- */

static nms__json *parse_ok(const char *text)
{
    nms__json *v = NULL;
    nms_error err;
    int st = nms__json_parse(text, strlen(text), "t.json", &v, &err);
    ck_assert_msg(st == NMS_OK, "'%s': %s", text, err.text);
    return v;
}

static void parse_bad_n(const char *text, size_t len, int status, long line, long col, const char *needle)
{
    nms__json *v = NULL;
    nms_error err;
    memset(&err, 0, sizeof err);
    int st = nms__json_parse(text, len, "t.json", &v, &err);
    ck_assert_msg(st == status, "'%s': status %d, wanted %d (%s)", text, st, status, err.text);
    ck_assert_ptr_null(v);
    if (line)
        ck_assert_msg(err.line == line && err.column == col, "'%s': at %ld:%ld, wanted %ld:%ld (%s)", text, err.line,
                      err.column, line, col, err.text);
    ck_assert_msg(strstr(err.text, needle) && strstr(err.text, "t.json:"), "'%s': message '%s' lacks '%s'", text,
                  err.text, needle);
}

static void parse_bad(const char *text, long line, long col, const char *needle)
{
    parse_bad_n(text, strlen(text), NMS_ERR_FORMAT, line, col, needle);
}

START_TEST(json_good)
{
    nms__json *v = parse_ok(" {\"a\": [1, -2.5e3, 0, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\\\"\\/\"],\r\n"
                            "  \"b\": {}, \"c\": [], \"\": 0.125E+1 } ");
    ck_assert_int_eq(v->type, NMS__JSON_OBJECT);
    ck_assert_uint_eq(v->count, 4);
    const nms__json *a = nms__json_get(v, "a");
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(a->type, NMS__JSON_ARRAY);
    ck_assert_uint_eq(a->count, 7);
    ck_assert(a->items[0].type == NMS__JSON_NUMBER && a->items[0].number == 1.0);
    ck_assert(a->items[1].number == -2500.0);
    ck_assert_str_eq(a->items[1].str, "-2.5e3");
    ck_assert(a->items[3].type == NMS__JSON_TRUE && a->items[4].type == NMS__JSON_FALSE);
    ck_assert(a->items[5].type == NMS__JSON_NULL);
    ck_assert_int_eq(a->items[6].type, NMS__JSON_STRING);
    ck_assert_uint_eq(a->items[6].len, 10);
    ck_assert_int_eq(memcmp(a->items[6].str, "x\xc3\xa9\xf0\x9f\x98\x80\n\"/", 10), 0);
    ck_assert(a->items[6].line == 1 && a->items[6].column == 42);
    ck_assert_int_eq(nms__json_get(v, "b")->type, NMS__JSON_OBJECT);
    ck_assert_uint_eq(nms__json_get(v, "c")->count, 0);
    ck_assert(nms__json_get(v, "")->number == 1.25);
    ck_assert_int_eq(nms__json_get(v, "")->line, 2);
    ck_assert_ptr_null(nms__json_get(v, "d"));
    nms__json_free(v);

    v = parse_ok("42");
    ck_assert(v->type == NMS__JSON_NUMBER && v->number == 42.0);
    nms__json_free(v);
    v = parse_ok("\"a\\u0000b\"");
    ck_assert_uint_eq(v->len, 3);
    ck_assert_int_eq(memcmp(v->str, "a\0b", 3), 0);
    nms__json_free(v);
    v = parse_ok(" null\n");
    ck_assert_int_eq(v->type, NMS__JSON_NULL);
    nms__json_free(v);
    v = parse_ok("\"\xe2\x82\xac \xf4\x8f\xbf\xbf \xed\x9f\xbf\""); /* euro, U+10FFFF, U+D7FF */
    ck_assert_uint_eq(v->len, 12);
    nms__json_free(v);
}
END_TEST

START_TEST(json_u64)
{
    static const struct {
        const char *text;
        int ok;
        uint64_t value;
    } cases[] = {
        {"0", 1, 0},
        {"18446744073709551615", 1, UINT64_MAX},
        {"9007199254740993", 1, 9007199254740993ull}, /* 2^53 + 1: not a double */
        {"18446744073709551616", 0, 0},
        {"1.0", 0, 0},
        {"1e2", 0, 0},
        {"-0", 0, 0},
        {"-1", 0, 0},
        {"\"1\"", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nms__json *v = parse_ok(cases[i].text);
        uint64_t x = 12345;
        ck_assert_int_eq(nms__json_u64(v, &x), cases[i].ok ? 0 : -1);
        if (cases[i].ok)
            ck_assert(x == cases[i].value);
        nms__json_free(v);
    }
}
END_TEST

START_TEST(json_bad)
{
    parse_bad("[1,]", 1, 4, "trailing comma");
    parse_bad("{\"a\":1,}", 1, 8, "no trailing comma");
    parse_bad("[1 2]", 1, 4, "expected ',' or ']'");
    parse_bad("{\"a\" 1}", 1, 6, "':' after a key");
    parse_bad("{1:2}", 1, 2, "a key string");
    parse_bad("\"a\tb\"", 1, 3, "control character");
    parse_bad("\"a\nb\"", 1, 3, "control character");
    parse_bad("\"\\x\"", 1, 2, "invalid escape");
    parse_bad("\"\\u12G4\"", 1, 2, "4 hex digits");
    parse_bad("\"\\u12\"", 1, 2, "4 hex digits");
    parse_bad("\"\\ud800\"", 1, 2, "high surrogate");
    parse_bad("\"\\ud800\\u0041\"", 1, 2, "high surrogate");
    parse_bad("\"\\udc00\\ud800\"", 1, 2, "lone low surrogate");
    parse_bad("\"abc", 1, 1, "unterminated string");
    parse_bad("\"abc\\\"", 1, 1, "unterminated string");
    parse_bad("01", 1, 1, "leading zero");
    parse_bad("-01", 1, 1, "leading zero");
    parse_bad("-", 1, 2, "needs digits");
    parse_bad("1.", 1, 3, "decimal point");
    parse_bad("1.e5", 1, 3, "decimal point");
    parse_bad(".5", 1, 1, "unexpected character '.'");
    parse_bad("+1", 1, 1, "unexpected character '+'");
    parse_bad("1e", 1, 3, "exponent");
    parse_bad("1e+", 1, 4, "exponent");
    parse_bad("tru", 1, 1, "expected a value");
    parse_bad("nulll", 1, 5, "after the JSON value");
    parse_bad("[1] x", 1, 5, "after the JSON value");
    parse_bad("", 1, 1, "unexpected end");
    parse_bad("   ", 1, 4, "unexpected end");
    parse_bad("[", 1, 2, "unexpected end");
    parse_bad("{\"a\":", 1, 6, "unexpected end");
    parse_bad("\xef\xbb\xbf{}", 1, 1, "byte-order mark");
    parse_bad("{\"a\":1,\"b\":2,\"a\":3}", 1, 14, "duplicate key \"a\"");
    parse_bad("{\"x\":{\"k\":1,\"k\":1}}", 1, 13, "duplicate key \"k\"");
    parse_bad("{\n  \"a\": 1,\n  \"b\": ]\n}", 3, 8, "expected a value");
    parse_bad("\"\xc0\xaf\"", 1, 2, "invalid UTF-8");         /* overlong '/' */
    parse_bad("\"\xe0\x80\xaf\"", 1, 2, "invalid UTF-8");     /* overlong */
    parse_bad("\"\xed\xa0\x80\"", 1, 2, "invalid UTF-8");     /* encoded surrogate */
    parse_bad("\"\xf4\x90\x80\x80\"", 1, 2, "invalid UTF-8"); /* > U+10FFFF */
    parse_bad("\"\xe2\x82\"", 1, 2, "invalid UTF-8");         /* truncated */
    parse_bad("\"\x80\"", 1, 2, "invalid UTF-8");
    parse_bad("\"\xff\"", 1, 2, "invalid UTF-8");
    parse_bad("[\xc3\xa9]", 1, 2, "unexpected byte 0xc3");
    parse_bad_n("[1,\0]", 5, NMS_ERR_FORMAT, 1, 4, "unexpected byte 0x00");
    parse_bad_n("\"a\0\"", 4, NMS_ERR_FORMAT, 1, 3, "control character");
    parse_bad_n("[1]\0", 4, NMS_ERR_FORMAT, 1, 4, "after the JSON value");
}
END_TEST

START_TEST(json_depth)
{
    char buf[400];
    /* 64 levels are fine, 65 are not */
    memset(buf, '[', 64);
    memset(buf + 64, ']', 64);
    nms__json *v;
    ck_assert_int_eq(nms__json_parse(buf, 128, "t.json", &v, NULL), NMS_OK);
    nms__json_free(v);
    memset(buf, '[', 65);
    memset(buf + 65, ']', 65);
    parse_bad_n(buf, 130, NMS_ERR_RANGE, 1, 65, "deeper than 64");
    for (int i = 0; i < 65; i++)
        memcpy(buf + 5 * i, "{\"a\":", 5);
    parse_bad_n(buf, 5 * 65, NMS_ERR_RANGE, 1, 321, "deeper than 64");
    /* a long flat array is fine */
    size_t n = 200001;
    char *big = malloc(n + 2);
    big[0] = '[';
    for (size_t i = 1; i < n; i += 2)
        big[i] = '0', big[i + 1] = ',';
    big[n - 1] = ']';
    ck_assert_int_eq(nms__json_parse(big, n, "t.json", &v, NULL), NMS_OK);
    ck_assert_uint_eq(v->count, 100000);
    nms__json_free(v);
    free(big);
}
END_TEST

START_TEST(json_budget)
{
    static const char text[] = "{\"a\": [1, 2, 3], \"b\": \"some text\"}";
    nms__json *v = NULL;
    nms_error err;
    ck_assert_int_eq(nms__json_parse_budget(text, sizeof text - 1, "t.json", 1 << 20, &v, &err), NMS_OK);
    nms__json_free(v);
    v = NULL;
    ck_assert_int_eq(nms__json_parse_budget(text, sizeof text - 1, "t.json", 200, &v, &err), NMS_ERR_RANGE);
    ck_assert_ptr_null(v);
    ck_assert_ptr_nonnull(strstr(err.text, "t.json: the JSON text needs more than 200 bytes"));
}
END_TEST

/* ---- JSON writer -------------------------------------------------------- */

START_TEST(json_write_compact)
{
    nms__json_writer w;
    nms__jw_init_mem(&w, 0);
    nms__jw_begin_object(&w);
    nms__jw_key(&w, "a");
    nms__jw_string(&w, "x\"y\\\n\x01\xc3\xa9");
    nms__jw_key(&w, "d");
    nms__jw_double(&w, 0.1);
    nms__jw_key(&w, "n");
    nms__jw_double(&w, NAN);
    nms__jw_key(&w, "i");
    nms__jw_int(&w, -5);
    nms__jw_key(&w, "u");
    nms__jw_uint(&w, 18446744073709551615ull);
    nms__jw_key(&w, "b");
    nms__jw_bool(&w, 1);
    nms__jw_key(&w, "arr");
    nms__jw_begin_array(&w);
    nms__jw_int(&w, 1);
    nms__jw_double(&w, 2.5);
    nms__jw_begin_array(&w);
    nms__jw_end_array(&w);
    nms__jw_null(&w);
    nms__jw_end_array(&w);
    nms__jw_key(&w, "o\t");
    nms__jw_begin_object(&w);
    nms__jw_end_object(&w);
    nms__jw_end_object(&w);
    ck_assert_int_eq(nms__jw_finish(&w), 0);
    ck_assert_str_eq(w.buf, "{\"a\":\"x\\\"y\\\\\\n\\u0001\xc3\xa9\",\"d\":0.1,\"n\":null,\"i\":-5,"
                            "\"u\":18446744073709551615,\"b\":true,\"arr\":[1,2.5,[],null],\"o\\t\":{}}");
    /* invalid UTF-8 becomes U+FFFD, valid multi-byte text is kept */
    nms__json_writer w2;
    nms__jw_init_mem(&w2, 0);
    nms__jw_string(&w2, "a\xff\xe2\x82\xac\xc0\xafz\xe2\x82");
    ck_assert_int_eq(nms__jw_finish(&w2), 0);
    ck_assert_str_eq(w2.buf, "\"a\\ufffd\xe2\x82\xac\\ufffd\\ufffdz\\ufffd\\ufffd\"");
    nms__jw_free_mem(&w2);
    /* and it reads back */
    nms__json *v;
    ck_assert_int_eq(nms__json_parse(w.buf, w.len, "w", &v, NULL), NMS_OK);
    ck_assert_str_eq(nms__json_get(v, "a")->str, "x\"y\\\n\x01\xc3\xa9");
    nms__json_free(v);
    nms__jw_free_mem(&w);
}
END_TEST

START_TEST(json_write_pretty_file)
{
    make_tmpdir_named("check_io_st");
    FILE *f = fopen(tmp_path("r.json"), "w");
    ck_assert_ptr_nonnull(f);
    nms__json_writer w;
    nms__jw_init_file(&w, f, 1);
    nms__jw_begin_object(&w);
    nms__jw_key(&w, "value");
    nms__jw_double(&w, 1.0 / 3.0);
    nms__jw_key(&w, "list");
    nms__jw_begin_array(&w);
    nms__jw_int(&w, 1);
    nms__jw_int(&w, 2);
    nms__jw_end_array(&w);
    nms__jw_key(&w, "empty");
    nms__jw_begin_array(&w);
    nms__jw_end_array(&w);
    nms__jw_end_object(&w);
    ck_assert_int_eq(nms__jw_finish(&w), 0);
    fclose(f);
    size_t n;
    unsigned char *b = read_file(tmp_path("r.json"), &n);
    static const char want[] = "{\n  \"value\": 0.3333333333333333,\n  \"list\": [\n    1,\n    2\n  ],\n"
                               "  \"empty\": []\n}\n";
    ck_assert_uint_eq(n, sizeof want - 1);
    ck_assert_int_eq(memcmp(b, want, n), 0);
    free(b);
    remove_tmpdir();
}
END_TEST

START_TEST(json_write_misuse)
{
    nms__json_writer w;
    nms__jw_init_mem(&w, 0);
    nms__jw_begin_object(&w);
    nms__jw_int(&w, 1); /* a value where a key is due */
    nms__jw_end_object(&w);
    ck_assert_int_eq(nms__jw_finish(&w), -1);
    nms__jw_free_mem(&w);
    nms__jw_init_mem(&w, 0);
    nms__jw_begin_array(&w);
    nms__jw_end_object(&w); /* wrong close */
    ck_assert_int_eq(nms__jw_finish(&w), -1);
    nms__jw_free_mem(&w);
    nms__jw_init_mem(&w, 0);
    nms__jw_begin_array(&w); /* never closed */
    ck_assert_int_eq(nms__jw_finish(&w), -1);
    nms__jw_free_mem(&w);
    nms__jw_init_mem(&w, 0);
    nms__jw_int(&w, 1);
    nms__jw_int(&w, 2); /* two top-level values */
    ck_assert_int_eq(nms__jw_finish(&w), -1);
    nms__jw_free_mem(&w);
    nms__jw_init_mem(&w, 0);
    ck_assert_int_eq(nms__jw_finish(&w), -1); /* nothing */
    nms__jw_free_mem(&w);
}
END_TEST

START_TEST(json_write_doubles)
{
    char buf[32];
    ck_assert_str_eq(nms__jw_format_double(0.1, buf), "0.1");
    ck_assert_str_eq(nms__jw_format_double(123.0, buf), "123");
    ck_assert_str_eq(nms__jw_format_double(-0.0, buf), "-0");
    ck_assert_str_eq(nms__jw_format_double(1e21, buf), "1e+21");
    ck_assert_str_eq(nms__jw_format_double(1.0 / 3.0, buf), "0.3333333333333333");
    ck_assert_str_eq(nms__jw_format_double(ldexp(1.0, -1074), buf), "4.94065645841247e-324");
    ck_assert_str_eq(nms__jw_format_double(INFINITY, buf), "null");
    /* every formatted double reads back exactly */
    uint64_t bits = 0x3ff0000000000001ull;
    for (int i = 0; i < 20000; i++) {
        double x;
        bits = bits * 6364136223846793005ull + 1442695040888963407ull;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        nms__jw_format_double(x, buf);
        if (strtod(buf, NULL) != x)
            ck_abort_msg("%s does not read back", buf);
    }
    /* independent of a locale with a decimal comma, when one is installed */
    const char *locs[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "C.UTF-8"};
    for (size_t i = 0; i < sizeof locs / sizeof locs[0]; i++)
        if (setlocale(LC_NUMERIC, locs[i])) {
            ck_assert_str_eq(nms__jw_format_double(2.5, buf), "2.5");
            nms__json *v;
            ck_assert_int_eq(nms__json_parse("2.5", 3, "w", &v, NULL), NMS_OK);
            ck_assert(v->number == 2.5);
            nms__json_free(v);
        }
    setlocale(LC_NUMERIC, "C");
}
END_TEST

/* ---- safetensors reading ------------------------------------------------ */

/* header (padded with spaces to a multiple of 8 when pad), then n data bytes */
static unsigned char *st_image(const char *header, int pad, const void *data, size_t n, size_t *size)
{
    size_t h = strlen(header), hp = pad ? (h + 7) / 8 * 8 : h;
    unsigned char *b = malloc(8 + hp + n + 1);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)hp >> (8 * i));
    memcpy(b + 8, header, h);
    memset(b + 8 + h, ' ', hp - h);
    if (n)
        memcpy(b + 8 + hp, data, n);
    *size = 8 + hp + n;
    return b;
}

static void st_bad(const char *header, size_t ndata, int status, const char *needle)
{
    unsigned char data[256];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)i;
    size_t size;
    unsigned char *img = st_image(header, 1, data, ndata, &size);
    nms_safetensors *f = NULL;
    nms_error err;
    memset(&err, 0, sizeof err);
    int st = nms_st_open_mem(img, size, "m.safetensors", &f, &err);
    ck_assert_msg(st == status, "%s: status %d (%s), wanted %d", header, st, err.text, status);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(err.text, "m.safetensors") && strstr(err.text, needle), "%s: message '%s' lacks '%s'",
                  header, err.text, needle);
    free(img);
}

START_TEST(st_good)
{
    /* listed out of offset order on purpose */
    static const char header[] =
        "{\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[24,28]},"
        "\"__metadata__\":{\"format\":\"pt\",\"note\":\"caf\\u00e9\"},"
        "\"a\":{\"shape\":[2,3],\"dtype\":\"F32\",\"data_offsets\":[0,24]},"
        "\"c\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[30,34]},"
        "\"s\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[28,30]},"
        "\"z\":{\"dtype\":\"F32\",\"shape\":[0,7],\"data_offsets\":[34,34]}}";
    unsigned char data[34];
    float a[6] = {1, 2, 3, -4, 5.5f, 6};
    uint16_t b[2] = {0x3c00, 0xc000}, s = 0x4049; /* bf16 3.140625 */
    int8_t c[4] = {-128, -1, 0, 127};
    memcpy(data, a, 24);
    memcpy(data + 24, b, 4);
    memcpy(data + 28, &s, 2);
    memcpy(data + 30, c, 4);
    size_t size;
    unsigned char *img = st_image(header, 1, data, sizeof data, &size);
    nms_safetensors *f;
    nms_error err;
    ck_assert_msg(nms_st_open_mem(img, size, "m.safetensors", &f, &err) == NMS_OK, "%s", err.text);
    memset(img, 0, size); /* the reader keeps its own copy */
    free(img);
    ck_assert_uint_eq(nms_st_count(f), 5);
    static const char *order[] = {"a", "b", "s", "c", "z"};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_str_eq(nms_st_name(f, i), order[i]);
        size_t idx;
        ck_assert_int_eq(nms_st_find(f, order[i], &idx), NMS_OK);
        ck_assert_uint_eq(idx, i);
    }
    ck_assert_int_eq(nms_st_find(f, "nope", NULL), NMS_ERR_NOTFOUND);
    ck_assert_int_eq(nms_st_dtype(f, 0), NMS_DTYPE_F32);
    ck_assert_int_eq(nms_st_dtype(f, 1), NMS_DTYPE_F16);
    ck_assert_int_eq(nms_st_dtype(f, 2), NMS_DTYPE_BF16);
    ck_assert_int_eq(nms_st_dtype(f, 3), NMS_DTYPE_I8);
    ck_assert_int_eq(nms_st_ndim(f, 0), 2);
    ck_assert(nms_st_shape(f, 0)[0] == 2 && nms_st_shape(f, 0)[1] == 3);
    ck_assert_int_eq(nms_st_ndim(f, 2), 0);
    ck_assert_ptr_null(nms_st_name(f, 5));
    ck_assert_uint_eq(nms_st_metadata_count(f), 2);
    ck_assert_str_eq(nms_st_metadata_key(f, 0), "format");
    ck_assert_str_eq(nms_st_metadata_value(f, 0), "pt");
    ck_assert_str_eq(nms_st_metadata_value(f, 1), "caf\xc3\xa9");
    ck_assert_ptr_null(nms_st_metadata_key(f, 2));

    nms_tensor *t;
    ck_assert_int_eq(nms_st_load(f, 0, &t, NULL), NMS_OK);
    ck_assert_int_eq(memcmp(nms_tensor_cdata(t), a, 24), 0);
    nms_tensor_free(t);
    ck_assert_int_eq(nms_st_load(f, 2, &t, NULL), NMS_OK);
    ck_assert(nms__bf16_to_f32(*(const uint16_t *)nms_tensor_cdata(t)) == 3.140625f);
    nms_tensor_free(t);
    ck_assert_int_eq(nms_st_load(f, 3, &t, NULL), NMS_OK);
    ck_assert_int_eq(memcmp(nms_tensor_cdata(t), c, 4), 0);
    nms_tensor_free(t);
    ck_assert_int_eq(nms_st_load(f, 4, &t, NULL), NMS_OK);
    ck_assert_uint_eq(nms_tensor_numel(t), 0);
    ck_assert_uint_eq(nms_tensor_dim(t, 1), 7);
    nms_tensor_free(t);
    ck_assert_int_eq(nms_st_load(f, 5, &t, &err), NMS_ERR_INVALID);
    nms_st_close(f);
}
END_TEST

START_TEST(st_every_dtype)
{
    static const char *names[] = {"BOOL", "U8", "I8", "U16", "I16", "F16", "BF16", "U32",
                                  "I32", "F32", "U64", "I64", "F64", "F8_E4M3", "F8_E5M2"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        nms_dtype d;
        ck_assert_int_eq(nms_dtype_parse(names[i], &d), NMS_OK);
        size_t es = nms_dtype_size(d);
        char header[200];
        snprintf(header, sizeof header, "{\"t\":{\"dtype\":\"%s\",\"shape\":[3],\"data_offsets\":[0,%zu]}}", names[i],
                 3 * es);
        unsigned char data[24];
        for (size_t k = 0; k < sizeof data; k++)
            data[k] = (unsigned char)(k + 1);
        size_t size;
        unsigned char *img = st_image(header, 0, data, 3 * es, &size);
        nms_safetensors *f;
        nms_tensor *t;
        nms_error err;
        ck_assert_msg(nms_st_open_mem(img, size, "m.safetensors", &f, &err) == NMS_OK, "%s: %s", names[i], err.text);
        ck_assert_int_eq(nms_st_dtype(f, 0), d);
        ck_assert_int_eq(nms_st_load(f, 0, &t, NULL), NMS_OK);
        ck_assert_int_eq(memcmp(nms_tensor_cdata(t), data, 3 * es), 0);
        nms_tensor_free(t);
        nms_st_close(f);
        free(img);
    }
}
END_TEST

START_TEST(st_empty_and_metadata_only)
{
    size_t size;
    unsigned char *img = st_image("{}", 1, NULL, 0, &size);
    nms_safetensors *f;
    ck_assert_int_eq(nms_st_open_mem(img, size, "m.safetensors", &f, NULL), NMS_OK);
    ck_assert_uint_eq(nms_st_count(f), 0);
    ck_assert_uint_eq(nms_st_metadata_count(f), 0);
    nms_st_close(f);
    free(img);
    img = st_image("{\"__metadata__\":{}}", 0, NULL, 0, &size);
    ck_assert_int_eq(nms_st_open_mem(img, size, "m.safetensors", &f, NULL), NMS_OK);
    nms_st_close(f);
    free(img);
}
END_TEST

START_TEST(st_bad_framing)
{
    unsigned char b[64] = {0};
    nms_safetensors *f = NULL;
    nms_error err;
    ck_assert_int_eq(nms_st_open_mem(b, 7, "m.safetensors", &f, &err), NMS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "m.safetensors: too short"));
    b[0] = 100; /* header of 100 bytes in a 64-byte file */
    ck_assert_int_eq(nms_st_open_mem(b, 64, "m.safetensors", &f, &err), NMS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "header length is 100 bytes but only 56 follow"));
    memset(b, 0xff, 8); /* 2^64 - 1 */
    ck_assert_int_eq(nms_st_open_mem(b, 64, "m.safetensors", &f, &err), NMS_ERR_FORMAT);
    memset(b, 0, 8);
    ck_assert_int_eq(nms_st_open_mem(b, 64, "m.safetensors", &f, &err), NMS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "too short"));
    b[0] = 8;
    memcpy(b + 8, "[]      ", 8);
    ck_assert_int_eq(nms_st_open_mem(b, 16, "m.safetensors", &f, &err), NMS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "does not start with '{'"));
    memcpy(b + 8, "{}   x  ", 8);
    ck_assert_int_eq(nms_st_open_mem(b, 16, "m.safetensors", &f, &err), NMS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "m.safetensors:1:6: unexpected text after"));
    ck_assert(err.line == 1 && err.column == 6);
    ck_assert_ptr_null(f);
}
END_TEST

START_TEST(st_bad_headers)
{
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},}", 8, NMS_ERR_FORMAT, "trailing comma");
    st_bad("{\"a\":[1]}", 0, NMS_ERR_FORMAT, "tensor 'a': expected an object");
    st_bad("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, NMS_ERR_FORMAT, "missing \"dtype\"");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, NMS_ERR_FORMAT, "missing \"shape\"");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, NMS_ERR_FORMAT, "missing \"data_offsets\"");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8, NMS_ERR_FORMAT,
           "unexpected field \"x\"");
    st_bad("{\"a\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}", 1, NMS_ERR_UNSUPPORTED,
           "unsupported dtype \"F4\"");
    st_bad("{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, NMS_ERR_UNSUPPORTED, "\"f32\"");
    st_bad("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, NMS_ERR_FORMAT, "must be a string");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, NMS_ERR_FORMAT, "non-negative");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8, NMS_ERR_FORMAT, "non-negative");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8, NMS_ERR_FORMAT, "array");
    st_bad("{\"a\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}", 1, NMS_ERR_UNSUPPORTED,
           "9 dimensions");
    st_bad("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8, NMS_ERR_RANGE,
           "overflows");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8, NMS_ERR_FORMAT,
           "below 2^64");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8, NMS_ERR_FORMAT, "[begin, end]");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", 8, NMS_ERR_FORMAT, "[begin, end]");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, NMS_ERR_FORMAT, "end before begin");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", 12, NMS_ERR_FORMAT,
           "data_offsets span 12 bytes but F32 2 needs 8");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
           "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
           12, NMS_ERR_FORMAT, "tensor 'b' (bytes 4..12) overlaps tensor 'a'");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
           "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}",
           20, NMS_ERR_FORMAT, "bytes 8..12 of the data section belong to no tensor");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, NMS_ERR_FORMAT,
           "bytes 0..4 of the data section belong to no tensor");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 10, NMS_ERR_FORMAT,
           "the last 2 bytes of the file belong to no tensor");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 6, NMS_ERR_FORMAT,
           "truncated: tensor 'a' ends at byte 8 of the data section, which holds 6");
    /* a lying shape: 4 TB declared in a tiny file is refused before allocating */
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,4000000000000]}}", 8,
           NMS_ERR_FORMAT, "truncated");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
           "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
           16, NMS_ERR_FORMAT, "duplicate key \"a\"");
    st_bad("{\"__metadata__\":{\"k\":1}}", 0, NMS_ERR_FORMAT, "metadata \"k\" is a number, not a string");
    st_bad("{\"__metadata__\":[\"k\"]}", 0, NMS_ERR_FORMAT, "must be an object of strings");
    st_bad("{\"a\\u0000b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, NMS_ERR_UNSUPPORTED, "NUL");
    st_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, NMS_ERR_FORMAT, "unexpected end");
}
END_TEST

/* A header padded with a huge array of zeros parses to ~56 bytes per byte:
 * refused with a clear error instead of taking gigabytes. */
START_TEST(st_degenerate_header)
{
    size_t n = 1500000;
    char *h = malloc(n + 16);
    size_t k = 0;
    k += (size_t)sprintf(h, "{\"a\":[");
    while (k < n)
        h[k++] = '0', h[k++] = ',';
    h[k++] = '0';
    h[k++] = ']';
    h[k++] = '}';
    h[k] = '\0';
    size_t size;
    unsigned char *img = st_image(h, 1, NULL, 0, &size);
    nms_safetensors *f = NULL;
    nms_error err;
    ck_assert_int_eq(nms_st_open_mem(img, size, "m.safetensors", &f, &err), NMS_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(err.text, "needs more than"));
    free(img);
    free(h);
}
END_TEST

START_TEST(st_files_on_disk)
{
    make_tmpdir_named("check_io_st");
    nms_safetensors *f = NULL;
    nms_error err;
    ck_assert_int_eq(nms_st_open(tmp_path("missing.safetensors"), &f, &err), NMS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.text, "missing.safetensors: cannot open"));
    static const char header[] = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
    float w[4] = {1, -2, 3, -4};
    size_t size;
    unsigned char *img = st_image(header, 1, w, sizeof w, &size);
    FILE *fp = fopen(tmp_path("m.safetensors"), "wb");
    fwrite(img, 1, size - 1, fp); /* truncated by one byte */
    fclose(fp);
    ck_assert_int_eq(nms_st_open(tmp_path("m.safetensors"), &f, &err), NMS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "m.safetensors: truncated"));
    fp = fopen(tmp_path("m.safetensors"), "wb");
    fwrite(img, 1, size, fp);
    fclose(fp);
    ck_assert_int_eq(nms_st_open(tmp_path("m.safetensors"), &f, &err), NMS_OK);
    nms_tensor *t, *m;
    ck_assert_int_eq(nms_st_load(f, 0, &t, NULL), NMS_OK);
    ck_assert_int_eq(memcmp(nms_tensor_cdata(t), w, 16), 0);
    ck_assert_int_eq(nms_tensor_to_matrix(t, NMS_LAYOUT_AUTO, &m, NULL), NMS_OK);
    nms_tensor_free(m);
    nms_tensor_free(t);
    /* the file shrinks under an open reader: a clear error, not garbage */
    ck_assert_int_eq(truncate(tmp_path("m.safetensors"), (off_t)(size - 4)), 0);
    ck_assert_int_eq(nms_st_load(f, 0, &t, &err), NMS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.text, "shrank"));
    nms_st_close(f);
    free(img);
    remove_tmpdir();
}
END_TEST

/* ---- safetensors writing ------------------------------------------------ */

START_TEST(st_write_golden)
{
    make_tmpdir_named("check_io_st");
    size_t two = 2;
    nms_tensor *t;
    ck_assert_int_eq(nms_tensor_create(NMS_DTYPE_F32, 1, &two, &t, NULL), NMS_OK);
    float *d = nms_tensor_data(t);
    d[0] = 1.0f;
    d[1] = -0.5f;
    nms_st_writer *w;
    ck_assert_int_eq(nms_st_writer_create(&w, NULL), NMS_OK);
    ck_assert_int_eq(nms_st_writer_add(w, "w", t, NULL), NMS_OK);
    ck_assert_int_eq(nms_st_writer_write(w, tmp_path("g.safetensors"), NULL), NMS_OK);
    nms_st_writer_free(w);
    size_t n;
    unsigned char *b = read_file(tmp_path("g.safetensors"), &n);
    static const char hdr[] = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ";
    ck_assert_uint_eq(n, 8 + 56 + 8);
    ck_assert_int_eq(memcmp(b, "\x38\0\0\0\0\0\0\0", 8), 0);
    ck_assert_int_eq(memcmp(b + 8, hdr, 56), 0);
    ck_assert_int_eq(memcmp(b + 64, d, 8), 0);
    free(b);
    nms_tensor_free(t);
    remove_tmpdir();
}
END_TEST

START_TEST(st_write_round_trip)
{
    make_tmpdir_named("check_io_st");
    static const nms_dtype dts[] = {NMS_DTYPE_F32, NMS_DTYPE_F16, NMS_DTYPE_BF16, NMS_DTYPE_I8, NMS_DTYPE_F64,
                                    NMS_DTYPE_U8,  NMS_DTYPE_F8_E4M3, NMS_DTYPE_BOOL, NMS_DTYPE_I64};
    enum { NT = sizeof dts / sizeof dts[0] };
    nms_tensor *ts[NT];
    char names[NT][32];
    nms_st_writer *w;
    ck_assert_int_eq(nms_st_writer_create(&w, NULL), NMS_OK);
    for (int i = 0; i < NT; i++) {
        size_t shape[3] = {(size_t)(i % 3 + 1), 3, (size_t)(i % 2 + 1)};
        ck_assert_int_eq(nms_tensor_create(dts[i], i % 4, shape, &ts[i], NULL), NMS_OK);
        unsigned char *d = nms_tensor_data(ts[i]);
        for (size_t k = 0; k < nms_tensor_nbytes(ts[i]); k++)
            d[k] = (unsigned char)(dts[i] == NMS_DTYPE_BOOL ? k % 2 : k * 31 + (size_t)i);
        snprintf(names[i], sizeof names[i], "layer.%d.\"weight\"\t%s", NT - i, nms_dtype_name(dts[i]));
        ck_assert_int_eq(nms_st_writer_add(w, names[i], ts[i], NULL), NMS_OK);
    }
    nms_error err;
    ck_assert_int_eq(nms_st_writer_add(w, names[2], ts[0], &err), NMS_ERR_INVALID);
    ck_assert_int_eq(nms_st_writer_add(w, "__metadata__", ts[0], &err), NMS_ERR_INVALID);
    ck_assert_int_eq(nms_st_writer_add(w, "bad\xff", ts[0], &err), NMS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.text, "not valid UTF-8"));
    ck_assert_int_eq(nms_st_writer_set_metadata(w, "k", "\xc0\xaf", &err), NMS_ERR_INVALID);
    ck_assert_int_eq(nms_st_writer_set_metadata(w, "format", "pt", NULL), NMS_OK);
    ck_assert_int_eq(nms_st_writer_set_metadata(w, "by", "nmsparse \"2:4\"", NULL), NMS_OK);
    ck_assert_int_eq(nms_st_writer_set_metadata(w, "format", "np", NULL), NMS_OK); /* replaces */
    ck_assert_int_eq(nms_st_writer_write(w, tmp_path("r.safetensors"), &err), NMS_OK);
    nms_st_writer_free(w);

    size_t n;
    unsigned char *b = read_file(tmp_path("r.safetensors"), &n);
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--)
        hl = hl << 8 | b[i];
    ck_assert_uint_eq(hl % 8, 0);
    ck_assert_int_eq(memcmp(b + 8, "{\"__metadata__\":{\"format\":\"np\",\"by\":\"nmsparse \\\"2:4\\\"\"}", 55), 0);
    free(b);

    nms_safetensors *f;
    ck_assert_msg(nms_st_open(tmp_path("r.safetensors"), &f, &err) == NMS_OK, "%s", err.text);
    ck_assert_uint_eq(nms_st_count(f), NT);
    for (int i = 0; i < NT; i++) {
        ck_assert_str_eq(nms_st_name(f, (size_t)i), names[i]); /* offset order = order added */
        ck_assert_int_eq(nms_st_dtype(f, (size_t)i), dts[i]);
        ck_assert_int_eq(nms_st_ndim(f, (size_t)i), i % 4);
        nms_tensor *t;
        ck_assert_int_eq(nms_st_load(f, (size_t)i, &t, NULL), NMS_OK);
        ck_assert_uint_eq(nms_tensor_nbytes(t), nms_tensor_nbytes(ts[i]));
        ck_assert_int_eq(memcmp(nms_tensor_cdata(t), nms_tensor_cdata(ts[i]), nms_tensor_nbytes(t)), 0);
        nms_tensor_free(t);
        nms_tensor_free(ts[i]);
    }
    ck_assert_uint_eq(nms_st_metadata_count(f), 2);
    ck_assert_str_eq(nms_st_metadata_value(f, 1), "nmsparse \"2:4\"");
    nms_st_close(f);
    remove_tmpdir();
}
END_TEST

START_TEST(st_write_errors)
{
    make_tmpdir_named("check_io_st");
    nms_st_writer *w;
    nms_error err;
    ck_assert_int_eq(nms_st_writer_create(&w, NULL), NMS_OK);
    ck_assert_int_eq(nms_st_writer_write(w, tmp_path("no/dir/x.safetensors"), &err), NMS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.text, "x.safetensors"));
    /* an empty file set is valid and reads back */
    ck_assert_int_eq(nms_st_writer_write(w, tmp_path("e.safetensors"), &err), NMS_OK);
    nms_st_writer_free(w);
    nms_safetensors *f;
    ck_assert_int_eq(nms_st_open(tmp_path("e.safetensors"), &f, &err), NMS_OK);
    ck_assert_uint_eq(nms_st_count(f), 0);
    nms_st_close(f);
    remove_tmpdir();
}
END_TEST

static Suite *io_st_suite(void)
{
    Suite *s = suite_create("io_st");
    TCase *tc = tcase_create("json_read");
    tcase_add_test(tc, json_good);
    tcase_add_test(tc, json_u64);
    tcase_add_test(tc, json_bad);
    tcase_add_test(tc, json_depth);
    tcase_add_test(tc, json_budget);
    suite_add_tcase(s, tc);
    tc = tcase_create("json_write");
    tcase_add_test(tc, json_write_compact);
    tcase_add_test(tc, json_write_pretty_file);
    tcase_add_test(tc, json_write_misuse);
    tcase_add_test(tc, json_write_doubles);
    suite_add_tcase(s, tc);
    tc = tcase_create("safetensors_read");
    tcase_add_test(tc, st_good);
    tcase_add_test(tc, st_every_dtype);
    tcase_add_test(tc, st_empty_and_metadata_only);
    tcase_add_test(tc, st_bad_framing);
    tcase_add_test(tc, st_bad_headers);
    tcase_add_test(tc, st_degenerate_header);
    tcase_add_test(tc, st_files_on_disk);
    suite_add_tcase(s, tc);
    tc = tcase_create("safetensors_write");
    tcase_add_test(tc, st_write_golden);
    tcase_add_test(tc, st_write_round_trip);
    tcase_add_test(tc, st_write_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(io_st_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

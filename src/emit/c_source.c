/* c_source.c - C source for firmware: PREFIX.h declares a descriptor type,
 * shape macros and the format; PREFIX.c holds every part of a packed matrix
 * as a `static const` array and defines the descriptor (see nmsparse.h,
 * nms_packed_write_c).  Each array is preceded by a machine-readable line
 *   / * part NAME: DTYPE NDIM DIM... * /
 * and PREFIX.c starts with  / * nmsparse-c: format=F dtype=D rows=M cols=K * /
 * so nms_packed_read_c() can read it back (c_source_read.c). */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "emit/c_source.h"
#include "emit/emit.h"
#include "emit/stage.h"
#include "io/atomic_file.h"
#include "io/tensor.h"
#include "util/util.h"

const char *nms__c_type(const char *part, nms_dtype dtype)
{
    int meta = strcmp(part, "meta") == 0;
    switch (dtype) {
    case NMS_DTYPE_F32: return "float";
    case NMS_DTYPE_F64: return "double";
    case NMS_DTYPE_F16:
    case NMS_DTYPE_BF16:
    case NMS_DTYPE_U16: return "uint16_t";
    case NMS_DTYPE_I16: return meta ? "uint16_t" : "int16_t";
    case NMS_DTYPE_I32: return meta ? "uint32_t" : "int32_t";
    case NMS_DTYPE_U32: return "uint32_t";
    case NMS_DTYPE_I64: return "int64_t";
    case NMS_DTYPE_U64: return "uint64_t";
    case NMS_DTYPE_I8: return "int8_t";
    default: return "uint8_t"; /* U8, BOOL, FP8 bit patterns */
    }
}

static const char *dtype_note(nms_dtype dtype)
{
    switch (dtype) {
    case NMS_DTYPE_F16: return "IEEE binary16 values stored as uint16_t bit patterns";
    case NMS_DTYPE_BF16: return "bfloat16 values stored as uint16_t bit patterns (the high half of a float)";
    case NMS_DTYPE_F8_E4M3: return "fp8 e4m3 values stored as uint8_t bit patterns";
    case NMS_DTYPE_F8_E5M2: return "fp8 e5m2 values stored as uint8_t bit patterns";
    case NMS_DTYPE_BOOL: return "booleans stored as uint8_t 0 / 1";
    default: return NULL;
    }
}

static const char *format_description(nms_format f)
{
    switch (f) {
    case NMS_FORMAT_CUTLASS:
        return " *   cutlass: CUTLASS / PyTorch semi-structured 2:4.  values[r][2g], values[r][2g+1]\n"
               " *   are the kept elements of group g (columns 4g..4g+3) of row r; meta holds one\n"
               " *   4-bit code i0 | i1 << 2 per group (fp32: per column pair, 1:2), 4 codes per\n"
               " *   16-bit word (8 per 32-bit word for int8), words in CUTLASS's reordered\n"
               " *   (ColumnMajorInterleaved<2>) storage order, ready for the tensor cores.\n";
    case NMS_FORMAT_NM:
        return " *   nm: generic 2:4.  values[r][2g], values[r][2g+1] are the kept elements of\n"
               " *   group g (columns 4g..4g+3) of row r, at positions i0 < i1 in the group;\n"
               " *   meta[r][b] = code(2b) | code(2b+1) << 4 with code = i0 | i1 << 2 (no reorder).\n"
               " *   Decode: col0 = 4g + (code & 3), col1 = 4g + (code >> 2).\n";
    default:
        return " *   csr: compressed sparse rows.  Row r holds data[indptr[r] .. indptr[r+1]-1]\n"
               " *   at columns indices[...] (increasing); zeros are not stored.\n";
    }
}

/* The file name part of a path (after the last '/'). */
static const char *file_name_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* A C identifier from the file name of prefix. */
static int make_symbol(const char *prefix, const char *symbol, char *out, size_t size,
                       nms_error *err)
{
    if (symbol) {
        size_t n = strlen(symbol);
        int ok = n > 0 && n < size && !isdigit((unsigned char)symbol[0]);
        for (size_t i = 0; ok && i < n; i++)
            ok = isalnum((unsigned char)symbol[i]) || symbol[i] == '_';
        if (!ok)
            return nms__fail(err, NMS_ERR_INVALID, "'%s' is not a C identifier", symbol);
        memcpy(out, symbol, n + 1);
        return NMS_OK;
    }
    const char *base = file_name_of(prefix);
    size_t j = 0;
    if (isdigit((unsigned char)base[0]) || base[0] == '\0' || base[0] == '_')
        out[j++] = 'w', out[j++] = '_';
    for (size_t i = 0; base[i] && j + 1 < size; i++)
        out[j++] = isalnum((unsigned char)base[i]) ? base[i] : '_';
    out[j] = '\0';
    return NMS_OK;
}

typedef struct c_writer {
    const nms_packed *p;
    char sym[128], upper[128];
    char header_name[1024]; /* file name of PREFIX.h as #included */
} c_writer;

static int print_part_dims(FILE *f, const char *upper, const char *name, const nms_tensor *t)
{
    char up[32];
    size_t i;
    for (i = 0; name[i] && i + 1 < sizeof up; i++)
        up[i] = (char)toupper((unsigned char)name[i]);
    up[i] = '\0';
    if (t->ndim == 2)
        return fprintf(f, "#define %s_%s_ROWS %zuu\n#define %s_%s_COLS %zuu\n", upper, up,
                       t->shape[0], upper, up, t->shape[1]) < 0;
    return fprintf(f, "#define %s_%s_LEN %zuu\n", upper, up, t->numel) < 0;
}

static int write_header(FILE *f, void *ctx)
{
    const c_writer *w = ctx;
    const nms_packed *p = w->p;
    const nms_tensor *perm = nms__packed_get(p, "perm");
    const char *note = dtype_note(p->dtype);
    fprintf(f, "/*\n * %s - generated by nmsparse %s; do not edit.\n *\n", w->header_name,
            NMS_VERSION_STRING);
    fprintf(f, " * Format:\n%s *\n", format_description(p->format));
    fprintf(f, " * Dense matrix: %zu rows (output channels x kernel positions) x %zu columns\n"
               " * (input channels), element type %s%s%s.\n *\n",
            p->rows, p->cols, nms_dtype_name(p->dtype), note ? ": " : "", note ? note : "");
    if (perm)
        fprintf(f, " * Permutation applied: column j of this matrix is original input channel\n"
                   " * %s.perm[j] (%s_COLS entries); permute the producing layer's outputs the\n"
                   " * same way.\n",
                w->sym, w->upper);
    else
        fprintf(f, " * Permutation applied: none (columns in their original order).\n");
    fprintf(f, " */\n#ifndef %s_NMSPARSE_H\n#define %s_NMSPARSE_H\n\n#include <stdint.h>\n\n"
               "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
            w->upper, w->upper);
    fprintf(f, "#define %s_FORMAT \"%s\"\n#define %s_ROWS %zuu\n#define %s_COLS %zuu\n", w->upper,
            nms_format_name(p->format), w->upper, p->rows, w->upper, p->cols);
    fprintf(f, "#define %s_HAS_PERM %d\n", w->upper, perm != NULL);
    for (size_t i = 0; i < p->count; i++)
        if (print_part_dims(f, w->upper, p->names[i], p->parts[i]))
            return -1;
    fprintf(f, "\ntypedef struct %s_sparse {\n    uint32_t rows;\n    uint32_t cols;\n", w->sym);
    for (size_t i = 0; i < p->count; i++)
        fprintf(f, "    const %s *%s;\n", nms__c_type(p->names[i], p->parts[i]->dtype), p->names[i]);
    fprintf(f, "} %s_sparse;\n\nextern const %s_sparse %s;\n\n"
               "#ifdef __cplusplus\n}\n#endif\n\n#endif /* %s_NMSPARSE_H */\n",
            w->sym, w->sym, w->sym, w->upper);
    return ferror(f) ? -1 : 0;
}

/* One element as a C constant; returns 0 or -1 (non-finite float). */
static int format_element(char *buf, size_t size, const char *ctype, nms_dtype dtype,
                          const unsigned char *e)
{
    uint64_t bits = nms__load_bits(e, nms_dtype_size(dtype));
    if (dtype == NMS_DTYPE_F32 || dtype == NMS_DTYPE_F64) {
        double v;
        if (dtype == NMS_DTYPE_F32) {
            float x;
            memcpy(&x, e, 4);
            v = (double)x;
        } else {
            memcpy(&v, e, 8);
        }
        if (!isfinite(v))
            return -1;
        int n = snprintf(buf, size, dtype == NMS_DTYPE_F32 ? "%.9g" : "%.17g", v);
        if (!strpbrk(buf, ".e"))
            snprintf(buf + n, size - (size_t)n, ".0");
        if (dtype == NMS_DTYPE_F32)
            strncat(buf, "f", size - strlen(buf) - 1);
        return 0;
    }
    if (ctype[0] == 'u') { /* unsigned bit patterns in hex */
        int digits = (int)nms_dtype_size(dtype) * 2;
        snprintf(buf, size, "0x%0*" PRIx64 "%s", digits, bits,
                 digits >= 16 ? "ull" : digits >= 8 ? "u" : "");
        return 0;
    }
    /* signed: sign-extend */
    size_t es = nms_dtype_size(dtype);
    int64_t v = es >= 8 ? (int64_t)bits : (int64_t)(bits ^ (UINT64_C(1) << (8 * es - 1))) -
                                              (int64_t)(UINT64_C(1) << (8 * es - 1));
    if (es == 8 && v == INT64_MIN)
        snprintf(buf, size, "(-9223372036854775807ll - 1)");
    else if (es == 4 && v == INT32_MIN)
        snprintf(buf, size, "(-2147483647 - 1)");
    else
        snprintf(buf, size, "%" PRId64 "%s", v, es == 8 ? "ll" : "");
    return 0;
}

static int write_array(FILE *f, const c_writer *w, const char *name, const nms_tensor *t)
{
    const char *ctype = nms__c_type(name, t->dtype);
    fprintf(f, "/* part %s: %s %d", name, nms_dtype_name(t->dtype), t->ndim);
    for (int d = 0; d < t->ndim; d++)
        fprintf(f, " %zu", t->shape[d]);
    fprintf(f, " */\n");
    /* C99 has no empty arrays: an empty part gets one unused 0. */
    fprintf(f, "static const %s %s_%s[%zu] NMSPARSE_ALIGN(16) = {", ctype, w->sym, name,
            t->numel ? t->numel : 1);
    size_t es = nms_dtype_size(t->dtype), col = 0;
    size_t row_len = t->ndim == 2 ? t->shape[1] : 0;
    char buf[64];
    for (size_t i = 0; i < t->numel; i++) {
        if (format_element(buf, sizeof buf, ctype, t->dtype, t->data + i * es))
            return -1; /* non-finite: checked before writing, not reached */
        size_t len = strlen(buf);
        if (i == 0 || (row_len && i % row_len == 0) || col + len + 2 > 96) {
            fputs("\n    ", f);
            col = 4;
        } else {
            fputc(' ', f);
            col++;
        }
        fputs(buf, f);
        fputc(',', f);
        col += len + 1;
    }
    if (!t->numel)
        fputs("0", f);
    fputs("\n};\n\n", f);
    return ferror(f) ? -1 : 0;
}

static int write_source(FILE *f, void *ctx)
{
    const c_writer *w = ctx;
    const nms_packed *p = w->p;
    fprintf(f, "/* nmsparse-c: format=%s dtype=%s rows=%zu cols=%zu */\n", nms_format_name(p->format),
            nms_dtype_name(p->dtype), p->rows, p->cols);
    fprintf(f, "/* Generated by nmsparse %s; do not edit.  See %s. */\n#include \"%s\"\n\n",
            NMS_VERSION_STRING, w->header_name, w->header_name);
    fputs("/* 16-byte alignment for vector loads; empty where the compiler has no\n"
          " * C99 way to say it (define NMSPARSE_ALIGN yourself to override). */\n"
          "#ifndef NMSPARSE_ALIGN\n"
          "#if defined(__GNUC__) || defined(__clang__)\n"
          "#define NMSPARSE_ALIGN(n) __attribute__((aligned(n)))\n"
          "#else\n"
          "#define NMSPARSE_ALIGN(n)\n"
          "#endif\n"
          "#endif\n\n", f);
    for (size_t i = 0; i < p->count; i++) {
        int rc = write_array(f, w, p->names[i], p->parts[i]);
        if (rc)
            return rc;
    }
    fprintf(f, "const %s_sparse %s = {\n    %zuu,\n    %zuu,\n", w->sym, w->sym, p->rows, p->cols);
    for (size_t i = 0; i < p->count; i++)
        fprintf(f, "    %s_%s%s\n", w->sym, p->names[i], i + 1 < p->count ? "," : "");
    fputs("};\n", f);
    return ferror(f) ? -1 : 0;
}

static int stage_writer(const char *path, size_t i, void *ctx, nms_error *err)
{
    c_writer *w = ctx;
    return nms__write_file_atomic(path, i == 0 ? write_header : write_source, w, err);
}

int nms_packed_write_c(const nms_packed *p, const char *prefix, const char *symbol,
                       nms_error *err)
{
    /* Non-finite floats have no C99 literal: check before writing anything. */
    for (size_t i = 0; i < p->count; i++) {
        const nms_tensor *t = p->parts[i];
        if (t->dtype != NMS_DTYPE_F32 && t->dtype != NMS_DTYPE_F64)
            continue;
        for (size_t n = 0; n < t->numel; n++) {
            double v;
            if (t->dtype == NMS_DTYPE_F32) {
                float x;
                memcpy(&x, t->data + 4 * n, 4);
                v = (double)x;
            } else {
                memcpy(&v, t->data + 8 * n, 8);
            }
            if (!isfinite(v))
                return nms__fail(err, NMS_ERR_NONFINITE,
                                 "%s.c: part '%s' element %zu is not finite (C99 has no portable "
                                 "literal for it)", prefix, p->names[i], n);
        }
    }
    c_writer *w = nms__calloc(1, sizeof *w);
    if (!w)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    w->p = p;
    int st = make_symbol(prefix, symbol, w->sym, sizeof w->sym, err);
    if (st) {
        nms__free(w);
        return st;
    }
    for (size_t i = 0; w->sym[i]; i++)
        w->upper[i] = (char)toupper((unsigned char)w->sym[i]);
    snprintf(w->header_name, sizeof w->header_name, "%s.h", file_name_of(prefix));
    size_t len = strlen(prefix) + 3;
    char *hpath = nms__malloc(len), *cpath = nms__malloc(len);
    if (!hpath || !cpath) {
        nms__free(hpath);
        nms__free(cpath);
        nms__free(w);
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory");
    }
    snprintf(hpath, len, "%s.h", prefix);
    snprintf(cpath, len, "%s.c", prefix);
    const char *paths[2] = {hpath, cpath};
    st = nms__write_all_or_nothing(2, paths, stage_writer, w, err);
    nms__free(hpath);
    nms__free(cpath);
    nms__free(w);
    return st;
}

/*
 * json_write.h - a tiny streaming JSON writer (internal), for report files
 * and file headers.
 *
 * The writer emits RFC 8259 JSON to a FILE* or into a growable memory buffer.
 * It inserts the commas and colons itself: call begin/end for containers,
 * nms__jw_key before each value inside an object, and one value function per
 * value.  Strings are escaped ( \" \\ and control characters as \n \t ... or
 * \u00XX); valid UTF-8 is copied, and each byte that is not part of a valid
 * UTF-8 sequence becomes \ufffd, so the output is always valid JSON.  Doubles are written with
 * the fewest of 15, 16 or 17 significant digits that read back to the same
 * double ("0.1", not "0.10000000000000001"), independent of the C locale;
 * NaN and infinities, which JSON cannot express, are written as null.
 * With `pretty`, containers are laid out one item per line, indented by two
 * spaces per level.
 *
 * Errors are sticky: after a failed write or a misuse (a value where a key is
 * due, unbalanced end, nesting deeper than NMS__JW_MAX_DEPTH) every call is a
 * no-op and nms__jw_finish() returns -1.
 */
#ifndef NMS_IO_JSON_WRITE_H
#define NMS_IO_JSON_WRITE_H

#include <stddef.h>
#include <stdio.h>

#define NMS__JW_MAX_DEPTH 64

typedef struct nms__json_writer {
    FILE *f;            /* target, or NULL to write into buf           */
    char *buf;          /* memory target: the text so far (NUL-ended)  */
    size_t len, cap;    /* bytes in buf, and its allocated size        */
    int pretty;
    int depth;          /* open containers                              */
    char kind[NMS__JW_MAX_DEPTH];  /* 'o' object / 'a' array per level  */
    int count[NMS__JW_MAX_DEPTH];  /* items written per level           */
    int want_value;     /* a key was just written                       */
    int done;           /* a complete top-level value was written       */
    int error;
} nms__json_writer;

void nms__jw_init_file(nms__json_writer *w, FILE *f, int pretty);
void nms__jw_init_mem(nms__json_writer *w, int pretty);

void nms__jw_begin_object(nms__json_writer *w);
void nms__jw_end_object(nms__json_writer *w);
void nms__jw_begin_array(nms__json_writer *w);
void nms__jw_end_array(nms__json_writer *w);
void nms__jw_key(nms__json_writer *w, const char *key);
void nms__jw_string(nms__json_writer *w, const char *s);
void nms__jw_string_n(nms__json_writer *w, const char *s, size_t n);
void nms__jw_double(nms__json_writer *w, double x);
void nms__jw_int(nms__json_writer *w, long long x);
void nms__jw_uint(nms__json_writer *w, unsigned long long x);
void nms__jw_bool(nms__json_writer *w, int b);
void nms__jw_null(nms__json_writer *w);

/* Raw bytes, written as they are (for padding after the value). */
void nms__jw_raw(nms__json_writer *w, const char *s, size_t n);

/* 0 when one complete value was written without error (a newline is added
 * in pretty mode), else -1.  For a memory writer the text stays in w->buf
 * (free it with nms__jw_free_mem) and w->len is its length. */
int nms__jw_finish(nms__json_writer *w);
void nms__jw_free_mem(nms__json_writer *w);

/* The shortest "%.{15,16,17}g" text of x that reads back exactly, with '.'
 * as the decimal point whatever the locale.  buf needs 32 bytes. */
const char *nms__jw_format_double(double x, char *buf);

#endif /* NMS_IO_JSON_WRITE_H */

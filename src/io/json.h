/*
 * json.h - a small, strict JSON reader (RFC 8259) for file headers (internal).
 *
 * Grammar accepted, exactly:
 *   value  = ws ( object | array | string | number | true | false | null ) ws
 *   object = '{' [ string ':' value *( ',' string ':' value ) ] '}'
 *   array  = '[' [ value *( ',' value ) ] ']'
 *   number = [ '-' ] ( '0' | [1-9][0-9]* ) [ '.' [0-9]+ ] [ ( 'e' | 'E' ) [ '+' | '-' ] [0-9]+ ]
 *   string = '"' *( unescaped | '\' ( '"' | '\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u' 4HEX ) ) '"'
 *   ws     = *( ' ' | '\t' | '\n' | '\r' )
 * Rejected, each with a message "name:line:col: ...": trailing commas,
 * control characters (< 0x20) inside strings, unknown escapes, lone or
 * reversed UTF-16 surrogates, invalid UTF-8 (overlong forms, surrogates,
 * code points beyond U+10FFFF), leading zeros, a byte-order mark, duplicate
 * keys in one object, nesting deeper than NMS__JSON_MAX_DEPTH, NUL bytes, and
 * anything after the top-level value.
 *
 * The tree: every value records its 1-based line and column.  Strings are
 * decoded to UTF-8, NUL-terminated, with their byte length (they may contain
 * U+0000).  Numbers keep their literal text (so large integers can be read
 * exactly with nms__json_u64) and its value as a double.  Objects keep their
 * members in document order.  Memory used is O(input size); the parser's
 * recursion is bounded by the depth limit.
 */
#ifndef NMS_IO_JSON_H
#define NMS_IO_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "nmsparse.h"

#define NMS__JSON_MAX_DEPTH 64

typedef enum nms__json_type {
    NMS__JSON_NULL,
    NMS__JSON_FALSE,
    NMS__JSON_TRUE,
    NMS__JSON_NUMBER,
    NMS__JSON_STRING,
    NMS__JSON_ARRAY,
    NMS__JSON_OBJECT
} nms__json_type;

typedef struct nms__json nms__json;
struct nms__json {
    nms__json_type type;
    long line, column;   /* where the value starts (1-based)                */
    char *str;           /* STRING: decoded text; NUMBER: the literal       */
    size_t len;          /* bytes in str (without the terminating NUL)      */
    double number;       /* NUMBER: the value (may be +-inf when too large) */
    size_t count;        /* ARRAY / OBJECT: number of items / members       */
    nms__json *items;    /* ARRAY / OBJECT: the values, count of them       */
    nms__json *keys;     /* OBJECT: the keys (STRING values), count of them */
};

/* Parse len bytes of text (need not be NUL-terminated).  `name` is used in
 * messages; err->line / err->column locate the problem.  Errors:
 * NMS_ERR_FORMAT (malformed), NMS_ERR_RANGE (too deep), NMS_ERR_NOMEM. */
int nms__json_parse(const char *text, size_t len, const char *name,
                    nms__json **out, nms_error *err);
/* The same with a cap on the memory the tree may take (0 = no cap): beyond
 * max_bytes (counting nodes, array capacity and strings) the parse stops with
 * NMS_ERR_RANGE.  Readers of file headers use it so that even a legitimate-
 * looking but degenerate header ("[0,0,0,...]" takes ~40 bytes of memory
 * per byte of text) cannot make them allocate without bound. */
int nms__json_parse_budget(const char *text, size_t len, const char *name,
                           size_t max_bytes, nms__json **out, nms_error *err);
void nms__json_free(nms__json *v);

/* The member of an object named key (NUL-free), or NULL. */
const nms__json *nms__json_get(const nms__json *obj, const char *key);
/* A number that is a non-negative integer literal (no fraction or
 * exponent) fitting in uint64_t: 0 and *out set; otherwise -1. */
int nms__json_u64(const nms__json *v, uint64_t *out);
/* UTF-8: the length of the valid sequence starting at s (at most n bytes;
 * n >= 1), or 0 when it is not one (overlong forms, surrogates and code
 * points beyond U+10FFFF are invalid); and whether all n bytes are valid. */
size_t nms__utf8_len(const unsigned char *s, size_t n);
int nms__utf8_valid(const char *s, size_t n);
/* A name for a type ("object", "string", ...), for messages. */
const char *nms__json_type_name(nms__json_type t);

#endif /* NMS_IO_JSON_H */

/*
 * mps.c - MPS reader (fixed and free format) for nms_lp.
 *
 * Format (one record per line; '*' starts a comment line; CR LF accepted):
 *   NAME name | ROWS | COLUMNS | RHS | RANGES | BOUNDS | ENDATA sections;
 *   OBJSENSE [MAX|MIN] (value on the same or the next line).
 *   Data lines start with a blank.  A data line is read by FIXED columns
 *   (fields at columns 2-3, 5-12, 15-22, 25-36, 40-47, 50-61) when the columns
 *   separating those fields are blank, so names may contain spaces (forplan);
 *   otherwise it is split at white space (free MPS, names without spaces).
 *
 * Semantics (see nmsparse.h, nms_lp_read_mps): the first N row is the
 * objective, later N rows are dropped; RHS r on the objective is c0 = +r
 * (as glpsol computes it: min x, x >= 1, RHS 5 on the objective gives 6); RANGES as
 * documented; BOUNDS UP < 0 on a column with lower bound 0 makes the lower
 * bound -inf; integer columns (MARKER INTORG .. INTEND) get default bounds
 * [0, 1] like GLPK, integrality itself is ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "lp/lp.h"
#include "util/util.h"

/* ------------------------------------------------------------ name table */

typedef struct {
    char **names;
    size_t count, cap;
    int32_t *slots; /* hash -> index, -1 empty */
    size_t nslots;
} name_table;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static long nt_find(const name_table *t, const char *s)
{
    if (!t->nslots)
        return -1;
    size_t mask = t->nslots - 1, h = (size_t)hash_str(s) & mask;
    while (t->slots[h] >= 0) {
        if (strcmp(t->names[t->slots[h]], s) == 0)
            return t->slots[h];
        h = (h + 1) & mask;
    }
    return -1;
}

/* Add a new name; returns its index, -1 on out of memory. */
static long nt_add(name_table *t, const char *s)
{
    if (t->count >= (size_t)INT32_MAX - 1)
        return -1;
    if (2 * (t->count + 1) > t->nslots) {
        size_t ns = t->nslots ? 2 * t->nslots : 1024;
        int32_t *sl = nms__malloc_array(ns, sizeof(int32_t));
        if (!sl)
            return -1;
        for (size_t i = 0; i < ns; i++)
            sl[i] = -1;
        for (size_t i = 0; i < t->count; i++) {
            size_t h = (size_t)hash_str(t->names[i]) & (ns - 1);
            while (sl[h] >= 0)
                h = (h + 1) & (ns - 1);
            sl[h] = (int32_t)i;
        }
        nms__free(t->slots);
        t->slots = sl;
        t->nslots = ns;
    }
    if (t->count == t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 256;
        char **nn = nms__realloc_array(t->names, nc, sizeof(char *));
        if (!nn)
            return -1;
        t->names = nn;
        t->cap = nc;
    }
    char *copy = nms__strdup(s);
    if (!copy)
        return -1;
    size_t h = (size_t)hash_str(s) & (t->nslots - 1);
    while (t->slots[h] >= 0)
        h = (h + 1) & (t->nslots - 1);
    t->slots[h] = (int32_t)t->count;
    t->names[t->count] = copy;
    return (long)t->count++;
}

static void nt_free(name_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        nms__free(t->names[i]);
    nms__free(t->names);
    nms__free(t->slots);
}

/* ------------------------------------------------------------ reader state */

enum { SEC_NONE, SEC_NAME, SEC_ROWS, SEC_COLUMNS, SEC_RHS, SEC_RANGES,
       SEC_BOUNDS, SEC_OBJSENSE, SEC_END };

typedef struct {
    const char *path;
    long line;
    nms_error *err;
    name_table rows, cols;
    char *rtype;           /* per row: 'N' 'E' 'L' 'G' */
    double *rhs, *range;   /* per row; range NAN = none */
    size_t rcap;
    long obj_row;          /* index in rows of the objective, -1 */
    /* columns */
    double *clo, *chi, *cost;
    unsigned char *cint;
    size_t ccap;
    /* triplets */
    int32_t *tcol, *trow;
    double *tval;
    size_t nt, tcap;
    double obj_const;
    int maximize, in_int, seen_rows;
    char *name;
} mps_state;

static int fail_line(mps_state *S, int status, const char *fmt, ...) NMS_PRINTF(3, 4);
static int fail_line(mps_state *S, int status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nms__fail_at(S->err, status, S->path, S->line, 0, "%s:%ld: %s",
                        S->path, S->line, msg);
}

static int oom(mps_state *S)
{
    return nms__fail(S->err, NMS_ERR_NOMEM, "%s: out of memory", S->path);
}

static int parse_num(mps_state *S, const char *tok, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(tok, &end);
    if (end == tok || *end != '\0')
        return fail_line(S, NMS_ERR_FORMAT, "'%s' is not a number", tok);
    if (!isfinite(x) && fabs(x) < HUGE_VAL)
        return fail_line(S, NMS_ERR_FORMAT, "'%s' is not a finite number", tok);
    /* values of 1e30 and beyond mean infinity in MPS practice */
    if (x >= 1e30)
        x = HUGE_VAL;
    else if (x <= -1e30)
        x = -HUGE_VAL;
    *v = x;
    return 0;
}

static int add_row(mps_state *S, char type, const char *name)
{
    if (nt_find(&S->rows, name) >= 0)
        return fail_line(S, NMS_ERR_FORMAT, "row '%s' is declared twice", name);
    long r = nt_add(&S->rows, name);
    if (r < 0)
        return oom(S);
    if ((size_t)r >= S->rcap) {
        size_t nc = S->rcap ? 2 * S->rcap : 256;
        char *t = nms__realloc(S->rtype, nc);
        if (!t)
            return oom(S);
        S->rtype = t;
        double *a = nms__realloc_array(S->rhs, nc, sizeof(double));
        if (!a)
            return oom(S);
        S->rhs = a;
        a = nms__realloc_array(S->range, nc, sizeof(double));
        if (!a)
            return oom(S);
        S->range = a;
        S->rcap = nc;
    }
    S->rtype[r] = type;
    S->rhs[r] = 0.0;
    S->range[r] = (double)NAN;
    if (type == 'N' && S->obj_row < 0)
        S->obj_row = r;
    return 0;
}

static long get_col(mps_state *S, const char *name)
{
    long c = nt_find(&S->cols, name);
    if (c >= 0)
        return c;
    c = nt_add(&S->cols, name);
    if (c < 0)
        return -1;
    if ((size_t)c >= S->ccap) {
        size_t nc = S->ccap ? 2 * S->ccap : 256;
        double *a;
        if (!(a = nms__realloc_array(S->clo, nc, sizeof(double)))) return -1;
        S->clo = a;
        if (!(a = nms__realloc_array(S->chi, nc, sizeof(double)))) return -1;
        S->chi = a;
        if (!(a = nms__realloc_array(S->cost, nc, sizeof(double)))) return -1;
        S->cost = a;
        unsigned char *b = nms__realloc(S->cint, nc);
        if (!b) return -1;
        S->cint = b;
        S->ccap = nc;
    }
    S->cint[c] = (unsigned char)S->in_int;
    S->clo[c] = 0.0;
    S->chi[c] = S->in_int ? 1.0 : HUGE_VAL;
    S->cost[c] = 0.0;
    return c;
}

static int add_entry(mps_state *S, long col, const char *rowname, const char *valtok)
{
    double v;
    if (parse_num(S, valtok, &v))
        return S->err ? S->err->status : NMS_ERR_FORMAT;
    if (!isfinite(v))
        return fail_line(S, NMS_ERR_FORMAT, "infinite coefficient for row '%s'", rowname);
    long r = nt_find(&S->rows, rowname);
    if (r < 0)
        return fail_line(S, NMS_ERR_FORMAT, "unknown row '%s'", rowname);
    if (S->rtype[r] == 'N') {
        if (r == S->obj_row)
            S->cost[col] += v;
        return 0;
    }
    if (S->nt == S->tcap) {
        size_t nc = S->tcap ? 2 * S->tcap : 4096;
        int32_t *a = nms__realloc_array(S->tcol, nc, sizeof(int32_t));
        if (!a) return oom(S);
        S->tcol = a;
        a = nms__realloc_array(S->trow, nc, sizeof(int32_t));
        if (!a) return oom(S);
        S->trow = a;
        double *b = nms__realloc_array(S->tval, nc, sizeof(double));
        if (!b) return oom(S);
        S->tval = b;
        S->tcap = nc;
    }
    S->tcol[S->nt] = (int32_t)col;
    S->trow[S->nt] = (int32_t)r;
    S->tval[S->nt++] = v;
    return 0;
}

/* ------------------------------------------------------------ line fields */

#define MAXF 8

static void trim_copy(char *dst, const char *src, size_t len)
{
    while (len > 0 && isspace((unsigned char)*src)) {
        src++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)src[len - 1]))
        len--;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Fixed fields: positions (0-based) [1,3) [4,12) [14,22) [24,36) [39,47)
 * [49,61).  Applies when the separating columns are blank.  Empty fields are
 * kept (as "") so positions are known; returns the number of fields up to the
 * last non-empty one, or -1 when the layout does not fit. */
static int fixed_fields(char *line, size_t len, char fields[MAXF][256])
{
    static const int fb[6] = {1, 4, 14, 24, 39, 49}, fe[6] = {3, 12, 22, 36, 47, 61};
    static const int blanks[] = {0, 3, 12, 13, 22, 23, 36, 37, 38, 47, 48};
    if (len > 61)
        return -1;
    for (size_t k = 0; k < sizeof blanks / sizeof blanks[0]; k++)
        if ((size_t)blanks[k] < len && line[blanks[k]] != ' ')
            return -1;
    int last = 0;
    for (int f = 0; f < 6; f++) {
        if ((size_t)fb[f] >= len) {
            fields[f][0] = '\0';
            continue;
        }
        size_t e = (size_t)fe[f] < len ? (size_t)fe[f] : len;
        trim_copy(fields[f], line + fb[f], e - (size_t)fb[f]);
        if (fields[f][0])
            last = f + 1;
    }
    return last;
}

static int free_fields(char *line, char fields[MAXF][256])
{
    int nf = 0;
    char *p = line;
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        char *s = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (nf == MAXF)
            return MAXF + 1;
        size_t l = (size_t)(p - s);
        if (l > 255)
            l = 255;
        memcpy(fields[nf], s, l);
        fields[nf][l] = '\0';
        nf++;
    }
    return nf;
}

/* ------------------------------------------------------------ sections */

static int do_rows(mps_state *S, char f[MAXF][256], int nf, int fixed)
{
    const char *type, *name;
    if (fixed) {
        type = f[0];
        name = f[1];
    } else {
        if (nf != 2)
            return fail_line(S, NMS_ERR_FORMAT, "a ROWS line needs a type and a name");
        type = f[0];
        name = f[1];
    }
    char t = (char)toupper((unsigned char)type[0]);
    if (type[0] == '\0' || type[1] != '\0' || !strchr("NELG", t))
        return fail_line(S, NMS_ERR_FORMAT, "row type '%s' is not N, E, L or G", type);
    if (!name[0])
        return fail_line(S, NMS_ERR_FORMAT, "row without a name");
    return add_row(S, t, name);
}

static int do_columns(mps_state *S, char f[MAXF][256], int nf, int fixed)
{
    const char *cname, *pairs[4];
    int np;
    if (fixed) {
        cname = f[1];
        pairs[0] = f[2];
        pairs[1] = f[3];
        pairs[2] = f[4];
        pairs[3] = f[5];
        np = nf >= 6 ? 2 : 1;
        if (f[0][0])
            return fail_line(S, NMS_ERR_FORMAT, "unexpected '%s' in field 1 of COLUMNS", f[0]);
        if (nf != 4 && nf != 6)
            return fail_line(S, NMS_ERR_FORMAT, "a COLUMNS line needs a column, a row and a value (and optionally a second row and value)");
    } else {
        if (nf != 3 && nf != 5)
            return fail_line(S, NMS_ERR_FORMAT, "a COLUMNS line needs a column, a row and a value (and optionally a second row and value)");
        cname = f[0];
        pairs[0] = f[1];
        pairs[1] = f[2];
        pairs[2] = nf == 5 ? f[3] : "";
        pairs[3] = nf == 5 ? f[4] : "";
        np = nf == 5 ? 2 : 1;
    }
    if (strcmp(pairs[0], "'MARKER'") == 0) {
        if (strcmp(pairs[1], "'INTORG'") == 0)
            S->in_int = 1;
        else if (strcmp(pairs[1], "'INTEND'") == 0)
            S->in_int = 0;
        else
            return fail_line(S, NMS_ERR_FORMAT, "unknown marker %s", pairs[1]);
        return 0;
    }
    if (!cname[0])
        return fail_line(S, NMS_ERR_FORMAT, "column without a name");
    long c = get_col(S, cname);
    if (c < 0)
        return oom(S);
    for (int k = 0; k < np; k++) {
        int rc = add_entry(S, c, pairs[2 * k], pairs[2 * k + 1]);
        if (rc)
            return rc;
    }
    return 0;
}

/* RHS and RANGES: [set] row value [row value] */
static int do_rhs_ranges(mps_state *S, char f[MAXF][256], int nf, int fixed, int ranges)
{
    const char *pairs[4];
    int np;
    if (fixed) {
        if (f[0][0])
            return fail_line(S, NMS_ERR_FORMAT, "unexpected '%s' in field 1", f[0]);
        if (nf != 4 && nf != 6)
            return fail_line(S, NMS_ERR_FORMAT, "expected a set name, a row and a value (and optionally a second row and value)");
        pairs[0] = f[2]; pairs[1] = f[3]; pairs[2] = f[4]; pairs[3] = f[5];
        np = nf == 6 ? 2 : 1;
    } else {
        int off = (nf == 3 || nf == 5) ? 1 : 0;
        if (nf < 2 || nf > 5)
            return fail_line(S, NMS_ERR_FORMAT, "expected [set] row value [row value]");
        np = (nf - off) / 2;
        for (int k = 0; k < 2 * np; k++)
            pairs[k] = f[off + k];
    }
    for (int k = 0; k < np; k++) {
        long r = nt_find(&S->rows, pairs[2 * k]);
        if (r < 0)
            return fail_line(S, NMS_ERR_FORMAT, "unknown row '%s'", pairs[2 * k]);
        double v;
        if (parse_num(S, pairs[2 * k + 1], &v))
            return NMS_ERR_FORMAT;
        if (!isfinite(v))
            return fail_line(S, NMS_ERR_FORMAT, "infinite %s value for row '%s'",
                             ranges ? "range" : "right-hand side", pairs[2 * k]);
        if (ranges) {
            if (S->rtype[r] != 'N')
                S->range[r] = v;
        } else if (r == S->obj_row) {
            S->obj_const = v;
        } else {
            S->rhs[r] = v;
        }
    }
    return 0;
}

static int do_bounds(mps_state *S, char f[MAXF][256], int nf, int fixed)
{
    const char *type, *cname, *val = "";
    if (fixed) {
        type = f[0];
        cname = f[2];
        val = f[3];
        if (nf < 3)
            return fail_line(S, NMS_ERR_FORMAT, "a BOUNDS line needs a type, a set name and a column");
    } else {
        if (nf < 2 || nf > 4)
            return fail_line(S, NMS_ERR_FORMAT, "a BOUNDS line needs a type, [a set name,] a column [and a value]");
        type = f[0];
        int needs = !(strcasecmp(f[0], "FR") == 0 || strcasecmp(f[0], "MI") == 0 ||
                      strcasecmp(f[0], "PL") == 0 || strcasecmp(f[0], "BV") == 0);
        if (nf == 4) {
            cname = f[2];
            val = f[3];
        } else if (nf == 3) {
            if (needs) {
                cname = f[1];
                val = f[2];
            } else {
                cname = f[2];
            }
        } else {
            cname = f[1];
        }
    }
    long c = nt_find(&S->cols, cname);
    if (c < 0)
        return fail_line(S, NMS_ERR_FORMAT, "unknown column '%s'", cname);
    double v = 0.0;
    char t[3] = {0};
    if (strlen(type) != 2)
        return fail_line(S, NMS_ERR_FORMAT, "unknown bound type '%s'", type);
    t[0] = (char)toupper((unsigned char)type[0]);
    t[1] = (char)toupper((unsigned char)type[1]);
    int needs = strcmp(t, "FR") && strcmp(t, "MI") && strcmp(t, "PL") && strcmp(t, "BV");
    if (needs) {
        if (!val[0])
            return fail_line(S, NMS_ERR_FORMAT, "bound %s of column '%s' has no value", t, cname);
        if (parse_num(S, val, &v))
            return NMS_ERR_FORMAT;
    }
    if (!strcmp(t, "UP") || !strcmp(t, "UI")) {
        S->chi[c] = v;
        if (v < 0 && S->clo[c] == 0.0)
            S->clo[c] = -HUGE_VAL;
    } else if (!strcmp(t, "LO") || !strcmp(t, "LI")) {
        S->clo[c] = v;
    } else if (!strcmp(t, "FX")) {
        if (!isfinite(v))
            return fail_line(S, NMS_ERR_FORMAT, "FX bound of column '%s' is infinite", cname);
        S->clo[c] = S->chi[c] = v;
    } else if (!strcmp(t, "FR")) {
        S->clo[c] = -HUGE_VAL;
        S->chi[c] = HUGE_VAL;
    } else if (!strcmp(t, "MI")) {
        S->clo[c] = -HUGE_VAL;
    } else if (!strcmp(t, "PL")) {
        S->chi[c] = HUGE_VAL;
    } else if (!strcmp(t, "BV")) {
        S->clo[c] = 0.0;
        S->chi[c] = 1.0;
    } else {
        return fail_line(S, NMS_ERR_FORMAT, "unknown or unsupported bound type '%s'", t);
    }
    return 0;
}

/* ------------------------------------------------------------ file */

static int read_all(const char *path, char **buf, size_t *len, nms_error *err)
{
    size_t cap = 1 << 16, n = 0;
    char *b = nms__malloc(cap);
    if (!b)
        return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", path);
#ifdef HAVE_ZLIB
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        nms__free(b);
        return nms__fail(err, NMS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    for (;;) {
        if (cap - n < 65536) {
            if (cap > ((size_t)-1) / 2) {
                gzclose(gz);
                nms__free(b);
                return nms__fail(err, NMS_ERR_RANGE, "%s: file too large", path);
            }
            char *nb = nms__realloc(b, cap * 2);
            if (!nb) {
                gzclose(gz);
                nms__free(b);
                return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", path);
            }
            b = nb;
            cap *= 2;
        }
        int got = gzread(gz, b + n, 65536);
        if (got < 0) {
            int e;
            const char *msg = gzerror(gz, &e);
            char tmp[200];
            snprintf(tmp, sizeof tmp, "%s", msg ? msg : "read error");
            gzclose(gz);
            nms__free(b);
            return nms__fail(err, NMS_ERR_IO, "%s: %s", path, tmp);
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    gzclose(gz);
#else
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        nms__free(b);
        return nms__fail(err, NMS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    for (;;) {
        if (cap - n < 65536) {
            char *nb = cap > ((size_t)-1) / 2 ? NULL : nms__realloc(b, cap * 2);
            if (!nb) {
                fclose(fp);
                nms__free(b);
                return nms__fail(err, NMS_ERR_NOMEM, "%s: out of memory", path);
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, 65536, fp);
        n += got;
        if (got < 65536)
            break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        nms__free(b);
        return nms__fail(err, NMS_ERR_IO, "%s: read error", path);
    }
    if (n >= 2 && (unsigned char)b[0] == 0x1f && (unsigned char)b[1] == 0x8b) {
        nms__free(b);
        return nms__fail(err, NMS_ERR_UNSUPPORTED,
                         "%s: gzip-compressed, but nmsparse was built without zlib (decompress it first)", path);
    }
#endif
    b[n] = '\0';
    *buf = b;
    *len = n;
    return NMS_OK;
}

static int section_of(const char *word)
{
    if (!strcasecmp(word, "NAME")) return SEC_NAME;
    if (!strcasecmp(word, "ROWS")) return SEC_ROWS;
    if (!strcasecmp(word, "COLUMNS")) return SEC_COLUMNS;
    if (!strcasecmp(word, "RHS")) return SEC_RHS;
    if (!strcasecmp(word, "RANGES")) return SEC_RANGES;
    if (!strcasecmp(word, "BOUNDS")) return SEC_BOUNDS;
    if (!strcasecmp(word, "OBJSENSE") || !strcasecmp(word, "OBJSENS")) return SEC_OBJSENSE;
    if (!strcasecmp(word, "ENDATA")) return SEC_END;
    return -1;
}

static int set_sense(mps_state *S, const char *w)
{
    if (!strcasecmp(w, "MAX") || !strcasecmp(w, "MAXIMIZE") || !strcasecmp(w, "MAXIMISE"))
        S->maximize = 1;
    else if (!strcasecmp(w, "MIN") || !strcasecmp(w, "MINIMIZE") || !strcasecmp(w, "MINIMISE"))
        S->maximize = 0;
    else
        return fail_line(S, NMS_ERR_FORMAT, "OBJSENSE '%s' is not MAX or MIN", w);
    return 0;
}

/* mode 0: a data line that fits the fixed column layout is read by columns
 * (else split at white space); mode 1: always split at white space. */
static int parse_lines(mps_state *S, const char *buf, int mode)
{
    int sec = SEC_NONE;
    char (*f)[256] = nms__malloc(MAXF * 256);
    size_t lcap = 1024;
    char *line = nms__malloc(lcap);
    if (!f || !line) {
        nms__free(f);
        nms__free(line);
        return oom(S);
    }
    int rc = 0;
    const char *p = buf;
    S->line = 0;
    while (*p && sec != SEC_END) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len + 1 > lcap) {
            char *nb = nms__realloc(line, len + 1);
            if (!nb) {
                rc = oom(S);
                break;
            }
            line = nb;
            lcap = len + 1;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (nl ? 1 : 0);
        S->line++;
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '*')
            continue;
        for (size_t k = 0; k < len; k++)
            if (line[k] == '\t')
                line[k] = ' ';
        if (line[0] != ' ') {
            /* section header */
            char word[32];
            size_t w = 0;
            while (w < len && w < sizeof word - 1 && !isspace((unsigned char)line[w])) {
                word[w] = line[w];
                w++;
            }
            word[w] = '\0';
            int s = section_of(word);
            if (s < 0) {
                rc = fail_line(S, NMS_ERR_FORMAT, "unknown section '%s'", word);
                break;
            }
            const char *rest = line + w;
            while (*rest == ' ')
                rest++;
            if (s == SEC_NAME) {
                nms__free(S->name);
                S->name = nms__strdup(rest);
                if (!S->name) {
                    rc = oom(S);
                    break;
                }
            } else if (s == SEC_OBJSENSE && *rest) {
                if ((rc = set_sense(S, rest)))
                    break;
            }
            if (s == SEC_ROWS)
                S->seen_rows = 1;
            sec = s;
            continue;
        }
        int nf = mode == 0 ? fixed_fields(line, len, f) : -1;
        int fixed = nf >= 0;
        if (!fixed)
            nf = free_fields(line, f);
        if (nf > MAXF) {
            rc = fail_line(S, NMS_ERR_FORMAT, "too many fields");
            break;
        }
        switch (sec) {
        case SEC_ROWS: rc = do_rows(S, f, nf, fixed); break;
        case SEC_COLUMNS: rc = do_columns(S, f, nf, fixed); break;
        case SEC_RHS: rc = do_rhs_ranges(S, f, nf, fixed, 0); break;
        case SEC_RANGES: rc = do_rhs_ranges(S, f, nf, fixed, 1); break;
        case SEC_BOUNDS: rc = do_bounds(S, f, nf, fixed); break;
        case SEC_OBJSENSE: {
            int n2 = free_fields(line, f);
            rc = n2 == 1 ? set_sense(S, f[0])
                         : fail_line(S, NMS_ERR_FORMAT, "OBJSENSE expects MAX or MIN");
            break;
        }
        default:
            rc = fail_line(S, NMS_ERR_FORMAT, "data line outside of a section");
        }
        if (rc)
            break;
    }
    nms__free(f);
    nms__free(line);
    if (!rc && !S->seen_rows)
        rc = nms__fail_at(S->err, NMS_ERR_FORMAT, S->path, S->line, 0,
                          "%s: no ROWS section: not an MPS file", S->path);
    return rc;
}

/* Build the nms_lp from the parsed state. */
static int build_lp(mps_state *S, nms_lp **out)
{
    nms_error *err = S->err;
    size_t nr = S->rows.count, nc = S->cols.count;
    int rc = NMS_OK;
    nms_lp *lp = NULL;
    int32_t *rmap = nms__malloc_array(nr + 1, sizeof(int32_t));
    double *lo = nms__malloc_array(nr + 1, sizeof(double));
    double *hi = nms__malloc_array(nr + 1, sizeof(double));
    size_t *start = nms__calloc(nc + 2, sizeof(size_t));
    int32_t *idx = nms__malloc_array(S->nt + 1, sizeof(int32_t));
    double *val = nms__malloc_array(S->nt + 1, sizeof(double));
    int32_t *last = nms__malloc_array(nr + 1, sizeof(int32_t));
    if (!rmap || !lo || !hi || !start || !idx || !val || !last) {
        rc = oom(S);
        goto done;
    }
    size_t m = 0;
    for (size_t r = 0; r < nr; r++) {
        char t = S->rtype[r];
        last[r] = -1;
        if (t == 'N') {
            rmap[r] = -1;
            continue;
        }
        double b = S->rhs[r], R = S->range[r], l, h;
        if (t == 'E') {
            l = h = b;
            if (!isnan(R)) {
                if (R > 0) h = b + R;
                else l = b + R;
            }
        } else if (t == 'L') {
            l = -HUGE_VAL;
            h = b;
            if (!isnan(R)) l = b - fabs(R);
        } else {
            l = b;
            h = HUGE_VAL;
            if (!isnan(R)) h = b + fabs(R);
        }
        if (!isnan(R) && !isfinite(R)) {
            if (t == 'L') l = -HUGE_VAL;
            if (t == 'G') h = HUGE_VAL;
        }
        rmap[r] = (int32_t)m;
        lo[m] = l;
        hi[m] = h;
        m++;
    }
    /* CSC from triplets (stable counting sort by column) */
    for (size_t t = 0; t < S->nt; t++)
        start[S->tcol[t] + 1]++;
    for (size_t j = 0; j < nc; j++)
        start[j + 1] += start[j];
    {
        size_t *fill = nms__malloc_array(nc + 1, sizeof(size_t));
        if (!fill) {
            rc = oom(S);
            goto done;
        }
        memcpy(fill, start, (nc + 1) * sizeof(size_t));
        for (size_t t = 0; t < S->nt; t++) {
            size_t q = fill[S->tcol[t]]++;
            idx[q] = S->trow[t];
            val[q] = S->tval[t];
        }
        nms__free(fill);
    }
    for (size_t j = 0; j < nc; j++)
        for (size_t q = start[j]; q < start[j + 1]; q++) {
            int32_t r = idx[q];
            if (last[r] == (int32_t)j) {
                rc = nms__fail(err, NMS_ERR_FORMAT, "%s: column '%s' has two entries in row '%s'",
                               S->path, S->cols.names[j], S->rows.names[r]);
                goto done;
            }
            last[r] = (int32_t)j;
            idx[q] = rmap[r];
        }
    for (size_t j = 0; j < nc; j++)
        if (S->clo[j] > S->chi[j] || S->clo[j] == HUGE_VAL || S->chi[j] == -HUGE_VAL) {
            rc = nms__fail(err, NMS_ERR_FORMAT, "%s: column '%s' has bounds [%g, %g]",
                           S->path, S->cols.names[j], S->clo[j], S->chi[j]);
            goto done;
        }
    if ((rc = nms_lp_create(&lp, err)))
        goto done;
    nms_lp_set_maximize(lp, S->maximize);
    nms_lp_set_obj_offset(lp, S->obj_const);
    if ((rc = nms_lp_add_rows(lp, m, lo, hi, err)) ||
        (rc = nms_lp_add_cols(lp, nc, S->cost, S->clo, S->chi, start, idx, val, err))) {
        nms__error_prefix(err, S->path);
        goto done;
    }
    /* names */
    lp->row_names = nms__calloc(lp->cap_rows + 1, sizeof(char *));
    lp->col_names = nms__calloc(lp->cap_cols + 1, sizeof(char *));
    if (!lp->row_names || !lp->col_names) {
        rc = oom(S);
        goto done;
    }
    for (size_t r = 0; r < nr; r++)
        if (rmap[r] >= 0) {
            lp->row_names[rmap[r]] = S->rows.names[r];
            S->rows.names[r] = NULL;
        }
    for (size_t j = 0; j < nc; j++) {
        lp->col_names[j] = S->cols.names[j];
        S->cols.names[j] = NULL;
    }
    lp->name = S->name;
    S->name = NULL;
done:
    if (rc) {
        nms_lp_free(lp);
        lp = NULL;
    }
    *out = lp;
    nms__free(rmap); nms__free(lo); nms__free(hi); nms__free(start);
    nms__free(idx); nms__free(val); nms__free(last);
    return rc;
}

static void state_free(mps_state *S)
{
    nt_free(&S->rows);
    nt_free(&S->cols);
    nms__free(S->rtype); nms__free(S->rhs); nms__free(S->range);
    nms__free(S->clo); nms__free(S->chi); nms__free(S->cost); nms__free(S->cint);
    nms__free(S->tcol); nms__free(S->trow); nms__free(S->tval);
    nms__free(S->name);
}

static void state_init(mps_state *S, const char *path, nms_error *err)
{
    memset(S, 0, sizeof *S);
    S->path = path;
    S->err = err;
    S->obj_row = -1;
}

int nms_lp_read_mps(const char *path, nms_lp **out, nms_error *err)
{
    if (!path || !out)
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_read_mps: NULL argument");
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    int rc = read_all(path, &buf, &len, err);
    if (rc)
        return rc;
    mps_state S;
    state_init(&S, path, err);
    rc = parse_lines(&S, buf, 0);
    if (rc && rc != NMS_ERR_NOMEM) {
        /* not fixed after all: read every line as free format; keep the
         * error of the reading that got further */
        nms_error first;
        memset(&first, 0, sizeof first);
        long first_line = S.line;
        if (err)
            first = *err;
        state_free(&S);
        state_init(&S, path, err);
        rc = parse_lines(&S, buf, 1);
        if (rc && err && first_line > S.line)
            *err = first;
    }
    if (!rc)
        rc = build_lp(&S, out);
    nms__free(buf);
    state_free(&S);
    return rc;
}

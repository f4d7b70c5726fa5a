/*
 * cmd_prune.c - `nmsparse prune`: write the 2:4-pruned dense tensor(s) of a
 * .npy file or a safetensors model (options and wiring only; the pruning is
 * nms_prune_24 in src/prune).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/packed_out.h"

#define MAX_TENSOR_ARGS 256

typedef struct prune_args {
    const char *file, *out, *perm, *mask, *layout, *min_size, *variant, *dtype;
    const char *original_order, *quiet, *pattern, *format, *c_format, *symbol;
    const char *tensors[MAX_TENSOR_ARGS];
    int n_tensors;
    int too_many;
} prune_args;

static int add_tensor(const char *arg, void *ctx)
{
    prune_args *a = ctx;
    if (a->n_tensors >= MAX_TENSOR_ARGS) {
        a->too_many = 1;
        return 0;
    }
    a->tensors[a->n_tensors++] = arg;
    return 0;
}

static int is_npy(const char *path) { return cli_has_suffix(path, ".npy"); }
static int is_st(const char *path) { return cli_has_suffix(path, ".safetensors"); }

static int prunable(nms_dtype d)
{
    return d == NMS_DTYPE_F32 || d == NMS_DTYPE_F16 || d == NMS_DTYPE_BF16 || d == NMS_DTYPE_I8;
}

/* A copy of t's bytes under another element type of the same size. */
static int retype(const nms_tensor *t, nms_dtype dtype, nms_tensor **out, nms_error *err)
{
    int st = nms_tensor_create(dtype, nms_tensor_ndim(t), nms_tensor_shape(t), out, err);
    if (st == NMS_OK)
        memcpy(nms_tensor_data(*out), nms_tensor_cdata(t), nms_tensor_nbytes(t));
    return st;
}

/* Everything one pruning needs besides the tensor. */
typedef struct prune_setup {
    nms_prune_options opt;
    const int32_t *perm;
    size_t perm_n;
    int quiet;
} prune_setup;

static void describe(const char *name, const nms_tensor *t, const prune_setup *s)
{
    char shape[160];
    size_t n = 0, rows = 0, cols = 0;
    shape[0] = '\0';
    for (int d = 0; d < nms_tensor_ndim(t) && n < sizeof shape; d++)
        n += (size_t)snprintf(shape + n, sizeof shape - n, "%s%zu", d ? "x" : "", nms_tensor_dim(t, d));
    nms_tensor_matrix_shape(t, s->opt.layout, &rows, &cols, NULL);
    printf("pruned %s: %s %s (%zu x %zu matrix)%s%s\n", name, nms_dtype_name(nms_tensor_dtype(t)),
           shape, rows, cols, s->opt.pattern == NMS_PATTERN_1_2 ? ", 1:2" : "",
           s->perm ? (s->opt.original_order ? ", permutation applied, original column order"
                                            : ", permutation applied, permuted column order")
                   : "");
}

/* Prune one tensor; errors name it. */
static int prune_one(const char *name, const nms_tensor *t, const prune_setup *s,
                     nms_tensor **pruned, nms_tensor **mask)
{
    nms_error err;
    size_t rows, cols;
    if (nms_tensor_matrix_shape(t, s->opt.layout, &rows, &cols, &err) != NMS_OK)
        return cli_error(CLI_EXIT_RUNTIME, "%s: %s", name, err.text);
    if (s->perm && s->perm_n != cols)
        return cli_error(CLI_EXIT_RUNTIME,
                         "%s: the permutation has %zu entries but the tensor has %zu input "
                         "channels", name, s->perm_n, cols);
    if (nms_prune_24(t, s->perm, &s->opt, pruned, mask, &err) != NMS_OK)
        return cli_error(CLI_EXIT_RUNTIME, "%s: %s", name, err.text);
    if (!s->quiet)
        describe(name, t, s);
    return 0;
}

/* ---- .npy input ------------------------------------------------------- */

static int write_single(const char *path, const char *tensor_name, const nms_tensor *t,
                        nms_dtype npy_bf16_as, nms_error *err)
{
    if (is_st(path)) {
        nms_st_writer *w;
        int st = nms_st_writer_create(&w, err);
        if (st == NMS_OK && (st = nms_st_writer_add(w, tensor_name, t, err)) == NMS_OK)
            st = nms_st_writer_write(w, path, err);
        nms_st_writer_free(w);
        return st;
    }
    if (nms_tensor_dtype(t) == NMS_DTYPE_BF16 && npy_bf16_as == NMS_DTYPE_U16) {
        nms_tensor *bits;
        int st = retype(t, NMS_DTYPE_U16, &bits, err);
        if (st == NMS_OK)
            st = nms_npy_write(path, bits, err);
        nms_tensor_free(bits);
        return st;
    }
    return nms_npy_write(path, t, err);
}

/* The one input tensor of a .npy, or of a safetensors file (--tensor NAME
 * when it holds several), with --dtype bf16 applied; 0 or an exit status. */
static int load_input(const prune_args *a, nms_tensor **out)
{
    nms_error err;
    nms_tensor *t = NULL;
    *out = NULL;
    if (cli_load_tensor(a->file, a->n_tensors ? a->tensors[0] : NULL, &t, &err) != NMS_OK)
        return cli_fail_load(&err);
    if (a->dtype) {
        nms_dtype d;
        if (nms_dtype_parse(a->dtype, &d) != NMS_OK || d != NMS_DTYPE_BF16) {
            nms_tensor_free(t);
            return cli_error(CLI_EXIT_USAGE, "prune: --dtype accepts only bf16 (uint16 .npy "
                                             "data read as bfloat16 bit patterns)");
        }
        nms_dtype have = nms_tensor_dtype(t);
        if (have != NMS_DTYPE_U16) {
            nms_tensor_free(t);
            return cli_error(CLI_EXIT_USAGE, "prune: --dtype bf16 needs a uint16 .npy, %s holds %s",
                             a->file, nms_dtype_name(have));
        }
        nms_tensor *b;
        if (retype(t, NMS_DTYPE_BF16, &b, &err) != NMS_OK) {
            nms_tensor_free(t);
            return cli_fail(&err);
        }
        nms_tensor_free(t);
        t = b;
    }
    *out = t;
    return 0;
}

static int prune_npy(const prune_args *a, prune_setup *s)
{
    nms_error err;
    nms_tensor *t = NULL, *pruned = NULL, *mask = NULL;
    int rc;
    nms_dtype as_bf16 = NMS_DTYPE_COUNT;
    if (a->n_tensors > 1)
        return cli_error(CLI_EXIT_USAGE, "prune: a .npy file holds one tensor; --tensor names the "
                                         "tensor only in a safetensors output");
    if ((rc = load_input(a, &t)) != 0)
        return rc;
    if (a->dtype)
        as_bf16 = NMS_DTYPE_U16;
    const char *name = a->n_tensors ? a->tensors[0] : "weight";
    if ((rc = prune_one(a->file, t, s, &pruned, a->mask ? &mask : NULL)) != 0)
        goto done;
    rc = CLI_EXIT_RUNTIME;
    if (write_single(a->out, name, pruned, as_bf16, &err) != NMS_OK ||
        (mask && write_single(a->mask, name, mask, NMS_DTYPE_COUNT, &err) != NMS_OK)) {
        cli_fail(&err);
        goto done;
    }
    rc = 0;
done:
    nms_tensor_free(t);
    nms_tensor_free(pruned);
    nms_tensor_free(mask);
    return rc;
}

/* ---- safetensors input --------------------------------------------------- */

static int prune_safetensors(const prune_args *a, prune_setup *s, size_t min_size)
{
    nms_error err;
    nms_safetensors *f = NULL;
    nms_st_writer *w = NULL, *mw = NULL;
    if (nms_st_open(a->file, &f, &err) != NMS_OK)
        return cli_fail(&err);
    size_t n = nms_st_count(f);
    nms_tensor **orig = calloc(n ? n : 1, sizeof *orig);
    nms_tensor **pruned = calloc(n ? n : 1, sizeof *pruned);
    nms_tensor **masks = calloc(n ? n : 1, sizeof *masks);
    unsigned char *chosen = calloc(n ? n : 1, 1);
    int rc = CLI_EXIT_RUNTIME;
    size_t n_pruned = 0, n_copied = 0, last = 0;
    if (!orig || !pruned || !masks || !chosen) {
        cli_error(CLI_EXIT_RUNTIME, "out of memory");
        goto done;
    }
    /* which tensors */
    for (int i = 0; i < a->n_tensors; i++) {
        size_t idx;
        if (nms_st_find(f, a->tensors[i], &idx) != NMS_OK) {
            rc = cli_error(CLI_EXIT_RUNTIME, "%s: no tensor named '%s'", a->file, a->tensors[i]);
            goto done;
        }
        if (!prunable(nms_st_dtype(f, idx))) {
            rc = cli_error(CLI_EXIT_RUNTIME, "%s: tensor '%s' is %s; 2:4 pruning takes F32, F16, "
                           "BF16 or I8", a->file, a->tensors[i], nms_dtype_name(nms_st_dtype(f, idx)));
            goto done;
        }
        chosen[idx] = 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (nms_st_load(f, i, &orig[i], &err) != NMS_OK) {
            cli_fail(&err);
            goto done;
        }
        if (a->n_tensors == 0) {
            int nd = nms_tensor_ndim(orig[i]);
            size_t rows, cols;
            chosen[i] = (nd == 2 || nd == 4) && prunable(nms_tensor_dtype(orig[i])) &&
                        nms_tensor_numel(orig[i]) >= min_size &&
                        nms_tensor_matrix_shape(orig[i], s->opt.layout, &rows, &cols, NULL) == NMS_OK &&
                        cols % 4 == 0 && cols > 0;
        }
        if (chosen[i]) {
            n_pruned++;
            last = i;
        }
    }
    if (n_pruned == 0) {
        rc = cli_error(CLI_EXIT_RUNTIME, "%s: no tensor to prune (2-D / 4-D, F32 F16 BF16 I8, at "
                       "least %zu elements, input channels a multiple of 4); name them with --tensor",
                       a->file, min_size);
        goto done;
    }
    if ((s->perm || (a->mask && is_npy(a->mask)) || is_npy(a->out)) && n_pruned > 1) {
        rc = cli_error(CLI_EXIT_USAGE, "prune: %zu tensors selected; --perm, a .npy output and a "
                       ".npy mask need exactly one (use --tensor NAME)", n_pruned);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (!chosen[i])
            continue;
        if ((rc = prune_one(nms_st_name(f, i), orig[i], s, &pruned[i], a->mask ? &masks[i] : NULL)) != 0)
            goto done;
    }
    rc = CLI_EXIT_RUNTIME;
    if (is_npy(a->out)) {
        if (write_single(a->out, nms_st_name(f, last), pruned[last], NMS_DTYPE_U16, &err) != NMS_OK) {
            cli_fail(&err);
            goto done;
        }
    } else {
        /* the same tensors in the same order, metadata kept; unpruned
         * tensors are written with their bytes unchanged */
        if (nms_st_writer_create(&w, &err) != NMS_OK)
            goto fail;
        for (size_t i = 0; i < nms_st_metadata_count(f); i++)
            if (nms_st_writer_set_metadata(w, nms_st_metadata_key(f, i), nms_st_metadata_value(f, i),
                                           &err) != NMS_OK)
                goto fail;
        for (size_t i = 0; i < n; i++) {
            if (nms_st_writer_add(w, nms_st_name(f, i), pruned[i] ? pruned[i] : orig[i], &err) != NMS_OK)
                goto fail;
            n_copied += !pruned[i];
        }
        if (nms_st_writer_write(w, a->out, &err) != NMS_OK)
            goto fail;
    }
    if (a->mask) {
        if (is_npy(a->mask)) {
            if (nms_npy_write(a->mask, masks[last], &err) != NMS_OK)
                goto fail;
        } else {
            if (nms_st_writer_create(&mw, &err) != NMS_OK)
                goto fail;
            for (size_t i = 0; i < n; i++)
                if (masks[i] && nms_st_writer_add(mw, nms_st_name(f, i), masks[i], &err) != NMS_OK)
                    goto fail;
            if (nms_st_writer_write(mw, a->mask, &err) != NMS_OK)
                goto fail;
        }
    }
    if (!s->quiet && !is_npy(a->out))
        printf("wrote %s: %zu tensor(s) pruned, %zu copied unchanged\n", a->out, n_pruned, n_copied);
    rc = 0;
    goto done;
fail:
    rc = cli_fail(&err);
done:
    for (size_t i = 0; orig && i < n; i++) {
        nms_tensor_free(orig[i]);
        if (pruned)
            nms_tensor_free(pruned[i]);
        if (masks)
            nms_tensor_free(masks[i]);
    }
    free(orig);
    free(pruned);
    free(masks);
    free(chosen);
    nms_st_writer_free(w);
    nms_st_writer_free(mw);
    nms_st_close(f);
    return rc;
}

/* ---- --format: prune and pack in one step --------------------------------- */

static int prune_pack(const prune_args *a, const prune_setup *s)
{
    int to_c, rc;
    nms_format fmt;
    if (cli_pack_format("prune", a->format, a->c_format, a->symbol, a->out, &fmt, &to_c))
        return CLI_EXIT_USAGE;
    if (a->mask || a->original_order || a->min_size)
        return cli_error(CLI_EXIT_USAGE, "prune: --mask, --original-order and --min-size do not "
                                         "apply with --format (the packed matrix keeps the "
                                         "permutation as the part 'perm')");
    if (a->n_tensors > 1)
        return cli_error(CLI_EXIT_USAGE, "prune: --format packs one tensor (one --tensor NAME)");
    nms_tensor *t = NULL;
    if ((rc = load_input(a, &t)) != 0)
        return rc;
    size_t rows, cols;
    nms_error err;
    nms_packed *p = NULL;
    if (nms_tensor_matrix_shape(t, s->opt.layout, &rows, &cols, &err) != NMS_OK)
        rc = cli_error(CLI_EXIT_RUNTIME, "%s: %s", a->file, err.text);
    else if (s->perm && s->perm_n != cols)
        rc = cli_error(CLI_EXIT_RUNTIME, "%s: the permutation has %zu entries but the tensor has "
                       "%zu input channels", a->file, s->perm_n, cols);
    else if (nms_prune_pack(t, s->perm, fmt, &s->opt, &p, &err) != NMS_OK)
        rc = cli_error(CLI_EXIT_RUNTIME, "%s: %s", a->file, err.text);
    else
        rc = cli_write_packed(p, a->out, to_c, a->symbol, s->quiet);
    nms_packed_free(p);
    nms_tensor_free(t);
    return rc;
}

int cmd_prune(int argc, char **argv)
{
    prune_args a;
    memset(&a, 0, sizeof a);
    const cli_option options[] = {
        {"output", 'o', 1, &a.out, NULL, NULL},
        {"perm", 0, 1, &a.perm, NULL, NULL},
        {"original-order", 0, 0, &a.original_order, NULL, NULL},
        {"mask", 0, 1, &a.mask, NULL, NULL},
        {"tensor", 0, 1, NULL, add_tensor, &a},
        {"min-size", 0, 1, &a.min_size, NULL, NULL},
        {"layout", 0, 1, &a.layout, NULL, NULL},
        {"variant", 0, 1, &a.variant, NULL, NULL},
        {"dtype", 0, 1, &a.dtype, NULL, NULL},
        {"pattern", 0, 1, &a.pattern, NULL, NULL},
        {"format", 'f', 1, &a.format, NULL, NULL},
        {"c-format", 0, 1, &a.c_format, NULL, NULL},
        {"symbol", 0, 1, &a.symbol, NULL, NULL},
        {"quiet", 'q', 0, &a.quiet, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    const char *pos[1];
    int npos = 0, rc;
    if ((rc = cli_parse(argc, argv, options, pos, 1, &npos)) != 0)
        return rc;
    if (a.too_many)
        return cli_error(CLI_EXIT_USAGE, "prune: at most %d --tensor options", MAX_TENSOR_ARGS);
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "prune: expected one input FILE (try 'nmsparse help prune')");
    a.file = pos[0];
    if (!a.out)
        return cli_error(CLI_EXIT_USAGE, "prune: missing -o OUT (.npy or .safetensors; a PREFIX "
                                         "with --format)");
    if (!is_npy(a.file) && !is_st(a.file))
        return cli_error(CLI_EXIT_USAGE, "prune: %s: expected a .npy or .safetensors file", a.file);
    if ((a.c_format || a.symbol) && !a.format)
        return cli_error(CLI_EXIT_USAGE, "prune: --c-format and --symbol need --format c");
    if (!a.format && !is_npy(a.out) && !is_st(a.out))
        return cli_error(CLI_EXIT_USAGE, "prune: -o %s: the output must end in .npy or .safetensors", a.out);
    if (a.mask && !is_npy(a.mask) && !is_st(a.mask))
        return cli_error(CLI_EXIT_USAGE, "prune: --mask %s: must end in .npy or .safetensors", a.mask);
    if (a.dtype && !is_npy(a.file))
        return cli_error(CLI_EXIT_USAGE, "prune: --dtype applies to .npy input only");

    prune_setup s;
    memset(&s, 0, sizeof s);
    nms_prune_options_init(&s.opt);
    s.opt.original_order = a.original_order != NULL;
    s.quiet = a.quiet != NULL;
    if (a.layout && nms_layout_parse(a.layout, &s.opt.layout) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "prune: bad --layout '%s' (oi, oihw, hwio, auto)", a.layout);
    if (a.pattern && nms_prune_pattern_parse(a.pattern, &s.opt.pattern) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "prune: bad --pattern '%s' (2:4 or 1:2)", a.pattern);
    if (a.variant && nms_prune_variant_parse(a.variant, &s.opt.variant) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "prune: bad --variant '%s' (auto, scalar, sse4.1, avx2, "
                                         "avx512, neon)", a.variant);
    long min_size = 1024;
    if (a.min_size && cli_parse_long("--min-size", a.min_size, 0, 0x7fffffffL, &min_size))
        return CLI_EXIT_USAGE;
    if (a.original_order && !a.perm)
        return cli_error(CLI_EXIT_USAGE, "prune: --original-order needs --perm");
    nms_error err;
    nms_prune_variant used;
    if (nms_prune_variant_resolve(s.opt.variant, &used, &err) != NMS_OK)
        return cli_fail(&err);
    s.opt.variant = used;

    int32_t *perm = NULL;
    if (a.perm) {
        if (nms_perm_read(a.perm, 0, &perm, &s.perm_n, &err) != NMS_OK)
            return cli_fail(&err);
        s.perm = perm;
    }
    if (a.format)
        rc = prune_pack(&a, &s);
    else
        rc = is_npy(a.file) ? prune_npy(&a, &s) : prune_safetensors(&a, &s, (size_t)min_size);
    nms_free(perm);
    return rc;
}

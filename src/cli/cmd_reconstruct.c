/* cmd_reconstruct.c - `nmsparse reconstruct`: 2:4 pruning that minimises the
 * layer output error with a Gram matrix (or an empirical Fisher) and updates
 * the surviving weights.  Options and wiring only; the solvers are in
 * src/recon (nms_reconstruct). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "io/atomic_file.h"
#include "io/json_write.h"

/* A 2-D float64 copy of t with its shape checked against (rows, cols)
 * (rows 0 = any). */
static int as_matrix(const char *what, const char *path, nms_tensor *t, nms_tensor **out, nms_error *err)
{
    if (nms_tensor_ndim(t) != 2) {
        err->status = NMS_ERR_SHAPE;
        snprintf(err->text, sizeof err->text, "%s: %s must be a 2-D array, it has %d dimensions", path, what,
                 nms_tensor_ndim(t));
        return NMS_ERR_SHAPE;
    }
    return nms_tensor_convert(t, NMS_DTYPE_F64, out, err);
}

struct report_args {
    const char *wpath, *hpath, *method;
    int fisher;
    size_t rows, cols;
    double damp;
    const nms_recon_report *r;
};

static int report_json(FILE *f, void *ctx)
{
    const struct report_args *a = ctx;
    const nms_recon_report *r = a->r;
    nms__json_writer w;
    nms__jw_init_file(&w, f, 1);
    nms__jw_begin_object(&w);
    nms__jw_key(&w, "weights");
    nms__jw_string(&w, a->wpath);
    nms__jw_key(&w, a->fisher ? "fisher" : "gram");
    nms__jw_string(&w, a->hpath);
    nms__jw_key(&w, "method");
    nms__jw_string(&w, a->method);
    nms__jw_key(&w, "rows");
    nms__jw_uint(&w, a->rows);
    nms__jw_key(&w, "cols");
    nms__jw_uint(&w, a->cols);
    const struct {
        const char *key;
        double value;
    } numbers[] = {
        {"damp", a->damp}, {"lambda", r->lambda}, {"error", r->error}, {"rel_error", r->rel_error},
        {"base", r->base}, {"objective", r->objective}, {"magnitude_error", r->magnitude_error},
        {"magnitude_rel_error", r->magnitude_rel_error},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        nms__jw_key(&w, numbers[i].key);
        nms__jw_double(&w, numbers[i].value);
    }
    nms__jw_key(&w, "iterations");
    nms__jw_int(&w, r->iterations);
    nms__jw_key(&w, "seconds");
    nms__jw_double(&w, r->seconds);
    nms__jw_end_object(&w);
    return nms__jw_finish(&w);
}

/* The report as JSON, written atomically (never half-written). */
static int write_report(const char *path, const char *wpath, const char *hpath, int fisher, const char *method,
                        size_t rows, size_t cols, double damp, const nms_recon_report *r)
{
    struct report_args a = {wpath, hpath, method, fisher, rows, cols, damp, r};
    nms_error err;
    if (nms__write_file_atomic(path, report_json, &a, &err) != NMS_OK)
        return cli_fail(&err);
    return 0;
}

/* Write a matrix-view result back in the shape of the original tensor. */
static int write_result(const char *path, const char *name, const nms_tensor *matrix, nms_layout layout,
                        const nms_tensor *orig, nms_error *err)
{
    nms_tensor *t;
    int rc = nms_matrix_to_tensor(matrix, layout, nms_tensor_ndim(orig), nms_tensor_shape(orig), &t, err);
    if (rc != NMS_OK)
        return rc;
    if (cli_has_suffix(path, ".safetensors")) {
        nms_st_writer *w;
        rc = nms_st_writer_create(&w, err);
        if (rc == NMS_OK) {
            rc = nms_st_writer_add(w, name ? name : "weight", t, err);
            if (rc == NMS_OK)
                rc = nms_st_writer_write(w, path, err);
            nms_st_writer_free(w);
        }
    } else {
        rc = nms_npy_write(path, t, err);
    }
    nms_tensor_free(t);
    return rc;
}

int cmd_reconstruct(int argc, char **argv)
{
    const char *gram = NULL, *fisher = NULL, *method = NULL, *damp_s = NULL, *perm_path = NULL, *tensor = NULL,
               *layout_s = NULL, *out_path = NULL, *mask_path = NULL, *report_path = NULL, *in_mask = NULL,
               *iters_s = NULL, *rounds_s = NULL, *swaps_s = NULL;
    const cli_option opts[] = {
        {"gram", 0, 1, &gram, NULL, NULL},
        {"fisher", 0, 1, &fisher, NULL, NULL},
        {"method", 'm', 1, &method, NULL, NULL},
        {"damp", 0, 1, &damp_s, NULL, NULL},
        {"perm", 0, 1, &perm_path, NULL, NULL},
        {"tensor", 0, 1, &tensor, NULL, NULL},
        {"layout", 0, 1, &layout_s, NULL, NULL},
        {"output", 'o', 1, &out_path, NULL, NULL},
        {"mask", 0, 1, &mask_path, NULL, NULL},
        {"input-mask", 0, 1, &in_mask, NULL, NULL},
        {"report", 0, 1, &report_path, NULL, NULL},
        {"iht-iters", 0, 1, &iters_s, NULL, NULL},
        {"iht-rounds", 0, 1, &rounds_s, NULL, NULL},
        {"swap-limit", 0, 1, &swaps_s, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL}};
    const char *pos[1];
    int npos = 0, rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "reconstruct: give one weight file (try 'nmsparse help reconstruct')");
    if ((gram == NULL) == (fisher == NULL))
        return cli_error(CLI_EXIT_USAGE, "reconstruct: give exactly one of --gram H.npy and --fisher G.npy");
    nms_recon_options o;
    nms_recon_options_init(&o);
    if (method && nms_recon_method_parse(method, &o.method) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE,
                         "reconstruct: unknown method '%s' (magnitude, wanda, backsolve, obs, iht)", method);
    if (damp_s && cli_parse_double("--damp", damp_s, 0.0, 1e6, &o.damp))
        return CLI_EXIT_USAGE;
    long lv;
    if (iters_s) {
        if (cli_parse_long("--iht-iters", iters_s, 0, 1000000, &lv))
            return CLI_EXIT_USAGE;
        o.iht_iters = (int)lv;
    }
    if (rounds_s) {
        if (cli_parse_long("--iht-rounds", rounds_s, 0, 1000000, &lv))
            return CLI_EXIT_USAGE;
        o.iht_rounds = (int)lv;
    }
    if (swaps_s) {
        if (cli_parse_long("--swap-limit", swaps_s, 0, 1000000000, &lv))
            return CLI_EXIT_USAGE;
        o.swap_limit = (int)lv;
    }
    if (in_mask && o.method != NMS_RECON_BACKSOLVE)
        return cli_error(CLI_EXIT_USAGE, "reconstruct: --input-mask is used by --method backsolve only");
    nms_layout layout = NMS_LAYOUT_AUTO;
    if (layout_s && nms_layout_parse(layout_s, &layout) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "reconstruct: unknown layout '%s' (oi, oihw, hwio)", layout_s);
    if (o.method == NMS_RECON_OBS && fisher)
        return cli_error(CLI_EXIT_USAGE, "reconstruct: --method obs needs --gram (use iht or backsolve with --fisher)");

    nms_error err;
    memset(&err, 0, sizeof err);
    nms_tensor *orig = NULL, *view = NULL, *wm = NULL, *hraw = NULL, *h = NULL, *mraw = NULL, *mview = NULL;
    nms_tensor *xout = NULL, *mout = NULL, *xview = NULL, *mview_out = NULL;
    int32_t *perm = NULL, *perm_full = NULL;
    unsigned char *given = NULL;
    int status = CLI_EXIT_RUNTIME;
    const char *wpath = pos[0], *hpath = gram ? gram : fisher;
    if (cli_load_tensor(wpath, tensor, &orig, &err) != NMS_OK || nms_tensor_to_matrix(orig, layout, &view, &err) != NMS_OK)
        goto fail;
    size_t vr = nms_tensor_dim(view, 0), vc = nms_tensor_dim(view, 1); /* (O*K) x I */
    if (vc % 4 != 0) {
        status = cli_error(CLI_EXIT_RUNTIME, "%s: %zu input channels is not a multiple of 4", wpath, vc);
        goto out;
    }
    if (cli_load_tensor(hpath, NULL, &hraw, &err) != NMS_OK || as_matrix(gram ? "H" : "G", hpath, hraw, &h, &err) != NMS_OK)
        goto fail;
    /* Problem columns: I (H is I x I) or K*I (H is (K*I) x (K*I), conv with
     * coupled kernel positions): the (O*K) x I view is, in memory, the
     * O x (K*I) matrix with column k*I + i. */
    size_t kk = 1;
    if (gram) {
        size_t hn = nms_tensor_dim(h, 0);
        if (nms_tensor_dim(h, 1) != hn || hn == 0 || hn % vc != 0 || vr % (hn / vc) != 0) {
            status = cli_error(CLI_EXIT_RUNTIME,
                               "%s: H is %zu x %zu; for weights with %zu input channels (matrix view %zu x %zu) it must be %zu x %zu, or (K*%zu) x (K*%zu) with K the kernel size",
                               hpath, nms_tensor_dim(h, 0), nms_tensor_dim(h, 1), vc, vr, vc, vc, vc, vc, vc);
            goto out;
        }
        kk = hn / vc;
    }
    size_t rows = vr / kk, cols = vc * kk;
    {
        size_t shape[2] = {rows, cols};
        if (nms_tensor_create(NMS_DTYPE_F32, 2, shape, &wm, &err) != NMS_OK)
            goto fail;
        memcpy(nms_tensor_data(wm), nms_tensor_cdata(view), nms_tensor_nbytes(view));
    }
    if (perm_path) {
        size_t n;
        if (nms_perm_read(perm_path, vc, &perm, &n, &err) != NMS_OK)
            goto fail;
        perm_full = malloc(cols * sizeof *perm_full);
        if (!perm_full) {
            status = cli_error(CLI_EXIT_RUNTIME, "out of memory");
            goto out;
        }
        for (size_t k = 0; k < kk; k++)
            for (size_t j = 0; j < vc; j++)
                perm_full[k * vc + j] = (int32_t)(k * vc) + perm[j];
        o.perm = perm_full;
    }
    if (in_mask) {
        if (cli_load_tensor(in_mask, NULL, &mraw, &err) != NMS_OK || nms_tensor_to_matrix(mraw, layout, &mview, &err) != NMS_OK)
            goto fail;
        if (nms_tensor_numel(mview) != rows * cols || nms_tensor_dim(mview, 1) != vc) {
            status = cli_error(CLI_EXIT_RUNTIME, "%s: the mask's shape does not match the weights", in_mask);
            goto out;
        }
        given = malloc(rows * cols);
        if (!given) {
            status = cli_error(CLI_EXIT_RUNTIME, "out of memory");
            goto out;
        }
        const float *mv = nms_tensor_cdata(mview);
        for (size_t i = 0; i < rows * cols; i++)
            given[i] = mv[i] != 0.0f;
        o.mask = given;
    }
    nms_recon_report rep;
    if (nms_reconstruct(wm, gram ? h : NULL, fisher ? h : NULL, &o, out_path ? &xout : NULL,
                        mask_path ? &mout : NULL, &rep, &err) != NMS_OK) {
        goto fail;
    }
    const char *mname = nms_recon_method_name(o.method);
    printf("weights            %s: %zu x %zu (%s %s)%s\n", wpath, rows, cols, gram ? "Gram" : "Fisher", hpath,
           kk > 1 ? ", conv: kernel positions coupled" : "");
    printf("method             %s (damp %g, lambda %.6g%s)\n", mname, o.damp, rep.lambda,
           perm_path ? ", permuted" : "");
    printf("relative error     %-10s %.6g\n", mname, rep.rel_error);
    printf("relative error     %-10s %.6g\n", "magnitude", rep.magnitude_rel_error);
    if (rep.magnitude_rel_error > 0.0)
        printf("error ratio        %.4g x magnitude\n", rep.rel_error / rep.magnitude_rel_error);
    if (o.method == NMS_RECON_IHT)
        printf("iht steps          %d\n", rep.iterations);
    printf("time               %.3f s\n", rep.seconds);
    if (out_path || mask_path) {
        size_t vshape[2] = {vr, vc};
        if (out_path) {
            if (nms_tensor_create(NMS_DTYPE_F32, 2, vshape, &xview, &err) != NMS_OK)
                goto fail;
            memcpy(nms_tensor_data(xview), nms_tensor_cdata(xout), nms_tensor_nbytes(xview));
            if (write_result(out_path, tensor, xview, layout, orig, &err) != NMS_OK)
                goto fail;
        }
        if (mask_path) {
            if (nms_tensor_create(NMS_DTYPE_BOOL, 2, vshape, &mview_out, &err) != NMS_OK)
                goto fail;
            memcpy(nms_tensor_data(mview_out), nms_tensor_cdata(mout), nms_tensor_nbytes(mview_out));
            if (write_result(mask_path, tensor, mview_out, layout, orig, &err) != NMS_OK)
                goto fail;
        }
    }
    if (report_path && write_report(report_path, wpath, hpath, fisher != NULL, mname, rows, cols, o.damp, &rep))
        goto out;
    status = CLI_EXIT_OK;
    goto out;
fail:
    status = cli_fail(&err);
out:
    nms_tensor_free(orig);
    nms_tensor_free(view);
    nms_tensor_free(wm);
    nms_tensor_free(hraw);
    nms_tensor_free(h);
    nms_tensor_free(mraw);
    nms_tensor_free(mview);
    nms_tensor_free(xout);
    nms_tensor_free(mout);
    nms_tensor_free(xview);
    nms_tensor_free(mview_out);
    nms_free(perm);
    free(perm_full);
    free(given);
    return status;
}

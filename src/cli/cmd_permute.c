/* cmd_permute.c - `nmsparse permute`: an input-channel permutation for 2:4
 * pruning with a proven bound (options and wiring only; the solver is
 * nms_part_solve in src/part). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"

#define MAX_TENSORS 64

typedef struct tensor_list {
    const char *name[MAX_TENSORS];
    int n;
} tensor_list;

static int add_tensor(const char *arg, void *ctx)
{
    tensor_list *l = ctx;
    if (l->n == MAX_TENSORS)
        return cli_error(CLI_EXIT_USAGE, "permute: at most %d --tensor options", MAX_TENSORS);
    l->name[l->n++] = arg;
    return 0;
}

static volatile int interrupted = 0;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void progress(const nms_part_progress *p, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "nmsparse: %8.2fs %-9s value %.9g bound %.9g gap %.3e nodes %ld columns %ld\n",
            p->seconds, p->phase, p->value, p->bound, p->gap, p->nodes, p->columns);
}

/* The score matrix of --score: same matrix view shape as the weights,
 * nonnegative and finite. */
static int load_score(const char *path, const char *layout, size_t R, size_t C, nms_tensor **out)
{
    nms_tensor *m = NULL;
    int rc = cli_load_matrix(path, NULL, layout, &m);
    if (rc)
        return rc;
    if (nms_tensor_dim(m, 0) != R || nms_tensor_dim(m, 1) != C) {
        rc = cli_error(CLI_EXIT_RUNTIME, "%s: score matrix is %zu x %zu, the weights are %zu x %zu", path,
                       nms_tensor_dim(m, 0), nms_tensor_dim(m, 1), R, C);
        nms_tensor_free(m);
        return rc;
    }
    const float *v = nms_tensor_cdata(m);
    for (size_t i = 0; i < R * C; i++)
        if (!(v[i] >= 0)) {
            rc = cli_error(CLI_EXIT_RUNTIME, "%s: score at row %zu, column %zu is negative or not a number", path,
                           i / C, i % C);
            nms_tensor_free(m);
            return rc;
        }
    *out = m;
    return 0;
}

int cmd_permute(int argc, char **argv)
{
    const char *layout = NULL, *out_path = NULL, *report = NULL, *tl = NULL, *gap = NULL;
    const char *threads = NULL, *method = NULL, *score = NULL, *quiet = NULL, *pos[1];
    tensor_list tensors = {{0}, 0};
    int npos = 0, rc;
    const cli_option opts[] = {
        {"tensor", 0, 1, NULL, add_tensor, &tensors},
        {"layout", 0, 1, &layout, NULL, NULL},
        {"output", 'o', 1, &out_path, NULL, NULL},
        {"report", 0, 1, &report, NULL, NULL},
        {"time-limit", 0, 1, &tl, NULL, NULL},
        {"gap", 0, 1, &gap, NULL, NULL},
        {"threads", 0, 1, &threads, NULL, NULL},
        {"method", 0, 1, &method, NULL, NULL},
        {"score", 0, 1, &score, NULL, NULL},
        {"quiet", 'q', 0, &quiet, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    if ((rc = cli_parse(argc, argv, opts, pos, 1, &npos)) != 0)
        return rc;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "permute: expected one FILE (try 'nmsparse help permute')");
    nms_part_options o;
    nms_part_options_default(&o);
    double d;
    long l;
    if (tl) {
        if ((rc = cli_parse_double("--time-limit", tl, 0, 1e9, &d)) != 0)
            return rc;
        o.time_limit = d;
    }
    if (gap) {
        if ((rc = cli_parse_double("--gap", gap, 0, 1, &d)) != 0)
            return rc;
        o.gap = d;
    }
    if (threads) {
        if ((rc = cli_parse_long("--threads", threads, 0, 4096, &l)) != 0)
            return rc;
        o.threads = (int)l;
    }
    if (method && nms_part_method_parse(method, &o.method) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "permute: --method must be bp, swap or identity, not '%s'", method);
    if (score && tensors.n > 1)
        return cli_error(CLI_EXIT_USAGE, "permute: --score works with one tensor, not %d", tensors.n);

    nms_tensor *mats[MAX_TENSORS] = {0};
    int nm = tensors.n ? tensors.n : 1;
    for (int q = 0; q < nm; q++) {
        if ((rc = cli_load_matrix(pos[0], tensors.n ? tensors.name[q] : NULL, layout, &mats[q])) != 0)
            goto done;
        if (q > 0 && nms_tensor_dim(mats[q], 1) != nms_tensor_dim(mats[0], 1)) {
            rc = cli_error(CLI_EXIT_RUNTIME, "%s: tensor %s has %zu input channels, %s has %zu", pos[0],
                           tensors.name[q], nms_tensor_dim(mats[q], 1), tensors.name[0],
                           nms_tensor_dim(mats[0], 1));
            goto done;
        }
    }
    size_t C = nms_tensor_dim(mats[0], 1);
    if (C == 0 || C % 4) {
        rc = cli_error(CLI_EXIT_RUNTIME, "%s: the matrix has %zu input channels, not a positive multiple of 4",
                       pos[0], C);
        goto done;
    }
    if (score) {
        nms_tensor *s = NULL;
        if ((rc = load_score(score, layout, nms_tensor_dim(mats[0], 0), C, &s)) != 0)
            goto done;
        nms_tensor_free(mats[0]);
        mats[0] = s;
    }
    if (!quiet) {
        o.progress = progress;
        o.progress_interval = 5.0;
    }
    o.interrupt = &interrupted;
    void (*old)(int) = signal(SIGINT, on_sigint);
    nms_part_result res;
    nms_error err = {0};
    int st = nms_part_solve_stacked((const nms_tensor *const *)mats, (size_t)nm, &o, &res, &err);
    signal(SIGINT, old == SIG_ERR ? SIG_DFL : old);
    if (st != NMS_OK) {
        rc = cli_fail(&err);
        goto done;
    }
    if (out_path && nms_perm_write(out_path, res.perm, res.cols, &err) != NMS_OK)
        rc = cli_fail(&err);
    else if (report && nms_part_report_write(report, &res, pos[0], nms_part_method_name(o.method), &err) != NMS_OK)
        rc = cli_fail(&err);
    if (!rc) {
        printf("matrix         %zu x %zu (%s)\n", res.rows, res.cols, pos[0]);
        printf("status         %s\n", nms_part_status_name(res.status));
        printf("value          %.9f\n", res.value);
        printf("bound          %.9f (%s)\n", res.bound, nms_part_bound_kind_name(res.bound_kind));
        printf("gap            %.3e\n", res.gap);
        printf("identity       %.9f (%+.4f%%)\n", res.identity_value,
               res.identity_value > 0 ? 100.0 * (res.value - res.identity_value) / res.identity_value : 0.0);
        printf("unstructured   %.9f\n", res.unstructured_bound);
        printf("seconds        %.3f (cpu %.3f)  nodes %ld  columns %ld  pricing rounds %ld  threads %d\n",
               res.seconds, res.cpu_seconds, res.nodes, res.columns, res.pricing_rounds, res.threads);
    }
    nms_part_result_free(&res);
done:
    for (int q = 0; q < nm; q++)
        nms_tensor_free(mats[q]);
    return rc;
}

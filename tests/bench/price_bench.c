/*
 * price_bench.c - the cost of one exact pricing round (src/part/pricing_exact.c)
 * at realistic duals.
 *
 *   price_bench FILE.npy [--cg SECONDS] [--threads N] [--repeat N]
 *               [--save-pi F] [--load-pi F]
 *
 * Duals come from the root column generation run for --cg seconds (default
 * 10) or from a file written by --save-pi (raw doubles), so that two builds
 * can be timed on the same duals.  Then the exact pricing runs as column
 * generation calls it (top 2C groups with rc > 1e-9 vscale, per-channel
 * bounds), --repeat times; printed: seconds per round, the Lagrangian bound
 * sum pi + B(u) (chan_bound.h), the number of groups found, and a checksum of the
 * groups and of u (equal checksums: equal results).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nmsparse.h"
#include "part/objective.h"
#include "part/part.h"
#include "util/util.h"

static void die(const char *what, const nms_error *e)
{
    fprintf(stderr, "price_bench: %s: %s\n", what, e ? e->text : "");
    exit(1);
}

int main(int argc, char **argv)
{
    const char *file = NULL, *save = NULL, *load = NULL;
    double cg_seconds = 10.0;
    int threads = 0, repeat = 1;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--cg") && a + 1 < argc)
            cg_seconds = atof(argv[++a]);
        else if (!strcmp(argv[a], "--threads") && a + 1 < argc)
            threads = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--repeat") && a + 1 < argc)
            repeat = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--save-pi") && a + 1 < argc)
            save = argv[++a];
        else if (!strcmp(argv[a], "--load-pi") && a + 1 < argc)
            load = argv[++a];
        else if (argv[a][0] != '-' && !file)
            file = argv[a];
        else {
            fprintf(stderr, "usage: price_bench FILE.npy [--cg S] [--threads N] [--repeat N] "
                            "[--save-pi F] [--load-pi F]\n");
            return 2;
        }
    }
    if (!file) {
        fprintf(stderr, "price_bench: no input file\n");
        return 2;
    }
    nms_error e;
    nms_tensor *t = NULL;
    if (nms_npy_read(file, &t, &e))
        die(file, &e);
    double *s;
    size_t R, C;
    if (nms__abs_scores(t, &s, &R, &C, &e))
        die(file, &e);
    nms__pp p;
    if (nms__pp_init(&p, s, R, C, &e))
        die("init", &e);
    double *pi = malloc(C * sizeof *pi), *u = malloc(C * sizeof *u), *u_sorted = malloc(C * sizeof *u_sorted);
    if (!pi || !u || !u_sorted)
        die("out of memory", NULL);
    if (load) {
        FILE *f = fopen(load, "rb");
        if (!f || fread(pi, sizeof *pi, C, f) != C)
            die(load, NULL);
        fclose(f);
    } else {
        int32_t *perm = malloc(C * sizeof *perm);
        nms__cg cg;
        memset(&cg, 0, sizeof cg);
        cg.pi = pi;
        cg.chan_ub = u;
        if (!perm)
            die("out of memory", NULL);
        for (size_t c = 0; c < C; c++)
            perm[c] = (int32_t)c;
        if (nms__ls_resplit(&p, perm, threads, NULL, &e))
            die("local search", &e);
        cg.init_perm = perm;
        cg.z_inc = nms__pp_perm_value(&p, perm);
        cg.deadline = nms__now() + cg_seconds;
        cg.round_deadline = cg.deadline;
        cg.threads = threads;
        if (nms__cg_root(&p, &cg, &e))
            die("column generation", &e);
        printf("column generation: %ld rounds, %zu columns, LP %.6f, bound %.6f\n", cg.rounds, cg.npool,
               cg.lp_value, cg.bound);
        nms__free(cg.pool);
        free(perm);
    }
    if (save) {
        FILE *f = fopen(save, "wb");
        if (!f || fwrite(pi, sizeof *pi, C, f) != C)
            die(save, NULL);
        fclose(f);
    }
    double sumpi = 0.0;
    for (size_t c = 0; c < C; c++)
        sumpi += pi[c];
    for (int rep = 0; rep < repeat; rep++) {
        nms__price_req rq;
        nms__price_res pr;
        memset(&rq, 0, sizeof rq);
        rq.pi = pi;
        rq.thr = 1e-9 * p.vscale;
        rq.k = 2 * C > 16 ? 2 * C : 16;
        rq.threads = threads;
        rq.chan_ub = u;
        double t0 = nms__now();
        if (nms__price_exact(&p, &rq, &pr, &e))
            die("pricing", &e);
        double dt = nms__now() - t0;
        uint64_t h = 1469598103934665603ull;
        for (size_t q = 0; q < pr.n; q++)
            for (int k = 0; k < 4; k++)
                h = (h ^ (uint64_t)pr.cols[q].g[k]) * 1099511628211ull;
        for (size_t c = 0; c < C; c++) {
            uint64_t bits;
            memcpy(&bits, &u[c], sizeof bits);
            h = (h ^ bits) * 1099511628211ull;
        }
        double B;
        nms__chan_bound(u, C, u_sorted, &B, NULL);
        printf("%zu x %zu: exact pricing %.3f s, %zu groups, max rc %.6g, bound %.6f, checksum %016llx\n", R,
               C, dt, pr.n, pr.max_rc_ub, sumpi + B, (unsigned long long)h);
        nms__free(pr.cols);
    }
    free(pi);
    free(u);
    free(u_sorted);
    nms__pp_free(&p);
    nms__free(s);
    nms_tensor_free(t);
    return 0;
}

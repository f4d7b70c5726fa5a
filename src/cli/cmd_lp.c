/* cmd_lp.c - `nmsparse lp FILE.mps`: solve an LP read from an MPS file. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"

int cmd_lp(int argc, char **argv)
{
    const char *max = NULL, *primal = NULL, *dual = NULL, *tlim = NULL;
    const char *out = NULL, *itlim = NULL, *noscale = NULL, *quiet = NULL;
    const char *ptol = NULL, *dtol = NULL;
    const cli_option opts[] = {
        {"max", 0, 0, &max, NULL, NULL},
        {"primal", 0, 0, &primal, NULL, NULL},
        {"dual", 0, 0, &dual, NULL, NULL},
        {"time-limit", 0, 1, &tlim, NULL, NULL},
        {"iteration-limit", 0, 1, &itlim, NULL, NULL},
        {"no-scaling", 0, 0, &noscale, NULL, NULL},
        {"primal-tol", 0, 1, &ptol, NULL, NULL},
        {"dual-tol", 0, 1, &dtol, NULL, NULL},
        {"quiet", 'q', 0, &quiet, NULL, NULL},
        {"output", 'o', 1, &out, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL}};
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "lp: expected one MPS file (see 'nmsparse help lp')");
    if (primal && dual)
        return cli_error(CLI_EXIT_USAGE, "lp: --primal and --dual exclude each other");
    nms_lp_options o;
    nms_lp_options_default(&o);
    if (tlim && (rc = cli_parse_double("--time-limit", tlim, 0, 1e9, &o.time_limit)))
        return rc;
    if (itlim && (rc = cli_parse_long("--iteration-limit", itlim, 0, 2000000000L, &o.iteration_limit)))
        return rc;
    if (ptol && (rc = cli_parse_double("--primal-tol", ptol, 1e-14, 0.1, &o.primal_feas_tol)))
        return rc;
    if (dtol && (rc = cli_parse_double("--dual-tol", dtol, 1e-14, 0.1, &o.dual_feas_tol)))
        return rc;
    o.algorithm = primal ? NMS_LP_PRIMAL : dual ? NMS_LP_DUAL : NMS_LP_AUTO;
    o.scaling = noscale ? 0 : 1;

    nms_error err;
    nms_lp *lp = NULL;
    if (nms_lp_read_mps(pos[0], &lp, &err))
        return cli_fail(&err);
    if (max)
        nms_lp_set_maximize(lp, 1);
    if (nms_lp_solve(lp, &o, &err)) {
        nms_lp_free(lp);
        return cli_fail(&err);
    }
    nms_lp_status st = nms_lp_get_status(lp);
    if (!quiet) {
        const char *name = nms_lp_name(lp);
        printf("problem     %s\n", name ? name : pos[0]);
        printf("rows        %zu\n", nms_lp_num_rows(lp));
        printf("columns     %zu\n", nms_lp_num_cols(lp));
        printf("nonzeros    %zu\n", nms_lp_num_nonzeros(lp));
    }
    printf("status      %s\n", nms_lp_status_name(st));
    printf("objective   %.17g\n", nms_lp_objective(lp));
    printf("iterations  %ld\n", nms_lp_iterations(lp));
    printf("time        %.3f s\n", nms_lp_solve_seconds(lp));
    if (out && nms_lp_write_solution(lp, out, &err)) {
        nms_lp_free(lp);
        return cli_fail(&err);
    }
    nms_lp_free(lp);
    return CLI_EXIT_OK;
}

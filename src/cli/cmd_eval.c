/* cmd_eval.c - `nmsparse eval`: kept magnitude of a permutation vs identity. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"

int cmd_eval(int argc, char **argv)
{
    const char *tensor = NULL, *layout = NULL, *perm_path = NULL, *pos[1];
    int npos = 0, rc;
    const cli_option opts[] = {
        {"perm", 'p', 1, &perm_path, NULL, NULL},
        {"tensor", 0, 1, &tensor, NULL, NULL},
        {"layout", 0, 1, &layout, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    if ((rc = cli_parse(argc, argv, opts, pos, 1, &npos)) != 0)
        return rc;
    if (npos != 1 || !perm_path)
        return cli_error(CLI_EXIT_USAGE, "eval: expected FILE and --perm PERM (try 'nmsparse help eval')");

    nms_tensor *m = NULL;
    if ((rc = cli_load_matrix(pos[0], tensor, layout, &m)) != 0)
        return rc;
    size_t R = nms_tensor_dim(m, 0), C = nms_tensor_dim(m, 1);
    nms_error err = {0};
    int32_t *perm = NULL;
    size_t n = 0;
    double total = 0, ident = 0, kept = 0, bound = 0;
    if (C % 4 != 0) {
        rc = cli_error(CLI_EXIT_RUNTIME, "%s: the matrix has %zu input channels, not a multiple of 4", pos[0], C);
    } else if (nms_perm_read(perm_path, C, &perm, &n, &err) != NMS_OK ||
               nms_total_value(m, &total, &err) != NMS_OK ||
               nms_kept_value(m, NULL, &ident, &err) != NMS_OK ||
               nms_kept_value(m, perm, &kept, &err) != NMS_OK ||
               nms_unstructured_bound(m, &bound, &err) != NMS_OK) {
        rc = cli_fail(&err);
    } else {
        double denom = total > 0 ? total : 1;
        printf("matrix         %zu x %zu (%s)\n", R, C, pos[0]);
        printf("total |w|      %.9g\n", total);
        printf("identity       kept %.9f  fraction %.6f\n", ident, ident / denom);
        printf("permutation    kept %.9f  fraction %.6f  (%+.4f%% vs identity)\n", kept,
               kept / denom, ident > 0 ? 100.0 * (kept - ident) / ident : 0.0);
        printf("unstructured   bound %.9f fraction %.6f\n", bound, bound / denom);
    }
    nms_free(perm);
    nms_tensor_free(m);
    return rc;
}

/* solution.c - write the last LP solution as text (nms_lp_write_solution).
 *
 * Format (one item per line):
 *   status <name>              e.g. "status optimal"
 *   objective <%.17g>
 *   iterations <n>
 *   columns <n>                then n lines "<name> <value> <reduced cost>"
 *   rows <m>                   then m lines "<name> <activity> <dual>"
 * Unnamed columns / rows are called C<j> / R<i> (0-based).  Values use %.17g
 * so they read back exactly.
 */
#include <stdio.h>

#include "io/atomic_file.h"
#include "lp/lp.h"
#include "util/util.h"

static int write_solution(FILE *f, void *ctx)
{
    const nms_lp *lp = ctx;
    fprintf(f, "status %s\n", nms_lp_status_name(lp->status));
    fprintf(f, "objective %.17g\n", lp->objective);
    fprintf(f, "iterations %ld\n", lp->iterations);
    fprintf(f, "columns %zu\n", lp->n);
    for (size_t j = 0; j < lp->n; j++) {
        const char *nm = nms_lp_col_name(lp, j);
        if (nm)
            fprintf(f, "%s %.17g %.17g\n", nm, lp->x[j] + 0.0, lp->d[j] + 0.0);
        else
            fprintf(f, "C%zu %.17g %.17g\n", j, lp->x[j] + 0.0, lp->d[j] + 0.0);
    }
    fprintf(f, "rows %zu\n", lp->m);
    for (size_t i = 0; i < lp->m; i++) {
        const char *nm = nms_lp_row_name(lp, i);
        if (nm)
            fprintf(f, "%s %.17g %.17g\n", nm, lp->ax[i] + 0.0, lp->y[i] + 0.0);
        else
            fprintf(f, "R%zu %.17g %.17g\n", i, lp->ax[i] + 0.0, lp->y[i] + 0.0);
    }
    return ferror(f) ? -1 : 0;
}

int nms_lp_write_solution(const nms_lp *lp, const char *path, nms_error *err)
{
    if (!lp || !path)
        return nms__fail(err, NMS_ERR_INVALID, "nms_lp_write_solution: NULL argument");
    return nms__write_file_atomic(path, write_solution, (void *)lp, err);
}

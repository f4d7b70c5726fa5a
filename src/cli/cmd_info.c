/* cmd_info.c - `nmsparse info`: tensors, shapes, matrix views, 2:4 fractions. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "io/tensor.h"

/* One table row: name, dtype, shape, matrix view, fractions.  Returns 0, or
 * an exit code after printing an error for a tensor that cannot be viewed
 * as a matrix (NaN / inf values). */
static int info_row(const char *path, const char *name, const nms_tensor *t,
                    nms_layout layout)
{
    char shape[96], matrix_shape[48] = "-", ident[16] = "-", unstr[16] = "-";
    nms_error err = {0};
    nms_tensor *m = NULL;
    int rc = 0;

    nms__shape_str(nms_tensor_ndim(t), nms_tensor_shape(t), shape, sizeof shape);
    nms_dtype dt = nms_tensor_dtype(t);
    int numeric = dt != NMS_DTYPE_BOOL && dt != NMS_DTYPE_F8_E4M3 && dt != NMS_DTYPE_F8_E5M2;
    if (numeric && nms_tensor_ndim(t) >= 1 && nms_tensor_numel(t) > 0) {
        if (nms_tensor_to_matrix(t, layout, &m, &err) != NMS_OK) {
            if (strcmp(name, "-") == 0)
                rc = cli_error(CLI_EXIT_RUNTIME, "%s: %s", path, err.text);
            else
                rc = cli_error(CLI_EXIT_RUNTIME, "%s: tensor %s: %s", path, name, err.text);
        } else {
            double total = 0, kept = 0, bound = 0;
            size_t R = nms_tensor_dim(m, 0), C = nms_tensor_dim(m, 1);
            snprintf(matrix_shape, sizeof matrix_shape, "%zux%zu", R, C);
            nms_total_value(m, &total, NULL);
            if (total > 0 && nms_unstructured_bound(m, &bound, NULL) == NMS_OK)
                snprintf(unstr, sizeof unstr, "%.6f", bound / total);
            if (total > 0 && C % 4 == 0 && nms_kept_value(m, NULL, &kept, NULL) == NMS_OK)
                snprintf(ident, sizeof ident, "%.6f", kept / total);
            nms_tensor_free(m);
        }
    }
    printf("%-40s %-7s %-18s %-12s %-12s %s\n", name, nms_dtype_name(dt), shape,
           matrix_shape, ident, unstr);
    return rc;
}

static void info_header(void)
{
    printf("%-40s %-7s %-18s %-12s %-12s %s\n", "tensor", "dtype", "shape", "matrix",
           "identity2:4", "unstructured");
}

int cmd_info(int argc, char **argv)
{
    const char *tensor = NULL, *layout = NULL, *pos[1];
    int npos = 0, rc = 0;
    nms_layout lay = NMS_LAYOUT_AUTO;
    nms_error err = {0};
    const cli_option opts[] = {
        {"tensor", 0, 1, &tensor, NULL, NULL},
        {"layout", 0, 1, &layout, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    if ((rc = cli_parse(argc, argv, opts, pos, 1, &npos)) != 0)
        return rc;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "info: expected one FILE (try 'nmsparse help info')");
    if (layout && nms_layout_parse(layout, &lay) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "unknown layout '%s' (expected oi, oihw or hwio)", layout);
    const char *path = pos[0];

    if (cli_has_suffix(path, ".safetensors")) {
        nms_safetensors *f = NULL;
        if (nms_st_open(path, &f, &err) != NMS_OK)
            return cli_fail(&err);
        size_t n = nms_st_count(f), first = 0, last = n;
        if (tensor) {
            if (nms_st_find(f, tensor, &first) != NMS_OK) {
                nms_st_close(f);
                return cli_error(CLI_EXIT_RUNTIME, "%s: no tensor named '%s'", path, tensor);
            }
            last = first + 1;
        }
        printf("%s: safetensors, %zu tensor%s\n", path, n, n == 1 ? "" : "s");
        for (size_t i = 0; i < nms_st_metadata_count(f); i++)
            printf("metadata %s = %s\n", nms_st_metadata_key(f, i), nms_st_metadata_value(f, i));
        info_header();
        for (size_t i = first; i < last; i++) {
            nms_tensor *t = NULL;
            if (nms_st_load(f, i, &t, &err) != NMS_OK) {
                rc = cli_fail(&err);
                break;
            }
            int r = info_row(path, nms_st_name(f, i), t, lay);
            if (r)
                rc = r;
            nms_tensor_free(t);
        }
        nms_st_close(f);
        return rc;
    }
    if (tensor)
        return cli_error(CLI_EXIT_USAGE, "--tensor applies to .safetensors files, and %s is not one", path);
    nms_tensor *t = NULL;
    if (nms_npy_read(path, &t, &err) != NMS_OK)
        return cli_fail(&err);
    printf("%s: npy, 1 tensor\n", path);
    info_header();
    rc = info_row(path, "-", t, lay);
    nms_tensor_free(t);
    return rc;
}

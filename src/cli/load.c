/* load.c - open a weight file (.npy or .safetensors) and take its matrix view. */
#include <string.h>

#include "cli/cli.h"

int cli_load_matrix(const char *path, const char *tensor, const char *layout,
                    nms_tensor **matrix)
{
    nms_error err = {0};
    nms_layout lay = NMS_LAYOUT_AUTO;
    nms_tensor *t = NULL;
    int st;

    if (layout && nms_layout_parse(layout, &lay) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "unknown layout '%s' (expected oi, oihw or hwio)", layout);
    if (cli_has_suffix(path, ".safetensors")) {
        nms_safetensors *f = NULL;
        size_t index = 0;
        if ((st = nms_st_open(path, &f, &err)) != NMS_OK)
            return cli_fail(&err);
        if (tensor) {
            if (nms_st_find(f, tensor, &index) != NMS_OK) {
                nms_st_close(f);
                return cli_error(CLI_EXIT_RUNTIME, "%s: no tensor named '%s' (see 'nmsparse info %s')", path, tensor, path);
            }
        } else if (nms_st_count(f) != 1) {
            size_t n = nms_st_count(f);
            nms_st_close(f);
            return cli_error(CLI_EXIT_USAGE, "%s holds %zu tensors: name one with --tensor (see 'nmsparse info %s')", path, n, path);
        }
        st = nms_st_load(f, index, &t, &err);
        nms_st_close(f);
    } else {
        if (tensor)
            return cli_error(CLI_EXIT_USAGE, "--tensor applies to .safetensors files, and %s is not one", path);
        st = nms_npy_read(path, &t, &err);
    }
    if (st != NMS_OK)
        return cli_fail(&err);
    st = nms_tensor_to_matrix(t, lay, matrix, &err);
    nms_tensor_free(t);
    if (st != NMS_OK) {
        if (!strstr(err.text, path)) {
            char msg[sizeof err.text];
            memcpy(msg, err.text, sizeof msg);
            return cli_error(CLI_EXIT_RUNTIME, "%s: %s", path, msg);
        }
        return cli_fail(&err);
    }
    return 0;
}

/* load.c - open a weight file (.npy or .safetensors) and take its matrix view. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* Fill err with a formatted message and return status. */
static int fail_text(nms_error *err, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int fail_text(nms_error *err, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err->status = status;
    err->line = err->column = 0;
    err->source[0] = '\0';
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return status;
}

int cli_load_tensor(const char *path, const char *name, nms_tensor **out,
                    nms_error *err)
{
    if (!cli_has_suffix(path, ".safetensors"))
        return nms_npy_read(path, out, err); /* one tensor: no name to check */
    nms_safetensors *f = NULL;
    size_t index = 0;
    int st = nms_st_open(path, &f, err);
    if (st != NMS_OK)
        return st;
    if (name && nms_st_find(f, name, &index) != NMS_OK)
        st = fail_text(err, NMS_ERR_NOTFOUND, "%s: no tensor named '%s' (see 'nmsparse info %s')", path, name, path);
    else if (!name && nms_st_count(f) != 1)
        st = fail_text(err, NMS_ERR_INVALID, "%s holds %zu tensors: name one with --tensor (see 'nmsparse info %s')",
                                path, nms_st_count(f), path);
    else
        st = nms_st_load(f, index, out, err);
    nms_st_close(f);
    return st;
}

int cli_load_matrix(const char *path, const char *tensor, const char *layout,
                    nms_tensor **matrix)
{
    nms_error err = {0};
    nms_layout lay = NMS_LAYOUT_AUTO;
    nms_tensor *t = NULL;

    if (layout && nms_layout_parse(layout, &lay) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "unknown layout '%s' (expected oi, oihw or hwio)", layout);
    if (tensor && !cli_has_suffix(path, ".safetensors"))
        return cli_error(CLI_EXIT_USAGE, "--tensor applies to .safetensors files, and %s is not one", path);
    if (cli_load_tensor(path, tensor, &t, &err) != NMS_OK)
        return cli_fail_load(&err);
    int st = nms_tensor_to_matrix(t, lay, matrix, &err);
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

int cli_fail_load(const nms_error *err)
{
    if (err->status == NMS_ERR_INVALID) /* several tensors and none named */
        return cli_error(CLI_EXIT_USAGE, "%s", err->text);
    return cli_fail(err);
}

/* cmd_unpack.c - `nmsparse unpack`: the dense matrix back from a packed
 * format.  Options and wiring only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"

/* "64x32x3x3" -> shape; 0 or CLI_EXIT_USAGE. */
static int parse_shape(const char *text, size_t *shape, int *ndim)
{
    const char *q = text;
    *ndim = 0;
    for (;;) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(q, &end, 10);
        if (end == q || errno || *q == '-' || *ndim == NMS_MAX_DIMS || v > (size_t)-1)
            return cli_error(CLI_EXIT_USAGE, "unpack: bad --shape '%s' (e.g. 64x32x3x3)", text);
        shape[(*ndim)++] = (size_t)v;
        if (*end == '\0')
            return 0;
        if (*end != 'x' && *end != ',')
            return cli_error(CLI_EXIT_USAGE, "unpack: bad --shape '%s' (e.g. 64x32x3x3)", text);
        q = end + 1;
    }
}

int cmd_unpack(int argc, char **argv)
{
    const char *format = NULL, *out = NULL, *dtype = NULL, *tensor = NULL, *shape = NULL,
               *layout = NULL;
    const cli_option options[] = {
        {"format", 'f', 1, &format, NULL, NULL},
        {"output", 'o', 1, &out, NULL, NULL},
        {"dtype", 0, 1, &dtype, NULL, NULL},
        {"tensor", 0, 1, &tensor, NULL, NULL},
        {"shape", 0, 1, &shape, NULL, NULL},
        {"layout", 0, 1, &layout, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    const char *pos[1];
    int npos = 0;
    if (cli_parse(argc, argv, options, pos, 1, &npos))
        return CLI_EXIT_USAGE;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "unpack: expected one PREFIX (try 'nmsparse help unpack')");
    if (!format)
        return cli_error(CLI_EXIT_USAGE, "unpack: --format cutlass|nm|csr|c is required");
    if (!out)
        return cli_error(CLI_EXIT_USAGE, "unpack: -o OUT (.npy or .safetensors) is required");
    if (!cli_has_suffix(out, ".npy") && !cli_has_suffix(out, ".safetensors"))
        return cli_error(CLI_EXIT_USAGE, "unpack: -o %s: the output must be .npy or .safetensors", out);
    int from_c = strcmp(format, "c") == 0;
    nms_format fmt = NMS_FORMAT_NM;
    if (!from_c && nms_format_parse(format, &fmt) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "unpack: unknown format '%s' (cutlass, nm, csr, c)", format);
    nms_unpack_options opts;
    nms_unpack_options_init(&opts);
    if (dtype && nms_dtype_parse(dtype, &opts.dtype) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "unpack: unknown --dtype '%s'", dtype);
    size_t dims[NMS_MAX_DIMS];
    if (shape) {
        if (parse_shape(shape, dims, &opts.ndim))
            return CLI_EXIT_USAGE;
        opts.shape = dims;
    }
    if (layout && !shape)
        return cli_error(CLI_EXIT_USAGE, "unpack: --layout needs --shape");
    if (layout && nms_layout_parse(layout, &opts.layout) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "unpack: unknown --layout '%s' (oi, oihw, hwio)", layout);
    opts.tensor_name = tensor;
    nms_error err;
    if (nms_unpack_file(pos[0], fmt, from_c, &opts, out, &err) != NMS_OK)
        return cli_fail(&err);
    return CLI_EXIT_OK;
}

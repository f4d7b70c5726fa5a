/* cmd_unpack.c - `nmsparse unpack`: the dense matrix back from a packed
 * format.  Options and wiring only. */
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"

int cmd_unpack(int argc, char **argv)
{
    const char *format = NULL, *out = NULL, *dtype = NULL, *tensor = NULL;
    const cli_option options[] = {
        {"format", 'f', 1, &format, NULL, NULL},
        {"output", 'o', 1, &out, NULL, NULL},
        {"dtype", 0, 1, &dtype, NULL, NULL},
        {"tensor", 0, 1, &tensor, NULL, NULL},
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
    nms_dtype dt = NMS_DTYPE_COUNT;
    if (dtype && nms_dtype_parse(dtype, &dt) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "unpack: unknown --dtype '%s'", dtype);
    nms_error err;
    if (nms_unpack_file(pos[0], fmt, from_c, dt, out, tensor, &err) != NMS_OK)
        return cli_fail(&err);
    return CLI_EXIT_OK;
}

/* cmd_pack.c - `nmsparse pack`: compress a 2:4 weight tensor into the
 * cutlass, nm, csr or C-source format.  Options and wiring only. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/packed_out.h"

int cmd_pack(int argc, char **argv)
{
    const char *format = NULL, *out = NULL, *dtype = NULL, *perm_path = NULL, *tensor = NULL,
               *layout = NULL, *c_format = NULL, *symbol = NULL, *quiet = NULL;
    const cli_option options[] = {
        {"format", 'f', 1, &format, NULL, NULL},
        {"output", 'o', 1, &out, NULL, NULL},
        {"dtype", 0, 1, &dtype, NULL, NULL},
        {"perm", 0, 1, &perm_path, NULL, NULL},
        {"tensor", 0, 1, &tensor, NULL, NULL},
        {"layout", 0, 1, &layout, NULL, NULL},
        {"c-format", 0, 1, &c_format, NULL, NULL},
        {"symbol", 0, 1, &symbol, NULL, NULL},
        {"quiet", 'q', 0, &quiet, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    const char *pos[1];
    int npos = 0;
    if (cli_parse(argc, argv, options, pos, 1, &npos))
        return CLI_EXIT_USAGE;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "pack: expected one input FILE (try 'nmsparse help pack')");
    if (!format)
        return cli_error(CLI_EXIT_USAGE, "pack: --format cutlass|nm|csr|c is required");
    if (!out)
        return cli_error(CLI_EXIT_USAGE, "pack: -o PREFIX is required");

    int to_c;
    nms_format fmt;
    if (cli_pack_format("pack", format, c_format, symbol, out, &fmt, &to_c))
        return CLI_EXIT_USAGE;
    nms_pack_options opts;
    nms_pack_options_init(&opts);
    if (dtype && nms_dtype_parse(dtype, &opts.as_dtype) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "pack: unknown --dtype '%s'", dtype);
    if (layout && nms_layout_parse(layout, &opts.layout) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "pack: unknown --layout '%s' (oi, oihw, hwio)", layout);

    nms_tensor *t = NULL;
    if (tensor && !cli_has_suffix(pos[0], ".safetensors"))
        return cli_error(CLI_EXIT_USAGE, "pack: --tensor applies to .safetensors input only");
    nms_error lerr;
    int rc = cli_load_tensor(pos[0], tensor, &t, &lerr) != NMS_OK ? cli_fail_load(&lerr) : 0;
    if (rc)
        return rc;
    nms_error err;
    int32_t *perm = NULL;
    size_t n = 0;
    if (perm_path) {
        if (nms_perm_read(perm_path, 0, &perm, &n, &err)) {
            nms_tensor_free(t);
            return cli_fail(&err);
        }
        opts.perm = perm;
        opts.perm_len = n;
    }
    nms_packed *p = NULL;
    if (nms_pack(t, fmt, &opts, &p, &err) != NMS_OK) {
        rc = cli_error(CLI_EXIT_RUNTIME, "%s: %s", pos[0], err.text);
    } else {
        rc = cli_write_packed(p, out, to_c, symbol, quiet != NULL);
    }
    nms_packed_free(p);
    nms_free(perm);
    nms_tensor_free(t);
    return rc;
}

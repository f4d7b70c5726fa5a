/* cmd_pack.c - `nmsparse pack`: compress a 2:4 weight tensor into the
 * cutlass, nm, csr or C-source format.  Options and wiring only. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"

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

    int to_c = strcmp(format, "c") == 0;
    nms_format fmt = NMS_FORMAT_NM;
    if (to_c) {
        if (c_format && nms_format_parse(c_format, &fmt) != NMS_OK)
            return cli_error(CLI_EXIT_USAGE, "pack: unknown --c-format '%s' (cutlass, nm, csr)", c_format);
        if (cli_has_suffix(out, ".safetensors"))
            return cli_error(CLI_EXIT_USAGE, "pack: --format c writes PREFIX.h and PREFIX.c; "
                                             "-o must be a prefix, not a .safetensors file");
    } else {
        if (nms_format_parse(format, &fmt) != NMS_OK)
            return cli_error(CLI_EXIT_USAGE, "pack: unknown format '%s' (cutlass, nm, csr, c)", format);
        if (c_format || symbol)
            return cli_error(CLI_EXIT_USAGE, "pack: --c-format and --symbol apply to --format c only");
    }
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
    } else if (to_c ? nms_packed_write_c(p, out, symbol, &err) : nms_packed_write(p, out, &err)) {
        rc = cli_fail(&err);
    } else if (!quiet) {
        /* e.g. "cutlass: 64 x 128 F16 -> w.values.npy (64x64 F16) w.meta.npy (64x8 I16)" */
        printf("%s%s: %zu x %zu %s ->", to_c ? "c/" : "", nms_format_name(fmt), nms_packed_rows(p),
               nms_packed_cols(p), nms_dtype_name(nms_packed_dtype(p)));
        if (to_c) {
            printf(" %s.h %s.c", out, out);
        } else if (cli_has_suffix(out, ".safetensors")) {
            printf(" %s:", out);
        }
        for (size_t i = 0; !to_c && i < nms_packed_count(p); i++) {
            const nms_tensor *part = nms_packed_part(p, i);
            if (cli_has_suffix(out, ".safetensors"))
                printf(" %s", nms_packed_name(p, i));
            else
                printf(" %s.%s.npy", out, nms_packed_name(p, i));
            printf(" (%zu", nms_tensor_dim(part, 0));
            for (int d = 1; d < nms_tensor_ndim(part); d++)
                printf("x%zu", nms_tensor_dim(part, d));
            printf(" %s)", nms_dtype_name(nms_tensor_dtype(part)));
        }
        printf("\n");
    }
    nms_packed_free(p);
    nms_free(perm);
    nms_tensor_free(t);
    return rc;
}

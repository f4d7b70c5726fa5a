/* packed_out.c - format argument and packed-matrix output of the CLI (see
 * packed_out.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/packed_out.h"

int cli_pack_format(const char *cmd, const char *format, const char *c_format,
                    const char *symbol, const char *out, nms_format *fmt, int *to_c)
{
    *to_c = strcmp(format, "c") == 0;
    *fmt = NMS_FORMAT_NM;
    if (*to_c) {
        if (c_format && nms_format_parse(c_format, fmt) != NMS_OK)
            return cli_error(CLI_EXIT_USAGE, "%s: unknown --c-format '%s' (cutlass, nm, csr)", cmd,
                             c_format);
        if (cli_has_suffix(out, ".safetensors"))
            return cli_error(CLI_EXIT_USAGE, "%s: --format c writes PREFIX.h and PREFIX.c; "
                                             "-o must be a prefix, not a .safetensors file", cmd);
        return 0;
    }
    if (nms_format_parse(format, fmt) != NMS_OK)
        return cli_error(CLI_EXIT_USAGE, "%s: unknown format '%s' (cutlass, nm, csr, c)", cmd, format);
    if (c_format || symbol)
        return cli_error(CLI_EXIT_USAGE, "%s: --c-format and --symbol apply to --format c only", cmd);
    return 0;
}

int cli_write_packed(const nms_packed *p, const char *out, int to_c, const char *symbol,
                     int quiet)
{
    nms_error err;
    if (to_c ? nms_packed_write_c(p, out, symbol, &err) : nms_packed_write(p, out, &err))
        return cli_fail(&err);
    if (quiet)
        return 0;
    int st_file = cli_has_suffix(out, ".safetensors");
    printf("%s%s: %zu x %zu %s ->", to_c ? "c/" : "", nms_format_name(nms_packed_format(p)),
           nms_packed_rows(p), nms_packed_cols(p), nms_dtype_name(nms_packed_dtype(p)));
    if (to_c)
        printf(" %s.h %s.c", out, out);
    else if (st_file)
        printf(" %s:", out);
    for (size_t i = 0; !to_c && i < nms_packed_count(p); i++) {
        const nms_tensor *part = nms_packed_part(p, i);
        if (st_file)
            printf(" %s", nms_packed_name(p, i));
        else
            printf(" %s.%s.npy", out, nms_packed_name(p, i));
        printf(" (%zu", nms_tensor_dim(part, 0));
        for (int d = 1; d < nms_tensor_ndim(part); d++)
            printf("x%zu", nms_tensor_dim(part, d));
        printf(" %s)", nms_dtype_name(nms_tensor_dtype(part)));
    }
    printf("\n");
    return 0;
}

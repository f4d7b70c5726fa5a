/* main.c - `nmsparse` entry point: global options and subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"

const cli_command cli_commands[] = {
    {"info", cmd_info, "show tensors, shapes, matrix views and 2:4 kept fractions", CMD_INFO_USAGE},
    {"eval", cmd_eval, "evaluate a channel permutation: kept magnitude beside identity", CMD_EVAL_USAGE},
    /* ==== io commands above ==== */
    {"lp", cmd_lp, "solve a linear program from an MPS file", CMD_LP_USAGE},
    /* ==== lp commands above ==== */
    {"permute", cmd_permute, "optimal input-channel permutation for 2:4, with a proven bound", CMD_PERMUTE_USAGE},
    /* ==== part commands above ==== */
    {"prune", cmd_prune, "2:4-prune a tensor or a safetensors model (dense output)", CMD_PRUNE_USAGE},
    /* ==== prune commands above ==== */
    {"pack", cmd_pack, "compress a 2:4 tensor: cutlass, nm, csr or C source", CMD_PACK_USAGE},
    {"unpack", cmd_unpack, "the dense matrix back from a packed format", CMD_UNPACK_USAGE},
    /* ==== emit commands above ==== */
    {"reconstruct", cmd_reconstruct, "2:4 pruning that minimises the layer output error (Gram / Fisher)", CMD_RECONSTRUCT_USAGE},
    /* ==== recon commands above ==== */
    {"model", cmd_model, "whole models: channel specs, plan, apply, shrink (PSP)", CMD_MODEL_USAGE},
    /* ==== structured commands above ==== */
    {NULL, NULL, NULL, NULL}
};

static void print_help(FILE *out)
{
    fputs("Usage: nmsparse COMMAND [ARGS...]\n"
          "       nmsparse --help | --version | help COMMAND\n\n"
          "2:4 structured sparsity for neural-network weights: optimal input-channel\n"
          "permutations with a proven bound, pruning, and compressed formats.\n\n"
          "Commands:\n", out);
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(out, "  %-12s %s\n", c->name, c->summary);
    fputs("\nRun 'nmsparse help COMMAND' for a command's options.\n"
          "Exit status: 0 success, 1 runtime or I/O error, 2 usage error.\n", out);
}

static const cli_command *find_command(const char *name)
{
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        printf("nmsparse %s\n", nms_version());
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "help") == 0) {
        if (argc < 3) {
            print_help(stdout);
            return CLI_EXIT_OK;
        }
        const cli_command *c = find_command(argv[2]);
        if (!c)
            return cli_error(CLI_EXIT_USAGE, "unknown command '%s' (see 'nmsparse --help')", argv[2]);
        fputs(c->usage, stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *c = find_command(first);
    if (!c)
        return cli_error(CLI_EXIT_USAGE, "unknown command '%s' (see 'nmsparse --help')", first);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(c->usage, stdout);
            return CLI_EXIT_OK;
        }
    }
    return c->run(argc - 1, argv + 1);
}

/*
 * commands.h - every subcommand's entry point and usage text.  One
 * cmd_NAME.c file per subcommand implements `int cmd_NAME(int, char **)`.
 */
#ifndef NMS_CLI_COMMANDS_H
#define NMS_CLI_COMMANDS_H

int cmd_info(int argc, char **argv);
#define CMD_INFO_USAGE \
    "Usage: nmsparse info FILE [--tensor NAME] [--layout oi|oihw|hwio]\n\n" \
    "Show the tensors of FILE (.npy or .safetensors): name, dtype, shape, the\n" \
    "matrix view (rows = output channels x kernel positions, columns = input\n" \
    "channels), and for each matrix whose column count is a multiple of 4:\n" \
    "  identity 2:4   fraction of total |w| kept by 2:4 pruning, identity order\n" \
    "  unstructured   fraction kept by the best unstructured 50% per row\n" \
    "                 (an upper bound for any channel permutation)\n\n" \
    "Options:\n" \
    "  --tensor NAME  only this tensor of a safetensors file\n" \
    "  --layout L     oi (2-D [out,in]), oihw (PyTorch, default for 3-D/4-D),\n" \
    "                 hwio (TensorFlow)\n"

int cmd_eval(int argc, char **argv);
#define CMD_EVAL_USAGE \
    "Usage: nmsparse eval FILE --perm PERM [--tensor NAME] [--layout L]\n\n" \
    "Kept magnitude and fraction of the channel permutation in PERM (text, one\n" \
    "0-based original column index per line, in position order) beside the\n" \
    "identity order and the unstructured bound.\n"

/* ==== io commands above ==== */

/* ==== lp commands above ==== */

/* ==== part commands above ==== */

/* ==== prune commands above ==== */

/* ==== emit commands above ==== */

/* ==== recon commands above ==== */

int cmd_model(int argc, char **argv);
#define CMD_MODEL_USAGE \
    "Usage: nmsparse model spec MODEL.safetensors [-o SPEC] [--layout oihw|hwio]\n" \
    "       nmsparse model check MODEL.safetensors --spec SPEC\n" \
    "       nmsparse model plan MODEL.safetensors --spec SPEC -o PLAN.json\n" \
    "                [--time-limit-per-layer S] [--jobs N] [--threads N] [--gap G]\n" \
    "                [--method bp|swap|identity] [--quiet]\n" \
    "       nmsparse model apply MODEL.safetensors --spec SPEC --plan PLAN.json\n" \
    "                -o OUT.safetensors [--prune 2:4]\n" \
    "       nmsparse model shrink MODEL.safetensors --spec SPEC -o OUT.safetensors\n" \
    "                (--threshold T | --ratio R) [--multiple M]\n\n" \
    "Whole models.  A channel spec (docs/channel-spec.md) lists every channel space\n" \
    "of the model and each tensor:axis in it: producers (output axis), bias, scale,\n" \
    "shift, param and alpha (per channel), consumers (input axis).\n\n" \
    "  spec    write a starting spec for a plainly sequential model (check it!)\n" \
    "  check   validate a spec against the model (errors name the spec line)\n" \
    "  plan    per space, find the input-channel permutation of its consumers\n" \
    "          (stacked) that keeps the most magnitude under 2:4, with a proven\n" \
    "          bound; spaces in parallel; a summary table on stdout, progress on\n" \
    "          stderr; PLAN.json holds perm, value, bound, gap, status per space\n" \
    "  apply   permute every tensor of each space alike (the model computes the\n" \
    "          same function); --prune 2:4 then prunes the consumers (two largest\n" \
    "          |w| of each group of 4 input channels, ties to the lower index);\n" \
    "          other tensors and the metadata are copied unchanged\n" \
    "  shrink  structured pruning (PSP): score channels by |alpha| (structure\n" \
    "          parameter) or by the L2 norm of their producers' weights, fold alpha\n" \
    "          into the weights, remove channels scoring <= T (or the fraction R\n" \
    "          lowest) from every tensor of the space; report parameters and\n" \
    "          multiply-adds before and after\n\n" \
    "Options:\n" \
    "  -s, --spec SPEC               the channel spec\n" \
    "  -o, --output FILE             output (spec: default stdout)\n" \
    "  --layout L                    spec: layout of weights with 3+ axes\n" \
    "  --time-limit-per-layer S      plan: seconds per space (default 60; 0 = none)\n" \
    "  -j, --jobs N                  plan: spaces solved at once (default 1)\n" \
    "  --threads N                   plan: solver threads per space (0 = all)\n" \
    "  --gap G                       plan: relative gap to stop at (default 1e-9)\n" \
    "  --method M                    plan: bp (exact, default), swap, identity\n" \
    "  -p, --plan PLAN.json          apply: the plan\n" \
    "  --prune 2:4                   apply: prune consumers after permuting\n" \
    "  -t, --threshold T             shrink: remove channels scoring <= T\n" \
    "  -r, --ratio R                 shrink: remove the fraction R lowest-scored\n" \
    "  -m, --multiple M              shrink: keep a multiple of M channels per space\n" \
    "Outputs are written to a temporary file and renamed: never half-written.\n"

/* ==== structured commands above ==== */


#endif /* NMS_CLI_COMMANDS_H */

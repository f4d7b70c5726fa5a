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

int cmd_prune(int argc, char **argv);
#define CMD_PRUNE_USAGE \
    "Usage: nmsparse prune FILE -o OUT [--perm PERM [--original-order]] [--mask MASK]\n" \
    "                      [--tensor NAME ...] [--min-size N] [--layout L]\n" \
    "                      [--variant V] [--dtype bf16] [-q]\n\n" \
    "2:4-prune the weights in FILE (.npy or .safetensors) and write the pruned dense\n" \
    "tensor(s) to OUT (.npy or .safetensors, by extension) in the input's dtype and\n" \
    "layout: in every group of 4 consecutive input channels of every row, the 2\n" \
    "largest |w| are kept (ties to the lower position, -0.0 as zero, so an all-zero\n" \
    "group keeps positions 0 and 1); the others become +0.  NaN is an error naming\n" \
    "its row and column.  Element types: F32, F16, BF16, I8 (|-128| = 128).\n\n" \
    "A safetensors model: the tensors named by --tensor, or else every 2-D and 4-D\n" \
    "F32/F16/BF16/I8 tensor with at least --min-size elements whose input channels\n" \
    "are a multiple of 4, are pruned; every other tensor and the metadata are copied\n" \
    "unchanged.  OUT is written atomically (never half-written).\n\n" \
    "Options:\n" \
    "  -o, --output OUT   output file (.npy needs exactly one pruned tensor)\n" \
    "  --perm PERM        input-channel permutation (text, one 0-based original\n" \
    "                     column per line): groups are formed in permuted order and\n" \
    "                     OUT has its input channels in that order (as deployed)\n" \
    "  --original-order   with --perm: apply the same mask but keep the original\n" \
    "                     column order in OUT\n" \
    "  --mask MASK        also write the 0/1 keep mask (uint8, shape and order of\n" \
    "                     OUT); .npy, or .safetensors with one mask per tensor\n" \
    "  --tensor NAME      prune this tensor of a safetensors file (repeatable)\n" \
    "  --min-size N       smallest tensor pruned automatically (default 1024)\n" \
    "  --layout L         oi (2-D [out,in]), oihw (PyTorch, default for 4-D),\n" \
    "                     hwio (TensorFlow)\n" \
    "  --variant V        kernel: auto (default), scalar, sse4.1, avx2, avx512, neon\n" \
    "                     (also the environment variable NMS_PRUNE_VARIANT)\n" \
    "  --dtype bf16       read a uint16 .npy as bfloat16 bit patterns (written back\n" \
    "                     as uint16 to .npy, as BF16 to safetensors)\n" \
    "  -q, --quiet        no summary on stdout\n"

/* ==== prune commands above ==== */

/* ==== emit commands above ==== */

/* ==== recon commands above ==== */

/* ==== structured commands above ==== */


#endif /* NMS_CLI_COMMANDS_H */

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

int cmd_reconstruct(int argc, char **argv);
#define CMD_RECONSTRUCT_USAGE \
    "Usage: nmsparse reconstruct W (--gram H.npy | --fisher G.npy) [--method M]\n" \
    "         [--damp D] [--perm PERM] [--tensor NAME] [--layout L] [-o OUT]\n" \
    "         [--mask MASK] [--input-mask M] [--report R.json]\n\n" \
    "Prune W (.npy or .safetensors) to 2:4 so that the layer output error\n" \
    "E = tr((W - W^) H (W - W^)^T) is small, updating the surviving weights, and\n" \
    "print the relative error E / tr(W H W^T) of the method and of magnitude\n" \
    "pruning on the same input.\n\n" \
    "  --gram H.npy     H = X^T X of the layer's calibration inputs, [in, in]\n" \
    "                   (conv: [in, in] treats kernel positions separately, or\n" \
    "                   [K*in, K*in] with index k*in + i, k the kernel position)\n" \
    "  --fisher G.npy   per-sample gradients [n, out*in] (H = G^T G / n, never\n" \
    "                   formed)\n" \
    "  --method M       magnitude | wanda (|w| sqrt(H_jj)) | backsolve (Wanda mask,\n" \
    "                   exact optimal weights) | obs (SparseGPT sweep + backsolve,\n" \
    "                   --gram only) | iht (default: IHT + exact swap search)\n" \
    "  --damp D         add D * mean(diag H) to the diagonal (default 0.01)\n" \
    "  --perm PERM      permutation of the input channels (groups of 4 follow it);\n" \
    "                   outputs stay in the original channel order\n" \
    "  --tensor NAME    the tensor of a safetensors file\n" \
    "  --layout L       oi, oihw (default for 3-D/4-D), hwio\n" \
    "  -o OUT           pruned, updated weights (.npy or .safetensors, float32,\n" \
    "                   the shape of W)\n" \
    "  --mask MASK      the 2:4 mask (bool, the shape of W)\n" \
    "  --input-mask M   with --method backsolve: refit this mask (non-zero = kept)\n" \
    "  --report R.json  the numbers as JSON\n" \
    "  --iht-iters N, --iht-rounds N, --swap-limit N   iht effort (10, 1, 256)\n"

/* ==== recon commands above ==== */

/* ==== structured commands above ==== */


#endif /* NMS_CLI_COMMANDS_H */

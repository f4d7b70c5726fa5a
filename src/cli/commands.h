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

int cmd_pack(int argc, char **argv);
#define CMD_PACK_USAGE \
    "Usage: nmsparse pack FILE --format cutlass|nm|csr|c -o PREFIX [options]\n\n" \
    "Compress a weight tensor that is already 2:4 sparse (see 'nmsparse prune').\n" \
    "A group of 4 with more than two nonzeros is refused, naming its row and group.\n" \
    "FILE is .npy or .safetensors; the matrix view has the input channels as columns.\n\n" \
    "Formats and outputs:\n" \
    "  cutlass  PREFIX.values.npy (m x k/2, input dtype; bf16 as uint16 bits) and\n" \
    "           PREFIX.meta.npy (m x nc int16 words, int32 for int8, CUTLASS reordered\n" \
    "           storage order).  fp16/bf16 need m%32 = 0, k%64 = 0; int8 m%16, k%128;\n" \
    "           fp32 is 1:2 (one nonzero per column pair), m%32, k%32.\n" \
    "  nm       PREFIX.values.npy (m x k/2) and PREFIX.meta.npy (uint8, m x ceil(k/8),\n" \
    "           meta[r][b] = code(2b) | code(2b+1) << 4, code = i0 | i1 << 2).\n" \
    "  csr      PREFIX.indptr.npy, PREFIX.indices.npy, PREFIX.data.npy and\n" \
    "           PREFIX.shape.npy (int64 {m, k}); any matrix, zeros not stored.\n" \
    "  c        PREFIX.h and PREFIX.c: static const arrays of the --c-format layout\n" \
    "           (default nm), shape macros, alignment; strict C99.\n" \
    "With -o NAME.safetensors (cutlass, nm, csr) all parts go into that one file as\n" \
    "tensors named values, meta, ... (bf16 values as BF16).  With --perm, the part\n" \
    "'perm' (PREFIX.perm.npy, int32) is written too.  Outputs appear all or none.\n\n" \
    "Options:\n" \
    "  -f, --format F    cutlass, nm, csr or c\n" \
    "  -o, --output P    output prefix (or .safetensors file)\n" \
    "  --dtype D         take the elements as D (same size): bf16 for uint16 .npy\n" \
    "                    holding bfloat16 bit patterns\n" \
    "  --perm PERM       permute the columns first (column j = original column\n" \
    "                    PERM[j]); the permuted matrix must be 2:4\n" \
    "  --tensor NAME     the tensor of a .safetensors FILE\n" \
    "  --layout L        oi, oihw (default for 3-D/4-D) or hwio\n" \
    "  --c-format F      layout inside the C source: nm (default), cutlass, csr\n" \
    "  --symbol NAME     C identifier of the descriptor (default: from PREFIX)\n"

int cmd_unpack(int argc, char **argv);
#define CMD_UNPACK_USAGE \
    "Usage: nmsparse unpack PREFIX --format cutlass|nm|csr|c -o OUT [options]\n\n" \
    "Rebuild the dense matrix from what 'nmsparse pack' wrote under PREFIX (or from\n" \
    "the .safetensors file PREFIX) and write it to OUT (.npy, or .safetensors as the\n" \
    "tensor 'weight').  Every stored value comes back bit for bit; zeros the format\n" \
    "does not store come back as +0.  With a stored permutation the original column\n" \
    "order is restored.  The output is the rows x cols matrix, or with --shape the\n" \
    "tensor of that shape (e.g. a 4-D conv kernel) whose matrix view it is.\n" \
    "Matrix shapes come from the parts: k = 2 x values columns\n" \
    "(cutlass, nm), the shape part (csr), the first line of PREFIX.c (c).\n\n" \
    "Options:\n" \
    "  -f, --format F    cutlass, nm, csr or c\n" \
    "  -o, --output OUT  .npy (bf16 written as uint16 bits) or .safetensors\n" \
    "  --dtype D         take the stored values as D (e.g. bf16 for uint16 nm/csr\n" \
    "                    values; cutlass uint16 values are bf16 already)\n" \
    "  --tensor NAME     tensor name in a .safetensors OUT (default weight)\n" \
    "  --shape DIMS      write a tensor of this shape, e.g. 64x32x3x3\n" \
    "  --layout L        its layout: oi, oihw (default for 3-D/4-D) or hwio\n"

/* ==== emit commands above ==== */

/* ==== recon commands above ==== */

/* ==== structured commands above ==== */


#endif /* NMS_CLI_COMMANDS_H */

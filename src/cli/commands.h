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

int cmd_lp(int argc, char **argv);
#define CMD_LP_USAGE \
    "Usage: nmsparse lp FILE.mps [--max] [--primal|--dual] [--time-limit S]\n" \
    "                   [--iteration-limit N] [--no-scaling] [--primal-tol T]\n" \
    "                   [--dual-tol T] [-q] [-o SOLUTION]\n\n" \
    "Solve the linear program in FILE (MPS, fixed or free format, .gz when built\n" \
    "with zlib) with nmsparse's own simplex and print its status, objective\n" \
    "(full precision, including the objective constant: an RHS value r on the\n" \
    "objective row adds the constant +r, as glpsol does), iterations and solve\n" \
    "time.\n\n" \
    "Options:\n" \
    "  --max                maximise (default: minimise, or OBJSENSE of the file)\n" \
    "  --primal / --dual    algorithm (default: dual when the start is primal\n" \
    "                       infeasible, primal otherwise)\n" \
    "  --time-limit S       stop after S seconds (status 'time limit')\n" \
    "  --iteration-limit N  stop after N iterations\n" \
    "  --no-scaling         solve the unscaled problem\n" \
    "  --primal-tol T       primal feasibility tolerance (scaled; default 1e-7)\n" \
    "  --dual-tol T         dual feasibility tolerance (scaled; default 1e-9)\n" \
    "  -q, --quiet          print only status, objective, iterations, time\n" \
    "  -o, --output FILE    write the solution: status, objective, then per column\n" \
    "                       'name value reduced_cost' and per row\n" \
    "                       'name activity dual'\n" \
    "Exit status 0 whenever the solver ran (whatever the LP status).\n"

/* ==== lp commands above ==== */

int cmd_permute(int argc, char **argv);
#define CMD_PERMUTE_USAGE \
    "Usage: nmsparse permute FILE [--tensor NAME ...] [--layout L] [-o PERM]\n" \
    "                [--report REPORT.json] [--time-limit S] [--gap G] [--threads N]\n" \
    "                [--method bp|swap|identity] [--score S.npy] [--quiet]\n\n" \
    "Find a permutation of the input channels (columns of the matrix view) that\n" \
    "keeps the most magnitude under 2:4 pruning, with a proven upper bound on what\n" \
    "any permutation can keep.  Method bp (default): heuristics, column generation\n" \
    "on the set-partitioning LP, and an exact branch-and-price that proves\n" \
    "optimality (to the gap tolerance) when it finishes; above 128 channels only\n" \
    "the heuristics run (local search, exact re-optimisation of windows of 4\n" \
    "groups, and refills of all groups at once by linear assignment; bound:\n" \
    "unstructured), unless --time-limit gives the time for the rest\n" \
    "(Lagrangian / LP bound, then the search).  When the groups the proof needs\n" \
    "are too many to hold, the search runs over the best of them and the bound\n" \
    "says what that leaves open.  swap: the classic best-improving channel-swap\n" \
    "search.  identity: no permutation.\n\n" \
    "Progress goes to stderr: a line when the value or the bound improves and\n" \
    "every few seconds.  Ctrl-C stops the search; the best permutation so far is\n" \
    "written with its certificate (status interrupted).\n\n" \
    "Options:\n" \
    "  --tensor NAME     tensor of a safetensors file; several tensors sharing input\n" \
    "                    channels (e.g. q, k, v) are stacked into one problem\n" \
    "  --layout L        oi, oihw (PyTorch, default for 4-D), hwio (TensorFlow)\n" \
    "  -o, --output PERM write the permutation (one original column per line)\n" \
    "  --report FILE     JSON report: status, value, bound, bound_kind, gap,\n" \
    "                    identity_value, unstructured_bound, seconds, nodes,\n" \
    "                    columns, pricing_rounds, threads, rows, cols, perm\n" \
    "  --time-limit S    stop after S seconds (default: none)\n" \
    "  --gap G           relative gap to stop at (default 1e-9: prove optimal)\n" \
    "  --threads N       OpenMP threads (default 0 = all); results do not depend on it\n" \
    "  --method M        bp (default), swap or identity\n" \
    "  --score S.npy     nonnegative importance matrix (same matrix shape) used\n" \
    "                    instead of |W|\n" \
    "  -q, --quiet       no progress lines\n\n" \
    "Status: optimal (gap <= 1e-9), gap_limit, time_limit, interrupted, heuristic\n" \
    "(no proof attempted).  Bound kinds: unstructured, lagrangian, lp, search.\n"

/* ==== part commands above ==== */

int cmd_prune(int argc, char **argv);
#define CMD_PRUNE_USAGE \
    "Usage: nmsparse prune FILE -o OUT [--perm PERM [--original-order]] [--mask MASK]\n" \
    "                      [--tensor NAME ...] [--min-size N] [--layout L]\n" \
    "                      [--pattern 2:4|1:2] [--variant V] [--dtype bf16] [-q]\n" \
    "       nmsparse prune FILE --format cutlass|nm|csr|c -o PREFIX [--perm PERM]\n" \
    "                      [--tensor NAME] [--layout L] [--pattern P] [--variant V]\n" \
    "                      [--dtype bf16] [--c-format F] [--symbol NAME] [-q]\n\n" \
    "2:4-prune the weights in FILE (.npy or .safetensors) and write the pruned dense\n" \
    "tensor(s) to OUT (.npy or .safetensors, by extension) in the input's dtype and\n" \
    "layout: in every group of 4 consecutive input channels of every row, the 2\n" \
    "largest |w| are kept (ties to the lower position, -0.0 as zero, so an all-zero\n" \
    "group keeps positions 0 and 1); the others become +0.  NaN is an error naming\n" \
    "its row and column.  Element types: F32, F16, BF16, I8 (|-128| = 128).\n" \
    "With --pattern 1:2, one of each aligned column pair is kept instead (the\n" \
    "larger |w|, ties to the lower position): the fp32 (TF32) CUTLASS pattern.\n\n" \
    "A safetensors model: the tensors named by --tensor, or else every 2-D and 4-D\n" \
    "F32/F16/BF16/I8 tensor with at least --min-size elements whose input channels\n" \
    "are a multiple of 4, are pruned; every other tensor and the metadata are copied\n" \
    "unchanged.  OUT is written atomically (never half-written).\n\n" \
    "With --format, prune one tensor and pack it in the same pass, writing what\n" \
    "'nmsparse pack --format F' writes (PREFIX.values.npy, PREFIX.meta.npy, ...; one\n" \
    "NAME.safetensors; or PREFIX.h / PREFIX.c), byte for byte the same as 'prune\n" \
    "--original-order' followed by 'pack --perm' with the same permutation (the\n" \
    "part 'perm' records it).  cutlass of fp32 needs --pattern 1:2.\n\n" \
    "Options:\n" \
    "  -o, --output OUT   output file (.npy needs exactly one pruned tensor), or\n" \
    "                     the output PREFIX with --format\n" \
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
    "  --pattern P        2:4 (default) or 1:2\n" \
    "  -f, --format F     prune and pack: cutlass, nm, csr or c (see 'nmsparse help\n" \
    "                     pack' for the files)\n" \
    "  --c-format F       with --format c: layout inside the C source (default nm)\n" \
    "  --symbol NAME      with --format c: C identifier of the descriptor\n" \
    "  --variant V        kernel: auto (default), scalar, sse4.1, avx2, avx512, neon\n" \
    "                     (also the environment variable NMS_PRUNE_VARIANT)\n" \
    "  --dtype bf16       read a uint16 .npy as bfloat16 bit patterns (written back\n" \
    "                     as uint16 to .npy, as BF16 to safetensors)\n" \
    "  -q, --quiet        no summary on stdout\n"

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
    "           fp32 is 1:2 (one nonzero per column pair; 'prune --pattern 1:2'\n" \
    "           makes one), m%32, k%32.\n" \
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
    "  --symbol NAME     C identifier of the descriptor (default: from PREFIX)\n" \
    "  -q, --quiet       no summary line on stdout\n"

int cmd_unpack(int argc, char **argv);
#define CMD_UNPACK_USAGE \
    "Usage: nmsparse unpack PREFIX --format cutlass|nm|csr|c -o OUT [options]\n\n" \
    "Rebuild the dense matrix from what 'nmsparse pack' wrote under PREFIX (or from\n" \
    "the .safetensors file PREFIX) and write it to OUT (.npy, or .safetensors as the\n" \
    "tensor 'weight').  Every stored value comes back bit for bit; zeros the format\n" \
    "does not store come back as +0.  With a stored permutation the original column\n" \
    "order is restored.  The output is the rows x cols matrix, or with --shape the\n" \
    "tensor of that shape (e.g. a 4-D conv kernel) whose matrix view it is.\n" \
    "The matrix shape comes from the parts: k = 2 x values columns (cutlass,\n" \
    "nm), the shape part (csr), the first line of PREFIX.c (c).\n\n" \
    "Options:\n" \
    "  -f, --format F    cutlass, nm, csr or c\n" \
    "  -o, --output OUT  .npy (bf16 written as uint16 bits) or .safetensors\n" \
    "  --dtype D         take the stored values as D (e.g. bf16 for uint16 nm/csr\n" \
    "                    values; cutlass uint16 values are bf16 already)\n" \
    "  --tensor NAME     tensor name in a .safetensors OUT (default weight)\n" \
    "  --shape DIMS      write a tensor of this shape, e.g. 64x32x3x3\n" \
    "  --layout L        its layout: oi, oihw (default for 3-D/4-D) or hwio\n"

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
    "                (--threshold T | --ratio R) [--multiple M] [--spec-out SPEC]\n\n" \
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
    "  -j, --jobs N                  plan: spaces solved at once (default 1; each\n" \
    "                                then runs on one thread: for many small spaces)\n" \
    "  --threads N                   plan: solver threads per space (0 = all)\n" \
    "  --gap G                       plan: relative gap to stop at (default 1e-9)\n" \
    "  --method M                    plan: bp (exact, default), swap, identity\n" \
    "  -p, --plan PLAN.json          apply: the plan\n" \
    "  --prune 2:4                   apply: prune consumers after permuting\n" \
    "  -t, --threshold T             shrink: remove channels scoring <= T\n" \
    "  -r, --ratio R                 shrink: remove the fraction R lowest-scored\n" \
    "  -m, --multiple M              shrink: keep a multiple of M channels per space\n" \
    "  --spec-out SPEC               shrink: also write the spec with the new counts\n" \
    "Outputs are written to a temporary file and renamed: never half-written.\n"

/* ==== structured commands above ==== */


#endif /* NMS_CLI_COMMANDS_H */

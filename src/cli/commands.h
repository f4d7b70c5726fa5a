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

/* ==== part commands above ==== */

/* ==== prune commands above ==== */

/* ==== emit commands above ==== */

/* ==== recon commands above ==== */

/* ==== structured commands above ==== */


#endif /* NMS_CLI_COMMANDS_H */

/*
 * cli.h - shared pieces of the nmsparse command line: the subcommand
 * signature, option parsing, and error reporting conventions.
 *
 * Exit codes: 0 success; 1 runtime / I/O error; 2 usage error.  Messages go to
 * stderr as "nmsparse: message".  Subcommands only parse options and call
 * the library; no solver logic lives here.
 */
#ifndef NMS_CLI_H
#define NMS_CLI_H

#include <stdio.h>

#include "nmsparse.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_RUNTIME 1
#define CLI_EXIT_USAGE 2

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    const char *summary;               /* one line for `nmsparse --help` */
    const char *usage;                 /* full text for `nmsparse help CMD` */
} cli_command;

/* The table of subcommands, NULL-terminated (main.c). */
extern const cli_command cli_commands[];

/* Option table for cli_parse().  `value` receives the argument of options
 * with has_arg, or "1" for flags.  Repeated options: the callback, if set,
 * is called for every occurrence (for lists such as --tensor A --tensor B);
 * otherwise the last occurrence wins. */
typedef struct cli_option {
    const char *long_name;  /* without "--" */
    char short_name;        /* 0 if none */
    int has_arg;
    const char **value;
    int (*on_each)(const char *arg, void *ctx);
    void *ctx;
} cli_option;

/* Parse argv[1..argc-1] (argv[0] is the command).  Positional arguments are
 * collected into positional[] (at most max_positional, in order) and counted
 * in *n_positional.  "--opt=value", "--opt value", "-o value", "--" work.
 * Returns 0, or prints "nmsparse CMD: ..." and returns CLI_EXIT_USAGE. */
int cli_parse(int argc, char **argv, const cli_option *options,
              const char **positional, int max_positional, int *n_positional);

/* Print "nmsparse: <text>" for a library error; returns CLI_EXIT_RUNTIME. */
int cli_fail(const nms_error *err);
/* Print "nmsparse: <formatted>" and return `code`. */
int cli_error(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parse numbers strictly (whole string, range); print a usage error naming
 * the option on failure and return CLI_EXIT_USAGE, else 0. */
int cli_parse_double(const char *option, const char *text, double min,
                     double max, double *out);
int cli_parse_long(const char *option, const char *text, long min, long max,
                   long *out);

/* Does `path` end with `suffix` (case-insensitive)? */
int cli_has_suffix(const char *path, const char *suffix);

/* Load a tensor in its own dtype: FILE is .npy, or .safetensors with `name`
 * naming the tensor (NULL when the file holds exactly one).  Returns a
 * library status and fills err (messages name the file). */
int cli_load_tensor(const char *path, const char *name, nms_tensor **out,
                    nms_error *err);
/* Report a cli_load_tensor failure: a file of several tensors with none
 * named is a usage error (exit 2), anything else a runtime error (exit 1). */
int cli_fail_load(const nms_error *err);

/* Load the matrix view of a weight tensor: FILE is .npy or .safetensors (then
 * `tensor` names the tensor; NULL is allowed when the file holds exactly one).
 * `layout` NULL = auto.  On failure prints the error and returns non-zero
 * (an exit code). */
int cli_load_matrix(const char *path, const char *tensor, const char *layout,
                    nms_tensor **matrix);

#endif /* NMS_CLI_H */

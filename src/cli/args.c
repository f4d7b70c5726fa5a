/* args.c - a small, portable long-option parser for the subcommands. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    fputs("nmsparse: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

int cli_fail(const nms_error *err)
{
    return cli_error(CLI_EXIT_RUNTIME, "%s", err->text[0] ? err->text : nms_strerror(err->status));
}

static const cli_option *find_long(const cli_option *options, const char *name, size_t len)
{
    for (const cli_option *o = options; o && o->long_name; o++)
        if (strlen(o->long_name) == len && strncmp(o->long_name, name, len) == 0)
            return o;
    return NULL;
}

static const cli_option *find_short(const cli_option *options, char c)
{
    for (const cli_option *o = options; o && o->long_name; o++)
        if (o->short_name == c)
            return o;
    return NULL;
}

static int store(const char *cmd, const cli_option *o, const char *arg)
{
    if (o->on_each) {
        if (o->on_each(arg, o->ctx) != 0)
            return cli_error(CLI_EXIT_USAGE, "%s: bad value '%s' for --%s", cmd, arg, o->long_name);
    }
    if (o->value)
        *o->value = arg;
    return 0;
}

int cli_parse(int argc, char **argv, const cli_option *options,
              const char **positional, int max_positional, int *n_positional)
{
    const char *cmd = argv[0];
    int npos = 0, only_positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const cli_option *o = NULL;
        const char *arg = NULL;
        if (only_positional || a[0] != '-' || a[1] == '\0') {
            if (npos >= max_positional)
                return cli_error(CLI_EXIT_USAGE, "%s: unexpected argument '%s' (try 'nmsparse help %s')", cmd, a, cmd);
            positional[npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            o = find_long(options, name, len);
            if (!o)
                return cli_error(CLI_EXIT_USAGE, "%s: unknown option '--%.*s' (try 'nmsparse help %s')", cmd, (int)len, name, cmd);
            if (eq) {
                if (!o->has_arg)
                    return cli_error(CLI_EXIT_USAGE, "%s: option --%s takes no value", cmd, o->long_name);
                arg = eq + 1;
            }
        } else {
            o = find_short(options, a[1]);
            if (!o)
                return cli_error(CLI_EXIT_USAGE, "%s: unknown option '-%c' (try 'nmsparse help %s')", cmd, a[1], cmd);
            if (a[2] != '\0') {
                if (!o->has_arg)
                    return cli_error(CLI_EXIT_USAGE, "%s: option -%c takes no value", cmd, a[1]);
                arg = a + 2;
            }
        }
        if (o->has_arg && !arg) {
            if (i + 1 >= argc)
                return cli_error(CLI_EXIT_USAGE, "%s: option --%s needs a value", cmd, o->long_name);
            arg = argv[++i];
        }
        if (!o->has_arg)
            arg = "1";
        if (store(cmd, o, arg))
            return CLI_EXIT_USAGE;
    }
    *n_positional = npos;
    return 0;
}

int cli_parse_double(const char *option, const char *text, double min,
                     double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || isnan(v) || v < min || v > max)
        return cli_error(CLI_EXIT_USAGE, "bad value '%s' for %s (expected a number in [%g, %g])", text, option, min, max);
    *out = v;
    return 0;
}

int cli_parse_long(const char *option, const char *text, long min, long max,
                   long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || v < min || v > max)
        return cli_error(CLI_EXIT_USAGE, "bad value '%s' for %s (expected an integer in [%ld, %ld])", text, option, min, max);
    *out = v;
    return 0;
}

int cli_has_suffix(const char *path, const char *suffix)
{
    size_t n = strlen(path), m = strlen(suffix);
    return n >= m && strcasecmp(path + n - m, suffix) == 0;
}

/* cmd_model.c - `nmsparse model spec|check|plan|apply|shrink`: whole models.
 * Options and wiring only; the work is in src/structured. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "io/atomic_file.h"

/* Run a subcommand's option parser with argv[0] = "model SUB" so that
 * messages name the full command. */
static int parse_sub(int argc, char **argv, const char *sub, const cli_option *options,
                     const char **pos, int max_pos, int *npos)
{
    char name[64];
    snprintf(name, sizeof name, "model %s", sub);
    char *saved = argv[0];
    argv[0] = name;
    int rc = cli_parse(argc, argv, options, pos, max_pos, npos);
    argv[0] = saved;
    return rc;
}

static int need(const char *value, const char *what, const char *sub)
{
    if (!value || !*value)
        return cli_error(CLI_EXIT_USAGE, "model %s: %s is required (try 'nmsparse help model')", sub, what);
    return 0;
}

static int load_spec(const char *path, nms_channel_spec **spec)
{
    nms_error err;
    if (nms_spec_read(path, spec, &err) != NMS_OK)
        return cli_fail(&err);
    return 0;
}

static int put_text(FILE *f, void *text)
{
    return fputs(text, f) >= 0 ? 0 : -1;
}

/* Write text to path atomically (never half-written). */
static int write_text(const char *path, const char *text, const char *what)
{
    nms_error err;
    if (nms__write_file_atomic(path, put_text, (void *)text, &err) != NMS_OK)
        return cli_error(CLI_EXIT_RUNTIME, "%s: cannot write the %s: %s", path, what, err.text);
    return CLI_EXIT_OK;
}

/* ---- spec ---- */

static int model_spec(int argc, char **argv)
{
    const char *out = NULL, *layout_name = NULL, *pos[1];
    int npos = 0;
    cli_option opts[] = {
        {"output", 'o', 1, &out, NULL, NULL},
        {"layout", 0, 1, &layout_name, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    if (parse_sub(argc, argv, "spec", opts, pos, 1, &npos))
        return CLI_EXIT_USAGE;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "model spec: expected one MODEL.safetensors (try 'nmsparse help model')");
    nms_layout layout = NMS_LAYOUT_AUTO;
    if (layout_name) {
        if (strcmp(layout_name, "oihw") == 0)
            layout = NMS_LAYOUT_OIHW;
        else if (strcmp(layout_name, "hwio") == 0)
            layout = NMS_LAYOUT_HWIO;
        else
            return cli_error(CLI_EXIT_USAGE, "model spec: --layout must be oihw or hwio, not '%s'", layout_name);
    }
    nms_error err;
    char *text = NULL;
    if (nms_spec_guess(pos[0], layout, &text, &err) != NMS_OK)
        return cli_fail(&err);
    int rc = CLI_EXIT_OK;
    if (!out || strcmp(out, "-") == 0) {
        fputs(text, stdout);
    } else {
        rc = write_text(out, text, "spec");
    }
    nms_free(text);
    return rc;
}

/* ---- check ---- */

static int model_check(int argc, char **argv)
{
    const char *spec_path = NULL, *pos[1];
    int npos = 0;
    cli_option opts[] = {
        {"spec", 's', 1, &spec_path, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    if (parse_sub(argc, argv, "check", opts, pos, 1, &npos))
        return CLI_EXIT_USAGE;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "model check: expected one MODEL.safetensors");
    if (need(spec_path, "--spec SPEC", "check"))
        return CLI_EXIT_USAGE;
    nms_channel_spec *spec;
    if (load_spec(spec_path, &spec))
        return CLI_EXIT_RUNTIME;
    nms_error err;
    int rc = CLI_EXIT_OK;
    if (nms_spec_validate(spec, pos[0], &err) != NMS_OK) {
        rc = cli_fail(&err);
    } else {
        size_t n = nms_spec_space_count(spec);
        printf("%s: %zu channel space%s, all consistent with %s\n", spec_path, n, n == 1 ? "" : "s", pos[0]);
    }
    nms_spec_free(spec);
    return rc;
}

/* ---- plan ---- */

static volatile sig_atomic_t interrupted;
static volatile int interrupt_flag;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
    interrupt_flag = 1;
}

typedef struct bar_state {
    int tty, quiet;
} bar_state;

static void plan_progress(size_t done, size_t total, const char *space, void *ctx)
{
    const bar_state *bar = ctx;
    if (bar->quiet)
        return;
    if (bar->tty) {
        char cells[31];
        size_t filled = total ? done * 30 / total : 30;
        for (size_t i = 0; i < 30; i++)
            cells[i] = i < filled ? '#' : '.';
        cells[30] = '\0';
        fprintf(stderr, "\r[%s] %zu/%zu spaces (%s done)\033[K%s", cells, done, total, space,
                done == total ? "\n" : "");
    } else {
        fprintf(stderr, "model plan: %zu/%zu spaces, %s done\n", done, total, space);
    }
    fflush(stderr);
}

static void print_plan_table(const nms_model_plan *plan)
{
    size_t n = nms_model_plan_count(plan);
    size_t w = 5;
    for (size_t i = 0; i < n; i++) {
        nms_space_plan sp;
        if (nms_model_plan_get(plan, i, &sp, NULL) == NMS_OK && strlen(sp.space) > w)
            w = strlen(sp.space);
    }
    printf("%-*s %9s %6s %16s %16s %16s %10s %8s  %s\n", (int)w, "space", "consumers", "C", "identity",
           "value", "bound", "gap", "seconds", "status");
    double tv = 0, tb = 0, ti = 0;
    for (size_t i = 0; i < n; i++) {
        nms_space_plan sp;
        if (nms_model_plan_get(plan, i, &sp, NULL) != NMS_OK)
            continue;
        printf("%-*s %9zu %6zu %16.6f %16.6f %16.6f %10.3e %8.2f  %s\n", (int)w, sp.space, sp.consumers,
               sp.channels, sp.identity_value, sp.value, sp.bound, sp.gap, sp.seconds, sp.status);
        tv += sp.value;
        tb += sp.bound;
        ti += sp.identity_value;
    }
    printf("%-*s %9s %6s %16.6f %16.6f %16.6f %10.3e\n", (int)w, "total", "", "", ti, tv, tb,
           tv > 0 ? (tb - tv) / tv : 0.0);
}

static int model_plan(int argc, char **argv)
{
    const char *spec_path = NULL, *out = NULL, *tl = NULL, *jobs_s = NULL, *threads_s = NULL,
               *gap_s = NULL, *method = NULL, *quiet = NULL, *pos[1];
    int npos = 0;
    cli_option opts[] = {
        {"spec", 's', 1, &spec_path, NULL, NULL},
        {"output", 'o', 1, &out, NULL, NULL},
        {"time-limit-per-layer", 0, 1, &tl, NULL, NULL},
        {"jobs", 'j', 1, &jobs_s, NULL, NULL},
        {"threads", 0, 1, &threads_s, NULL, NULL},
        {"gap", 0, 1, &gap_s, NULL, NULL},
        {"method", 0, 1, &method, NULL, NULL},
        {"quiet", 'q', 0, &quiet, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    if (parse_sub(argc, argv, "plan", opts, pos, 1, &npos))
        return CLI_EXIT_USAGE;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "model plan: expected one MODEL.safetensors");
    if (need(spec_path, "--spec SPEC", "plan") || need(out, "-o PLAN.json", "plan"))
        return CLI_EXIT_USAGE;
    nms_model_plan_options opt;
    nms_model_plan_options_init(&opt);
    long v;
    if (tl && cli_parse_double("--time-limit-per-layer", tl, 0, 1e9, &opt.time_limit_per_space))
        return CLI_EXIT_USAGE;
    if (jobs_s) {
        if (cli_parse_long("--jobs", jobs_s, 1, 1024, &v))
            return CLI_EXIT_USAGE;
        opt.jobs = (int)v;
    }
    if (threads_s) {
        if (cli_parse_long("--threads", threads_s, 0, 1024, &v))
            return CLI_EXIT_USAGE;
        opt.threads = (int)v;
    }
    if (gap_s && cli_parse_double("--gap", gap_s, 0, 1, &opt.gap))
        return CLI_EXIT_USAGE;
    if (method) {
        if (strcmp(method, "bp") != 0 && strcmp(method, "swap") != 0 && strcmp(method, "identity") != 0)
            return cli_error(CLI_EXIT_USAGE, "model plan: --method must be bp, swap or identity, not '%s'", method);
        opt.method = method;
    }
    bar_state bar = {isatty(STDERR_FILENO), quiet != NULL};
    opt.progress = plan_progress;
    opt.progress_ctx = &bar;
    opt.interrupt = &interrupt_flag;

    nms_channel_spec *spec;
    if (load_spec(spec_path, &spec))
        return CLI_EXIT_RUNTIME;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, &old);
    nms_error err;
    nms_model_plan *plan = NULL;
    int rc = CLI_EXIT_OK;
    if (nms_model_plan_solve(pos[0], spec, &opt, &plan, &err) != NMS_OK)
        rc = cli_fail(&err);
    sigaction(SIGINT, &old, NULL);
    if (rc == CLI_EXIT_OK && nms_model_plan_write(plan, out, &err) != NMS_OK)
        rc = cli_fail(&err);
    if (rc == CLI_EXIT_OK) {
        print_plan_table(plan);
        if (interrupted)
            fprintf(stderr, "nmsparse: interrupted: %s holds the best permutations found so far\n", out);
    }
    nms_model_plan_free(plan);
    nms_spec_free(spec);
    return rc;
}

/* ---- apply ---- */

static int model_apply(int argc, char **argv)
{
    const char *spec_path = NULL, *plan_path = NULL, *out = NULL, *prune = NULL, *pos[1];
    int npos = 0;
    cli_option opts[] = {
        {"spec", 's', 1, &spec_path, NULL, NULL},
        {"plan", 'p', 1, &plan_path, NULL, NULL},
        {"output", 'o', 1, &out, NULL, NULL},
        {"prune", 0, 1, &prune, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    if (parse_sub(argc, argv, "apply", opts, pos, 1, &npos))
        return CLI_EXIT_USAGE;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "model apply: expected one MODEL.safetensors");
    if (need(spec_path, "--spec SPEC", "apply") || need(plan_path, "--plan PLAN.json", "apply") ||
        need(out, "-o OUT.safetensors", "apply"))
        return CLI_EXIT_USAGE;
    nms_model_apply_options opt = {0};
    if (prune) {
        if (strcmp(prune, "2:4") != 0)
            return cli_error(CLI_EXIT_USAGE, "model apply: --prune supports 2:4 only, not '%s'", prune);
        opt.prune_24 = 1;
    }
    nms_channel_spec *spec;
    if (load_spec(spec_path, &spec))
        return CLI_EXIT_RUNTIME;
    nms_error err;
    nms_model_plan *plan = NULL;
    int rc = CLI_EXIT_OK;
    if (nms_model_plan_read(plan_path, &plan, &err) != NMS_OK ||
        nms_model_apply(pos[0], spec, plan, &opt, out, &err) != NMS_OK)
        rc = cli_fail(&err);
    else
        printf("%s: %zu channel space%s permuted%s\n", out, nms_model_plan_count(plan),
               nms_model_plan_count(plan) == 1 ? "" : "s", opt.prune_24 ? ", consumers pruned to 2:4" : "");
    nms_model_plan_free(plan);
    nms_spec_free(spec);
    return rc;
}

/* ---- shrink ---- */

static double pct(uint64_t after, uint64_t before)
{
    return before ? 100.0 * (double)after / (double)before : 100.0;
}

/* The spec with the channel counts after shrinking, for the shrunk model. */
static int write_shrunk_spec(const nms_channel_spec *spec, const nms_shrink_report *r,
                             const char *path)
{
    size_t n = nms_shrink_report_count(r);
    size_t *counts = calloc(n ? n : 1, sizeof *counts);
    char *text = NULL;
    nms_error err;
    if (!counts)
        return cli_error(CLI_EXIT_RUNTIME, "out of memory");
    for (size_t i = 0; i < n; i++)
        nms_shrink_report_space(r, i, NULL, NULL, &counts[i], NULL);
    int rc = CLI_EXIT_OK;
    if (nms_spec_format(spec, counts, &text, &err) != NMS_OK)
        rc = cli_fail(&err);
    else
        rc = write_text(path, text, "spec");
    nms_free(text);
    free(counts);
    if (rc == CLI_EXIT_OK)
        printf("wrote %s\n", path);
    return rc;
}

static int model_shrink(int argc, char **argv)
{
    const char *spec_path = NULL, *out = NULL, *thr = NULL, *ratio = NULL, *mult = NULL,
               *spec_out = NULL, *pos[1];
    int npos = 0;
    cli_option opts[] = {
        {"spec", 's', 1, &spec_path, NULL, NULL},
        {"output", 'o', 1, &out, NULL, NULL},
        {"spec-out", 0, 1, &spec_out, NULL, NULL},
        {"threshold", 't', 1, &thr, NULL, NULL},
        {"ratio", 'r', 1, &ratio, NULL, NULL},
        {"multiple", 'm', 1, &mult, NULL, NULL},
        {NULL, 0, 0, NULL, NULL, NULL},
    };
    if (parse_sub(argc, argv, "shrink", opts, pos, 1, &npos))
        return CLI_EXIT_USAGE;
    if (npos != 1)
        return cli_error(CLI_EXIT_USAGE, "model shrink: expected one MODEL.safetensors");
    if (need(spec_path, "--spec SPEC", "shrink") || need(out, "-o OUT.safetensors", "shrink"))
        return CLI_EXIT_USAGE;
    if (!thr == !ratio)
        return cli_error(CLI_EXIT_USAGE, "model shrink: give exactly one of --threshold T and --ratio R");
    nms_shrink_options opt;
    nms_shrink_options_init(&opt);
    if (thr && cli_parse_double("--threshold", thr, 0, 1e300, &opt.threshold))
        return CLI_EXIT_USAGE;
    if (ratio) {
        if (cli_parse_double("--ratio", ratio, 0, 0.999999, &opt.ratio))
            return CLI_EXIT_USAGE;
        opt.by_ratio = 1;
    }
    if (mult) {
        long v;
        if (cli_parse_long("--multiple", mult, 1, 1 << 20, &v))
            return CLI_EXIT_USAGE;
        opt.multiple = (size_t)v;
    }
    nms_channel_spec *spec;
    if (load_spec(spec_path, &spec))
        return CLI_EXIT_RUNTIME;
    nms_error err;
    nms_shrink_report *r = NULL;
    int rc = CLI_EXIT_OK;
    if (nms_model_shrink(pos[0], spec, &opt, out, &r, &err) != NMS_OK) {
        rc = cli_fail(&err);
    } else {
        size_t w = 5;
        for (size_t i = 0; i < nms_shrink_report_count(r); i++) {
            const char *name;
            nms_shrink_report_space(r, i, &name, NULL, NULL, NULL);
            if (strlen(name) > w)
                w = strlen(name);
        }
        printf("%-*s %8s %8s %8s  %s\n", (int)w, "space", "before", "after", "removed", "scored by");
        for (size_t i = 0; i < nms_shrink_report_count(r); i++) {
            const char *name;
            size_t before, after;
            nms_shrink_report_space(r, i, &name, &before, &after, NULL);
            printf("%-*s %8zu %8zu %8zu  %s\n", (int)w, name, before, after, before - after,
                   nms_shrink_report_by_alpha(r, i) ? "|alpha|" : "L2 norm");
        }
        uint64_t pb, pa, mb, ma;
        nms_shrink_report_totals(r, &pb, &pa, &mb, &ma);
        printf("parameters:  %" PRIu64 " -> %" PRIu64 " (%.1f%%)\n", pb, pa, pct(pa, pb));
        printf("multiply-adds per output position: %" PRIu64 " -> %" PRIu64 " (%.1f%%)\n", mb, ma, pct(ma, mb));
        printf("wrote %s\n", out);
        if (spec_out)
            rc = write_shrunk_spec(spec, r, spec_out);
    }
    nms_shrink_report_free(r);
    nms_spec_free(spec);
    return rc;
}

int cmd_model(int argc, char **argv)
{
    if (argc < 2)
        return cli_error(CLI_EXIT_USAGE, "model: expected a subcommand: spec, check, plan, apply or shrink "
                                         "(try 'nmsparse help model')");
    const char *sub = argv[1];
    if (strcmp(sub, "spec") == 0)
        return model_spec(argc - 1, argv + 1);
    if (strcmp(sub, "check") == 0)
        return model_check(argc - 1, argv + 1);
    if (strcmp(sub, "plan") == 0)
        return model_plan(argc - 1, argv + 1);
    if (strcmp(sub, "apply") == 0)
        return model_apply(argc - 1, argv + 1);
    if (strcmp(sub, "shrink") == 0)
        return model_shrink(argc - 1, argv + 1);
    return cli_error(CLI_EXIT_USAGE, "model: unknown subcommand '%s' (spec, check, plan, apply, shrink)", sub);
}

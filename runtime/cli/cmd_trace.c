/*
 * cmd_trace.c — `lockstep trace`: tools for recorded traces.  One so far:
 * `lockstep trace convert` reads a native trace, text or binary, and
 * writes it in the format asked for, through the library's reader, sink
 * and writer (lockstep/trace.h).  The output appears only whole: it is
 * written to a temporary file beside it and renamed into place when the
 * whole input was converted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lockstep/trace.h>

#include "cli.h"

static const char help[] =
    "usage: lockstep trace convert [--to text|binary] IN OUT\n"
    "\n"
    "Tools for recorded traces.\n"
    "\n"
    "  convert    rewrite a native trace in the other native format\n"
    "\n"
    "Run 'lockstep trace convert --help' for its options.\n";

static const char convert_help[] =
    "usage: lockstep trace convert [--to text|binary] IN OUT\n"
    "\n"
    "Rewrite a native trace: IN is read as text (docs/trace-format.md) or\n"
    "binary (docs/trace-binary.md), whichever it is, and written to OUT in\n"
    "the format given with --to.  '-' is standard input or output.  OUT\n"
    "appears only when the whole trace was converted: it is written to a\n"
    "temporary file beside it and renamed at the end.  (Standard output gets\n"
    "what was converted before an error.)\n"
    "\n"
    "Event numbers, threads, IRQLs, calls, arguments, return values and\n"
    "source locations carry over exactly.  Comments do not, nor the spelling\n"
    "of numbers: text output writes small values in decimal, others in hex.\n"
    "\n"
    "options:\n"
    "  --to FORMAT   text or binary (default binary)\n"
    "  -h, --help    show this help\n"
    "\n"
    "Exit status: 0 converted, 2 usage or input error.\n";

/* The temporary output, removed if a signal ends the process. */
static char *pending;

static void remove_pending(int sig)
{
    if (pending)
        unlink(pending);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Where OUT is written: stdout for "-", else a new temporary file beside
 * OUT, its name in *tmp (malloc'd).  Returns the descriptor, or -1 after
 * reporting. */
static int open_output(const char *out, enum ls_trace_format format, char **tmp)
{
    *tmp = NULL;
    if (strcmp(out, "-") == 0) {
        if (format == LS_TRACE_BINARY && isatty(STDOUT_FILENO)) {
            fprintf(stderr, "lockstep trace convert: error: refusing to write a binary "
                            "trace to a terminal\n");
            return -1;
        }
        return STDOUT_FILENO;
    }
    size_t n = strlen(out) + 16;
    if (!(*tmp = malloc(n))) {
        fprintf(stderr, "lockstep trace convert: error: out of memory\n");
        return -1;
    }
    snprintf(*tmp, n, "%s.tmp.XXXXXX", out);
    int fd = mkostemp(*tmp, O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "lockstep trace convert: error: cannot create '%s': %s\n", out,
                strerror(errno));
        free(*tmp);
        *tmp = NULL;
        return -1;
    }
    pending = *tmp;
    signal(SIGINT, remove_pending);
    signal(SIGTERM, remove_pending);
    signal(SIGHUP, remove_pending);
    fchmod(fd, 0644);
    return fd;
}

/* Converts in_path to out_path.  Returns the exit status. */
static int convert(const char *in_path, const char *out_path, enum ls_trace_format format)
{
    int in = strcmp(in_path, "-") == 0 ? STDIN_FILENO : open(in_path, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        fprintf(stderr, "lockstep trace convert: error: cannot read '%s': %s\n", in_path,
                strerror(errno));
        return EXIT_USAGE;
    }
    char *tmp;
    int out = open_output(out_path, format, &tmp);
    struct ls_trace_writer *w = out < 0 ? NULL : ls_trace_writer_open(out, format);
    int ok = 0;
    if (out >= 0 && !w) {
        fprintf(stderr, "lockstep trace convert: error: out of memory\n");
    } else if (w) {
        struct ls_trace_sink sink;
        struct ls_trace_result res;
        ls_trace_writer_sink(w, &sink);
        const char *input = in == STDIN_FILENO ? "<stdin>" : in_path;
        if (ls_trace_read_to(&sink, in, input, NULL, &res) != 0)
            fprintf(stderr, "lockstep trace convert: error: %s\n", res.error);
        else if (ls_trace_writer_finish(w) != 0)
            fprintf(stderr, "lockstep trace convert: error: cannot write '%s': %s\n", out_path,
                    ls_trace_writer_error(w));
        else
            ok = 1;
    }
    ls_trace_writer_free(w);
    if (in != STDIN_FILENO)
        close(in);
    if (tmp) {
        if (close(out) != 0 && ok) {
            fprintf(stderr, "lockstep trace convert: error: cannot write '%s': %s\n",
                    out_path, strerror(errno));
            ok = 0;
        }
        if (ok && rename(tmp, out_path) != 0) {
            fprintf(stderr, "lockstep trace convert: error: cannot rename into '%s': %s\n",
                    out_path, strerror(errno));
            ok = 0;
        }
        if (!ok)
            unlink(tmp);
        pending = NULL;
        free(tmp);
    }
    return ok ? EXIT_CLEAN : EXIT_USAGE;
}

static int cmd_convert(int argc, char **argv)
{
    static const struct option options[] = {
        { "to", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    enum ls_trace_format format = LS_TRACE_BINARY;
    optind = 1;
    for (int ch; (ch = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
        switch (ch) {
        case 't':
            if (strcmp(optarg, "text") == 0)
                format = LS_TRACE_TEXT;
            else if (strcmp(optarg, "binary") == 0)
                format = LS_TRACE_BINARY;
            else {
                fprintf(stderr, "lockstep trace convert: error: unknown --to '%s'; "
                                "expected text or binary\n", optarg);
                goto usage;
            }
            break;
        case 'h':
            fputs(convert_help, stdout);
            return EXIT_CLEAN;
        default:
            goto usage;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "lockstep trace convert: error: %s\n",
                argc - optind < 2 ? "expected an input and an output" : "too many arguments");
        goto usage;
    }
    return convert(argv[optind], argv[optind + 1], format);

usage:
    fputs("Run 'lockstep trace convert --help' for usage.\n", stderr);
    return EXIT_USAGE;
}

int cmd_trace(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (argc >= 2 && strcmp(argv[1], "convert") == 0)
        return cmd_convert(argc - 1, argv + 1);
    if (argc < 2)
        fprintf(stderr, "lockstep trace: error: no subcommand given\n");
    else
        fprintf(stderr, "lockstep trace: error: unknown subcommand '%s'\n", argv[1]);
    fputs("Run 'lockstep trace --help' for usage.\n", stderr);
    return EXIT_USAGE;
}

/*
 * cmd_compile.c — `lockstep compile`: specs to checker modules (C), state
 * diagrams (dot) or descriptions (JSON), or just diagnostics (--check).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "compile.h"

static const char help[] =
    "usage: lockstep compile [options] SPEC.slic...\n"
    "\n"
    "Compile rule specs.  By default each spec becomes a C checker module,\n"
    "OUT_DIR/<model>/<Rule>.c and .h (OUT_DIR defaults to 'generated').\n"
    "\n"
    "options:\n"
    "  --emit c|dot|json    what to write (default c); dot and json go to stdout\n"
    "  --check              only check the specs; write nothing\n"
    "  -o, --output PATH    c: the .c file (its .h goes beside it);\n"
    "                       dot/json: the output file ('-' for stdout)\n"
    "  --out-dir DIR        c: root directory for modules (default generated)\n"
    "  -I DIR               search DIR for #include files (after the spec's own\n"
    "                       directory; before lockstep's rule include directory)\n"
    "  -Werror              treat warnings as errors\n"
    "  --max-errors N       stop after N errors (default 20; 0: no limit)\n"
    "  --color WHEN         auto, always or never (default auto)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 compiled, 2 errors in a spec, bad usage or unwritable output.\n";

int cmd_compile(int argc, char **argv)
{
    static const struct option options[] = {
        { "emit", required_argument, NULL, 'e' },
        { "check", no_argument, NULL, 'k' },
        { "output", required_argument, NULL, 'o' },
        { "out-dir", required_argument, NULL, 'd' },
        { "max-errors", required_argument, NULL, 'm' },
        { "color", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct compile_options opt = { .emit = COMPILE_C };
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    int dir_count = 0, max_errors = 20, rc = EXIT_CLEAN;
    bool werror = false, color = isatty(STDERR_FILENO);

    optind = 1;
    for (int ch; (ch = getopt_long(argc, argv, "o:I:W:h", options, NULL)) != -1;) {
        switch (ch) {
        case 'e':
            if (strcmp(optarg, "c") == 0) opt.emit = COMPILE_C;
            else if (strcmp(optarg, "dot") == 0) opt.emit = COMPILE_DOT;
            else if (strcmp(optarg, "json") == 0) opt.emit = COMPILE_JSON;
            else {
                fprintf(stderr, "lockstep compile: error: unknown --emit '%s'; expected c, dot or json\n", optarg);
                goto usage;
            }
            break;
        case 'k': opt.emit = COMPILE_CHECK; break;
        case 'o': opt.out_file = optarg; break;
        case 'd': opt.out_dir = optarg; break;
        case 'I': dirs[dir_count++] = optarg; break;
        case 'W':
            if (strcmp(optarg, "error") != 0) {
                fprintf(stderr, "lockstep compile: error: unknown option '-W%s'\n", optarg);
                goto usage;
            }
            werror = true;
            break;
        case 'm': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 0 || n > 100000) {
                fprintf(stderr, "lockstep compile: error: --max-errors needs a number from 0 to 100000\n");
                goto usage;
            }
            max_errors = (int)n;
            break;
        }
        case 'c':
            if (strcmp(optarg, "always") == 0) color = true;
            else if (strcmp(optarg, "never") == 0) color = false;
            else if (strcmp(optarg, "auto") != 0) {
                fprintf(stderr, "lockstep compile: error: --color takes auto, always or never\n");
                goto usage;
            }
            break;
        case 'h':
            fputs(help, stdout);
            free(dirs);
            return EXIT_CLEAN;
        default:
            goto usage;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "lockstep compile: error: no spec files given\n");
        goto usage;
    }
    if (opt.out_file && argc - optind > 1 && opt.emit != COMPILE_CHECK) {
        fprintf(stderr, "lockstep compile: error: -o needs exactly one spec\n");
        goto usage;
    }
    dirs[dir_count++] = compile_default_include_dir();
    opt.include_dirs = dirs;
    opt.include_dir_count = dir_count;

    for (int i = optind; i < argc; i++) {
        struct src_manager sm;
        struct diag d;
        src_init(&sm);
        diag_init(&d, &sm, stderr);
        d.max_errors = max_errors;
        d.warnings_as_errors = werror;
        d.color = color;
        if (compile_spec(&d, argv[i], &opt) != COMPILE_OK || d.error_count > 0)
            rc = EXIT_USAGE;
        src_free(&sm);
    }
    free(dirs);
    return rc;

usage:
    fputs("Run 'lockstep compile --help' for usage.\n", stderr);
    free(dirs);
    return EXIT_USAGE;
}

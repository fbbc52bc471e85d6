/*
 * interrupts.c — how long-running subcommands (check, sim) stop cleanly:
 * SIGINT, SIGTERM and SIGHUP set cli_interrupted, which their loops (and
 * the trace readers, through ls_trace_options.cancel) poll, so the run is
 * closed in the database as 'error' with a diagnostic instead of being
 * left 'running'.  A second such signal (SA_RESETHAND) kills the process
 * at once, as the user then wants.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <string.h>

#include "cli.h"

volatile sig_atomic_t cli_interrupted;

static void on_interrupt(int signo)
{
    cli_interrupted = signo;
}

void cli_catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESETHAND;     /* no SA_RESTART: a blocked read returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

const char *cli_interrupt_name(void)
{
    return cli_interrupted == SIGINT ? "SIGINT" : cli_interrupted == SIGTERM ? "SIGTERM"
                                                                              : "SIGHUP";
}

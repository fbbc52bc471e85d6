/*
 * sim.h — simulation (DESIGN section 4): driver code runs natively against
 * a model of the kernel, and every kernel call it makes becomes a call
 * event for the checker modules, exactly as a recorded trace would deliver
 * it.  docs/simulation.md has the whole picture; in short:
 *
 *   kmodel*.c   the kernel model: the DDIs as ordinary exported C functions
 *               (KeAcquireSpinLock, StorPortAcquireSpinLock, ...) over one
 *               simulated processor with a real IRQL, spin locks that detect
 *               what would hang a machine, pool, DPCs, a timer, registers;
 *   harness.c   the operating system's side: DriverEntry, then the Storport
 *               entry points in an order Storport allows, each at the IRQL
 *               its role is called at (lockstep/roles.h), with SRBs;
 *   harness_wdm.c  the same for a WDM driver's dispatch table: IRPs to its
 *               dispatch routines, StartIo, DPCs, timers, cancel, unload
 *               (the I/O manager's calls are kmodel_wdm.c's);
 *   schedule.c  where every decision of a run comes from: which entry point
 *               next, which request, whether a call fails (fault injection):
 *               random from a seed, replayed, or enumerated exhaustively;
 *   runner.c    one child process per run, so a crash, a hang or a wild
 *               write in driver code costs that run only; the child streams
 *               its events and findings to the parent through a pipe.
 *
 * A host sees a run through struct sim_host: events go to its sink (a
 * runtime, a pipe), choices come from its chooser, and findings (what the
 * model detects that is not a rule's business: a hang, a bug check, a
 * corrupted model) go to its finding callback.
 *
 * Prefix: sim_ for this interface, km_ inside the kernel model.
 */
#ifndef LS_SIM_H
#define LS_SIM_H

#include <signal.h>
#include <stdint.h>

#include <lockstep/rule.h>

/* Where the model's events go.  function interns a DDI or routine name
 * and returns the id events carry (UINT32_MAX on failure); role says
 * that the driver routine `function` plays role (HW_STARTIO ...), so
 * rules written for fun_ROLE / sdv_Run* fire on it; event takes one call
 * event at the simulated processor's IRQL (0..31).  role and event return
 * 0, or -1 to stop the run. */
struct sim_sink {
    uint32_t (*function)(void *context, const char *name);
    int (*role)(void *context, const char *role, const char *function);
    int (*event)(void *context, int irql, struct ls_event *ev);
    void *context;
};

/* What the model reports besides events.  ORDER: sim_finding_names. */
enum sim_finding {
    SIM_HANG = 0,           /* a spin lock acquired while held: a real
                               machine would spin for ever               */
    SIM_BUGCHECK,           /* the kernel would stop the machine (an IRQL
                               raised downwards, lowered upwards)        */
    SIM_IRQL_LEAK,          /* a routine returned at another IRQL than it
                               was called at                             */
    SIM_CORRUPT,            /* the driver wrote over the model's memory  */
    SIM_MISUSE,             /* a request completed twice, a bad free ... */
    SIM_CRASH,              /* the driver crashed (runner: a signal)     */
    SIM_TIMEOUT,            /* the run exceeded its time budget (runner) */
    SIM_FINDING_COUNT
};

extern const char *const sim_finding_names[SIM_FINDING_COUNT];

struct sim_host {
    const struct sim_sink *sink;
    /* A decision with `options` outcomes (>= 2); returns 0..options-1.
     * Outcome 0 is always the ordinary one (no fault, the first entry
     * point).  what names it for the schedule's text ("step",
     * "fail StorPortAllocatePool"). */
    unsigned (*choose)(void *context, unsigned options, const char *what);
    /* A finding; text is valid during the call.  A finding of kind
     * SIM_HANG, SIM_BUGCHECK or SIM_CORRUPT ends the run. */
    void (*finding)(void *context, enum sim_finding kind, const char *text);
    /* Optional: reshape each SRB the harness built before the driver sees
     * it (the fuzzer's way in); srb points to a SCSI_REQUEST_BLOCK. */
    void (*shape_srb)(void *context, void *srb);
    /* Optional: what the run did, for people: each entry point called
     * ("HwStartIo(read)") and each fault injected ("StorPortAllocatePool
     * fails"); text is valid during the call. */
    void (*note)(void *context, const char *text);
    void *context;
};

/* The driver's DriverEntry, as the model calls it: both WDM's
 * (PDRIVER_OBJECT, PUNICODE_STRING) and Storport's (PVOID, PVOID) forms
 * have this shape. */
typedef uint32_t sim_driver_entry(void *driver_object, void *registry_path);

/* How a run ended. */
enum sim_outcome {
    SIM_RUN_DONE = 0,       /* every step was taken                     */
    SIM_RUN_STOPPED,        /* a finding ended it, or the sink said stop */
    SIM_RUN_ADAPTER_FAILED, /* find adapter, initialize or AddDevice said
                               no, or DriverEntry failed after a fault
                               the host injected: a run that
                               legitimately ends early                   */
    SIM_RUN_NOTHING,        /* DriverEntry registered no routine         */
    SIM_RUN_ENTRY_FAILED    /* DriverEntry returned an error status      */
};

/* Run the driver once: DriverEntry, HwFindAdapter, HwInitialize (and
 * HwPassiveInitialize if enabled), then `steps` entry points chosen by the
 * host among those Storport could call next; or, for a WDM driver (no
 * StorPortInitialize, a filled dispatch table), its device, `steps` I/O
 * manager actions, the teardown and DriverUnload (harness_wdm.c).
 * Nothing of a run survives it in the model except what the driver
 * leaked.  *status receives DriverEntry's return value.  Not reentrant:
 * one run at a time per process (the DDIs are global functions). */
enum sim_outcome sim_run(const struct sim_host *host, sim_driver_entry *entry,
                         unsigned steps, uint32_t *status);

/* ---- schedules (schedule.c) ----------------------------------------------
 * Every decision of a run is a choice: which entry point next, which IRQL
 * of a range, whether a call fails.  A schedule follows a prefix of
 * recorded choices first (a replay, or the exhaustive search's next
 * branch), then decides at random from (seed, run) or takes outcome 0, and
 * records what it chose: that trail, as text, reproduces the run. */
struct sim_choice {
    uint16_t pick, options;
};

struct sim_schedule {
    uint64_t seed, run;         /* random: run `run` of seed `seed`         */
    int random;                 /* past the prefix: random, else outcome 0  */
    struct sim_choice *prefix;  /* followed first (owned)                   */
    unsigned prefix_len;
    struct sim_choice *trail;   /* what the run chose (owned)               */
    unsigned count, cap;
    uint64_t rng;
    int diverged;               /* a recorded choice had another number of
                                   options than the run offered            */
    char *steps;                /* the notes, space separated (owned)       */
    size_t steps_len, steps_cap;
};

void sim_schedule_init(struct sim_schedule *s);
void sim_schedule_free(struct sim_schedule *s);
/* Start a run: empty trail and notes; random choices from (seed, run). */
void sim_schedule_start(struct sim_schedule *s, uint64_t seed, uint64_t run);
/* The host's choose and note, over a schedule (context: the schedule). */
unsigned sim_schedule_choose(void *schedule, unsigned options, const char *what);
void sim_schedule_note(void *schedule, const char *text);
/* Record a choice made elsewhere (the runner's child made it). */
void sim_schedule_record(struct sim_schedule *s, unsigned pick, unsigned options);
/* Exhaustive search: make the prefix the next branch after the run just
 * made (depth first, later choices first).  0 when every branch is done,
 * 1 when there is a next one, -1 when out of memory. */
int sim_schedule_next(struct sim_schedule *s);
/* The trail as text, "seed 42 run 7; choices 0/2 3/5; steps HwFindAdapter
 * ...", malloc'd (NULL when out of memory).  The choices recorded so
 * far are all included, so the text made at a violation names the
 * choices that reached it. */
char *sim_schedule_text(const struct sim_schedule *s);
/* Read such a text back: its choices become the prefix (outcome 0 after
 * it), seed and run are restored.  0, or -1 with err filled. */
int sim_schedule_parse(struct sim_schedule *s, const char *text, char *err, size_t errlen);

/* ---- events into a runtime (rtsink.c) ------------------------------------
 * A sim_sink that applies the model's events to a runtime, all on one
 * thread ("cpu0", the simulated processor), with the model's IRQL as the
 * recorded IRQL: the runtime checks it against its environment model. */
struct ls_runtime;
struct sim_runtime_sink {
    struct sim_sink sink;
    struct ls_runtime *rt;
    uint32_t thread;
    uint64_t events;            /* events delivered                         */
};
/* 0, or -1 when out of memory. */
int sim_runtime_sink_init(struct sim_runtime_sink *s, struct ls_runtime *rt);

/* ---- one child process per run (runner.c) --------------------------------
 * The child runs sim_run under the schedule and streams events, roles,
 * choices, notes and findings through a pipe; the parent hands them to
 * host (its sink, finding, note; choose is not used) and records the
 * choices in the schedule.  A child that dies of a signal, exits without
 * finishing or outlives budget_ms is a finding (SIM_CRASH, SIM_TIMEOUT)
 * and the run's outcome SIM_RUN_STOPPED; everything it sent before stays
 * delivered. */
struct sim_runner {
    sim_driver_entry *entry;
    unsigned steps;
    int budget_ms;
    const volatile sig_atomic_t *cancel;    /* when it becomes nonzero (a
                                       signal handler's flag), the child is
                                       killed and the call returns -1 with
                                       errno EINTR; may be NULL           */
};
/* The run's outcome (enum sim_outcome), or -1 when no child could be
 * started or read, or the run was cancelled (errno says which). */
int sim_fork_run(const struct sim_runner *r, struct sim_schedule *sched,
                 const struct sim_host *host, uint32_t *status);

/* Kernel calls the model has made since the process started (entry/exit
 * pairs of DDIs the driver called), for the benchmark. */
uint64_t sim_calls(void);

#endif

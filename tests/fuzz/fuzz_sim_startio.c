/*
 * fuzz_sim_startio.c — libFuzzer target: the example miniport
 * (examples/miniport, compiled in) run in-process against the kernel model
 * with the kernel rules attached.  The input's first bytes shape the SRB
 * of every start I/O (function, CDB opcode and length, transfer length,
 * target, LUN); the rest are the run's choices, one byte each (which
 * entry point next, whether a call fails), until they run out.  A rule
 * violation or a model finding (hang, bug check, wild write, misuse)
 * stops the fuzzer with its message (abort), so libFuzzer keeps the input.
 * Built with -DLOCKSTEP_FUZZ=ON; tests/fuzz/run fuzz_sim_startio SECONDS.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storport.h>

#include <lockstep/runtime.h>

#include "sim.h"

extern const struct ls_rule *const ls_shipped_rules[];
sp_DRIVER_INITIALIZE DriverEntry;

enum { SHAPE = 8, MAX_STEPS = 32 };

struct input {
    const uint8_t *data;
    size_t size, at;
};

static unsigned choose(void *context, unsigned options, const char *what)
{
    struct input *in = context;
    (void)what;
    return in->at < in->size ? in->data[in->at++] % options : 0;
}

static void shape_srb(void *context, void *p)
{
    const struct input *in = context;
    PSCSI_REQUEST_BLOCK srb = p;
    const uint8_t *s = in->data;
    static const UCHAR functions[] = { SRB_FUNCTION_EXECUTE_SCSI, SRB_FUNCTION_FLUSH,
                                       SRB_FUNCTION_IO_CONTROL, SRB_FUNCTION_RESET_DEVICE };
    srb->Function = functions[s[0] % sizeof functions];
    srb->Cdb[0] = s[1];
    srb->CdbLength = s[2] % 17;
    srb->DataTransferLength = (ULONG)(s[3] | s[4] << 8) % 1024;   /* the buffer holds 512 */
    if (srb->DataTransferLength > 512)
        srb->DataBuffer = NULL;                 /* a request without its buffer */
    srb->TargetId = s[5];
    srb->Lun = s[6];
    srb->SrbFlags = s[7];
}

static void on_violation(void *context, const struct ls_violation *v)
{
    (void)context;
    fprintf(stderr, "lockstep rule violation: [%s] %s\n", v->module->name, v->message);
    abort();
}

static void on_finding(void *context, enum sim_finding kind, const char *text)
{
    (void)context;
    fprintf(stderr, "lockstep kernel model: %s: %s\n", sim_finding_names[kind], text);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < SHAPE)
        return 0;
    struct input in = { data, size, SHAPE };
    struct ls_runtime *rt = ls_runtime_new();
    struct sim_runtime_sink sink;
    if (!rt || sim_runtime_sink_init(&sink, rt) != 0)
        abort();
    for (const struct ls_rule *const *r = ls_shipped_rules; *r; r++)
        if (strcmp((*r)->model, "posix") != 0 && ls_runtime_add_rule(rt, *r) < 0)
            abort();
    ls_runtime_set_sinks(rt, on_violation, NULL, NULL);
    const struct sim_host host = { &sink.sink, choose, on_finding, shape_srb, NULL, &in };
    uint32_t status;
    sim_run(&host, DriverEntry, MAX_STEPS, &status);
    ls_runtime_free(rt);
    return 0;
}

/*
 * corrupt.c — a miniport whose start I/O clears far more than the SRB it
 * was given, over the kernel model's memory (tests/sim/bad-input.sh: the
 * model notices, the run is recorded, the next runs go on).
 */
#include "skeleton.h"

static BOOLEAN StartIo(PVOID Ext, PSCSI_REQUEST_BLOCK Srb)
{
    PUCHAR p = (PUCHAR)Srb;
    for (ULONG i = 0; i < sizeof *Srb + 16; i++)
        p[i] = 0;
    StorPortNotification(RequestComplete, Ext, Srb);
    return TRUE;
}

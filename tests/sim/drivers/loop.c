/*
 * loop.c — a miniport whose start I/O never returns from a write
 * (tests/sim/bad-input.sh: the run is killed at its time budget, a finding
 * with its schedule, and the next runs go on).
 */
#include "skeleton.h"

static BOOLEAN StartIo(PVOID Ext, PSCSI_REQUEST_BLOCK Srb)
{
    volatile ULONG spin = 0;
    if (Srb->Cdb[0] == 0x2A)
        for (;;) spin++;
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
    StorPortNotification(RequestComplete, Ext, Srb);
    return TRUE;
}

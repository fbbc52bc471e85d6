/*
 * crash.c — a miniport whose start I/O follows the SRB's NextSrb link,
 * NULL, when it gets a write (tests/sim/bad-input.sh: a crash is a
 * finding with its schedule, and the next runs go on).
 */
#include "skeleton.h"

static BOOLEAN StartIo(PVOID Ext, PSCSI_REQUEST_BLOCK Srb)
{
    if (Srb->Cdb[0] == 0x2A)
        Srb->NextSrb->SrbStatus = SRB_STATUS_PENDING;
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
    StorPortNotification(RequestComplete, Ext, Srb);
    return TRUE;
}

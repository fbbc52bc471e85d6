/*
 * storport_interrupt_lock (fixed): the list lock is taken first, at the
 * DISPATCH_LEVEL HwStartIo runs at, and Storport's interrupt lock inside
 * it; the releases come in reverse order.  No finding.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK ListLock;
    PULONG Doorbell;
    PSCSI_REQUEST_BLOCK Active;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    STOR_LOCK_HANDLE lockHandle;

    KeAcquireSpinLockAtDpcLevel(&adapter->ListLock);
    StorPortAcquireSpinLock(adapter, InterruptLock, NULL, &lockHandle);
    adapter->Active = Srb;
    StorPortWriteRegisterUlong(adapter, adapter->Doorbell, 1);
    StorPortReleaseSpinLock(adapter, &lockHandle);
    KeReleaseSpinLockFromDpcLevel(&adapter->ListLock);
    return TRUE;
}

/*
 * storport_interrupt_lock: HwStartIo takes Storport's interrupt lock
 * (device IRQL) and then its list lock with KeAcquireSpinLockAtDpcLevel,
 * which must be called at DISPATCH_LEVEL exactly: IrqlDispatch ("above
 * DISPATCH_LEVEL") at that acquire.
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

    StorPortAcquireSpinLock(adapter, InterruptLock, NULL, &lockHandle);
    KeAcquireSpinLockAtDpcLevel(&adapter->ListLock);  // expect: IrqlDispatch
    adapter->Active = Srb;
    StorPortWriteRegisterUlong(adapter, adapter->Doorbell, 1);
    KeReleaseSpinLockFromDpcLevel(&adapter->ListLock);
    StorPortReleaseSpinLock(adapter, &lockHandle);
    return TRUE;
}

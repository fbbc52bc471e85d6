/*
 * isr_dpc_lock: the interrupt routine runs at device IRQL and takes the
 * completion lock with KeAcquireSpinLockAtDpcLevel, a DISPATCH_LEVEL-only
 * call: IrqlDispatch ("above DISPATCH_LEVEL").  The DPC, which takes the
 * same lock at DISPATCH_LEVEL, is fine.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK DoneLock;
    PULONG Status;
    ULONG DoneBits;
    STOR_DPC Dpc;
} ADAPTER, *PADAPTER;

HW_INTERRUPT SampleInterrupt;
HW_DPC_ROUTINE SampleDpc;

BOOLEAN SampleInterrupt(PVOID DeviceExtension)
{
    PADAPTER adapter = DeviceExtension;
    ULONG bits = StorPortReadRegisterUlong(adapter, adapter->Status);

    if (bits == 0)
        return FALSE;
    KeAcquireSpinLockAtDpcLevel(&adapter->DoneLock);  // expect: IrqlDispatch
    adapter->DoneBits |= bits;
    KeReleaseSpinLockFromDpcLevel(&adapter->DoneLock);
    (void)StorPortIssueDpc(adapter, &adapter->Dpc, NULL, NULL);
    return TRUE;
}

VOID SampleDpc(PSTOR_DPC Dpc, PVOID HwDeviceExtension,
               PVOID SystemArgument1, PVOID SystemArgument2)
{
    PADAPTER adapter = HwDeviceExtension;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument2);
    KeAcquireSpinLockAtDpcLevel(&adapter->DoneLock);
    adapter->DoneBits &= ~(ULONG)(ULONG_PTR)SystemArgument1;
    KeReleaseSpinLockFromDpcLevel(&adapter->DoneLock);
}

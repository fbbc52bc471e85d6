/*
 * isr_dpc_lock (fixed): the interrupt routine only passes the status bits
 * to its DPC, and the DPC, at DISPATCH_LEVEL, is the only one to take the
 * completion lock with the DPC-level calls.  No finding.
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
    (void)StorPortIssueDpc(adapter, &adapter->Dpc, (PVOID)(ULONG_PTR)bits, NULL);
    return TRUE;
}

VOID SampleDpc(PSTOR_DPC Dpc, PVOID HwDeviceExtension,
               PVOID SystemArgument1, PVOID SystemArgument2)
{
    PADAPTER adapter = HwDeviceExtension;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument2);
    KeAcquireSpinLockAtDpcLevel(&adapter->DoneLock);
    adapter->DoneBits |= (ULONG)(ULONG_PTR)SystemArgument1;
    KeReleaseSpinLockFromDpcLevel(&adapter->DoneLock);
}

/*
 * start_next_under_lock: the DpcForIsr routine starts the next packet while
 * it still holds its device lock; IoStartNextPacket calls the driver's
 * StartIo, which takes the same lock.  SpinLockSafe reports it.
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    BOOLEAN Busy;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

IO_DPC_ROUTINE SampleDpcForIsr;

VOID SampleDpcForIsr(PKDPC Dpc, PDEVICE_OBJECT DeviceObject, PIRP Irp,
                     PVOID Context)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Busy = FALSE;
    IoStartNextPacket(DeviceObject, FALSE);  // expect: SpinLockSafe
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_DISK_INCREMENT);
}

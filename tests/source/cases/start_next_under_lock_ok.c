/*
 * start_next_under_lock (fixed): the device lock only covers the update of
 * the busy flag; IoStartNextPacket and IoCompleteRequest run after it is
 * released, at the DISPATCH_LEVEL the DPC runs at.  No finding.
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
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    IoStartNextPacket(DeviceObject, FALSE);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_DISK_INCREMENT);
}

/*
 * unmodelled.c — a driver that calls a DDI the kernel model does not
 * implement (tests/sim/bad-input.sh: exit 2 naming the call).
 */
#include <storport.h>

ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    return (ULONG)IoCallDriver(DriverObject, NULL);
}

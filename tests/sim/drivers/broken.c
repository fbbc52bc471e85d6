/*
 * broken.c — driver code that does not compile (tests/sim/bad-input.sh:
 * the compiler's diagnostics are shown, exit 2).
 */
#include <storport.h>

ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    return StorPortInitialize(DriverObject, RegistryPath, &missing_init, NULL);
}

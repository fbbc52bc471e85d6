/*
 * nothing.c — a DriverEntry that registers no routine
 * (tests/sim/bad-input.sh: exit 2, saying what DriverEntry must do).
 */
#include <storport.h>

ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    return STATUS_SUCCESS;
}

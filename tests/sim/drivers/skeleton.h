/*
 * skeleton.h — the rest of a miniport for the bad-input drivers of
 * tests/sim/bad-input.sh: find adapter and initialize that succeed, and a
 * DriverEntry registering them with the StartIo the including file
 * defines, which is where each of them goes wrong.
 */
#include <storport.h>

static HW_STARTIO StartIo;

static BOOLEAN Init(PVOID Ext)
{
    UNREFERENCED_PARAMETER(Ext);
    return TRUE;
}

static ULONG Find(PVOID Ext, PVOID Ctx, PVOID Bus, PCHAR Arg,
                  PPORT_CONFIGURATION_INFORMATION Config, PBOOLEAN Again)
{
    UNREFERENCED_PARAMETER(Ext);
    UNREFERENCED_PARAMETER(Ctx);
    UNREFERENCED_PARAMETER(Bus);
    UNREFERENCED_PARAMETER(Arg);
    UNREFERENCED_PARAMETER(Config);
    UNREFERENCED_PARAMETER(Again);
    return SP_RETURN_FOUND;
}

ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath);
ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    HW_INITIALIZATION_DATA init = {0};
    init.HwInitializationDataSize = sizeof init;
    init.HwFindAdapter = Find;
    init.HwInitialize = Init;
    init.HwStartIo = StartIo;
    return StorPortInitialize(DriverObject, RegistryPath, &init, NULL);
}

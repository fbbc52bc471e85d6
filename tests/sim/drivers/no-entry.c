/*
 * no-entry.c — driver code without DriverEntry (tests/sim/bad-input.sh).
 */
#include <storport.h>

BOOLEAN Helper(PVOID Ext);
BOOLEAN Helper(PVOID Ext)
{
    return Ext != NULL;
}

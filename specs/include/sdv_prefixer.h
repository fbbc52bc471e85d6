/*
 * sdv_prefixer.h — compatibility shim, intentionally empty.
 *
 * SDV's header of this name renamed each DDI a rule mentions to the sdv_
 * stub of its operating-system model (KeAcquireSpinLock became
 * sdv_KeAcquireSpinLock).  lockstep needs no such renaming: the compiler
 * strips an sdv_ prefix from every event name itself, so
 * `sdv_KeAcquireSpinLock.exit` and `KeAcquireSpinLock.exit` are the same
 * event.  The file exists so that rules (and old copies of ntddk_slic.h)
 * that include it still compile.
 */

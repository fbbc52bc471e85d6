/*
 * dontuse.h — lockstep's DDI model: in the WDK this header marks the C
 * library's unbounded string functions (strcpy, sprintf, ...) deprecated so
 * drivers use ntstrsafe.h instead.  lockstep's rules do not look at them,
 * so here it is empty: drivers that include it compile unchanged.
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 */
#ifndef LOCKSTEP_DDK_DONTUSE_H
#define LOCKSTEP_DDK_DONTUSE_H
#endif

/*
 * irql.h — interrupt request levels, for rules that compare
 * sdv_irql_current, sdv_irql_previous ... with them.
 *
 * Values are the x64 ones (x86 numbers the levels above DISPATCH_LEVEL
 * differently; PASSIVE, APC and DISPATCH are 0, 1 and 2 everywhere).  Like
 * SDV, rules should tell apart only PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL
 * and "elevated" (any device or system level above DISPATCH_LEVEL), which
 * keeps them architecture-neutral.  Part of lockstep's rule include
 * directory; see docs/rule-includes.md.
 */
#ifndef LOCKSTEP_RULES_IRQL_H
#define LOCKSTEP_RULES_IRQL_H

#define PASSIVE_LEVEL   0       /* threads, no interrupts masked            */
#define LOW_LEVEL       0       /* lowest level                             */
#define APC_LEVEL       1       /* asynchronous procedure calls masked      */
#define DISPATCH_LEVEL  2       /* DPCs, the dispatcher; spin locks held    */
#define CMCI_LEVEL      5       /* corrected machine check interrupts       */
#define SYNCH_LEVEL     12      /* dispatcher synchronisation (IPI_LEVEL-2) */
#define CLOCK_LEVEL     13      /* interval clock                           */
#define IPI_LEVEL       14      /* interprocessor interrupts                */
#define DRS_LEVEL       14      /* deferred recovery service                */
#define POWER_LEVEL     14      /* power failure                            */
#define PROFILE_LEVEL   15      /* profiling timer                          */
#define HIGH_LEVEL      15      /* highest level: all interrupts masked     */

/* True for any IRQL above DISPATCH_LEVEL: DIRQL and the system levels. */
#define SDV_IRQL_ELEVATED_LEVEL(irql)   ((irql) > DISPATCH_LEVEL)

#endif

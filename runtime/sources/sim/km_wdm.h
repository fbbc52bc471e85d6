/*
 * km_wdm.h — the kernel model's I/O manager for WDM drivers: the device
 * objects IoCreateDevice hands out, the IRPs the harness sends (each with
 * its stack locations and buffer), the device queue of IoStartPacket, the
 * armed timers and the one file object requests are for.  Shared by the
 * DDIs (kmodel_wdm.c), which change it as the driver calls them, and the
 * WDM harness (harness_wdm.c), which builds the IRPs and calls the
 * dispatch routines.  Compiled against the DDI model headers, like driver
 * code.
 */
#ifndef LS_SIM_KM_WDM_H
#define LS_SIM_KM_WDM_H

#include <wdm.h>

#include "km.h"

#define KM_DEVICES 4            /* device objects at once                 */
#define KM_DEVICE_EXTENSION 16384   /* each one's extension room          */
#define KM_IRPS 8               /* IRPs the harness has out at once       */
#define KM_IRP_STACK 2          /* stack locations: [1] the driver's,
                                   [0] the next lower driver's            */
#define KM_IRP_BUFFER 256       /* each IRP's system buffer               */
#define KM_TIMERS 8             /* armed timers                           */

/* A device object with room for its extension, fenced. */
struct km_device {
    uint64_t guard_lo;
    DEVICE_OBJECT device;
    uint64_t guard_device;
    _Alignas(16) unsigned char extension[KM_DEVICE_EXTENSION];
    uint64_t guard_hi;
    int used;
    int harness;                /* the harness made it (a PDO, or the
                                   device of a driver that made none)     */
};

enum km_irp_state { KM_IRP_FREE, KM_IRP_OUTSTANDING, KM_IRP_COMPLETED };

/* One IRP with its stack and buffer, fenced like an SRB. */
struct km_irp {
    uint64_t guard_lo;
    IRP irp;
    uint64_t guard_irp;
    IO_STACK_LOCATION stack[KM_IRP_STACK];
    uint64_t guard_stack;
    _Alignas(16) UCHAR buffer[KM_IRP_BUFFER];
    uint64_t guard_hi;
    int state;                  /* enum km_irp_state                      */
    int pending;                /* IoMarkIrpPending was called            */
    int started;                /* in the device queue of IoStartPacket   */
    const char *what;           /* "read" ..., for findings               */
};

/* An armed timer: KeSetTimer(Ex) with its DPC. */
struct km_timer {
    PKTIMER timer;
    PKDPC dpc;
    LONG period;
};

struct km_wdm {
    PDRIVER_OBJECT driver;
    struct km_device devices[KM_DEVICES];
    struct km_irp irps[KM_IRPS];
    PIRP startq[KM_IRPS];       /* IoStartPacket's queue, oldest first    */
    unsigned nstartq;
    struct km_timer timers[KM_TIMERS];  /* armed, oldest first            */
    unsigned ntimers;
    FILE_OBJECT file;
};

extern struct km_wdm km_wdm;

/* A fresh I/O manager for a run of driver (nothing created or sent). */
void km_wdm_reset(PDRIVER_OBJECT driver);

/* The model's IRP for irp, or NULL when it is not one of them. */
struct km_irp *km_irp_of(const void *irp);

/* A device object of the model's that is not in use, marked used and
 * zeroed with its extension, or NULL. */
struct km_device *km_device_new(ULONG extension_size);

/* Did DriverEntry register anything the WDM harness can call?  (A
 * dispatch routine, StartIo, Unload or AddDevice.) */
int km_wdm_registered(const DRIVER_OBJECT *driver);

/* Drive a WDM driver whose DriverEntry succeeded (harness_wdm.c): its
 * device, then `steps` I/O manager actions, then the teardown and
 * DriverUnload.  Returns the run's outcome. */
enum sim_outcome km_wdm_drive(PDRIVER_OBJECT driver, unsigned steps);

#endif

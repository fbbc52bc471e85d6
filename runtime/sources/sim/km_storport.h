/*
 * km_storport.h — the kernel model's Storport adapter: what
 * StorPortInitialize registered, the device extension, the device's
 * registers, the timer, and the requests (SRBs) in flight.  Shared by the
 * Storport DDIs (kmodel_storport.c), which change it as the driver calls
 * them, and the harness (harness.c), which drives the driver's routines.
 * Compiled against the DDI model headers, like driver code.
 */
#ifndef LS_SIM_KM_STORPORT_H
#define LS_SIM_KM_STORPORT_H

#include <storport.h>

#include "km.h"

#define KM_SRBS 8               /* requests the harness has at once      */
#define KM_SRB_DATA 512         /* each one's data buffer                */
#define KM_SRB_EXTENSION 256    /* SrbExtension room, when asked for     */
#define KM_REGISTERS 1024       /* ULONG registers of the device         */
#define KM_DEVICE_STATUS 1      /* the register an interrupt sets to 1   */

enum km_srb_state { KM_SRB_FREE, KM_SRB_OUTSTANDING, KM_SRB_COMPLETED };

/* One request with its buffers, fenced: a write past the end of the SRB
 * or its buffers breaks a fence (km_check_srbs). */
struct km_srb {
    uint64_t guard_lo;
    SCSI_REQUEST_BLOCK srb;
    uint64_t guard_srb;
    UCHAR data[KM_SRB_DATA];
    uint64_t guard_data;
    UCHAR sense[32];
    uint64_t guard_sense;
    UCHAR extension[KM_SRB_EXTENSION];
    uint64_t guard_hi;
    IRP irp;                    /* Srb->OriginalRequest                  */
    int state;                  /* enum km_srb_state                     */
};

struct km_adapter {
    int registered;             /* StorPortInitialize was called          */
    HW_INITIALIZATION_DATA init;
    PVOID hw_context;
    PHW_PASSIVE_INITIALIZE_ROUTINE passive;
    PHW_TIMER timer;            /* armed by RequestTimerCall             */
    PVOID ext;                  /* the device extension                   */
    PORT_CONFIGURATION_INFORMATION config;
    ULONG registers[KM_REGISTERS];
    struct km_srb srbs[KM_SRBS];
    /* Storport's own locks: only their addresses matter */
    char startio_lock, interrupt_lock, dpc_lock;
};

extern struct km_adapter km_adapter;

/* A fresh adapter (nothing registered). */
void km_adapter_reset(void);

/* Is every fence of every SRB intact?  A broken one is SIM_CORRUPT. */
void km_check_srbs(void);

/* The model's SRB for srb, or NULL when srb is not one of them. */
struct km_srb *km_srb_of(const void *srb);

#endif

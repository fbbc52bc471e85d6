/*
 * storport.h — Storport constants a rule may compare arguments and return
 * values with: the STOR_SPINLOCK kinds (StorPortAcquireSpinLock's $2), the
 * StorPortNotification types ($1), SRB status codes, the STOR_STATUS codes
 * StorPort routines return, and HwStorFindAdapter's results.
 *
 * Enumerators are macros here, so they share the rule's name space: a rule
 * cannot also call a state or enum constant DpcLock or RequestComplete.
 * Part of lockstep's rule include directory; see docs/rule-includes.md.
 */
#ifndef LOCKSTEP_RULES_STORPORT_H
#define LOCKSTEP_RULES_STORPORT_H

/* STOR_SPINLOCK.  StorPortAcquireSpinLock takes the first three;
 * StorPortAcquireSpinLockEx takes all. */
#define DpcLock                         1
#define StartIoLock                     2
#define InterruptLock                   3
#define ThreadedDpcLock                 4
#define DpcLevelLock                    5

/* SCSI_NOTIFICATION_TYPE: StorPortNotification's first argument.  4 and 5
 * are retired (ScsiPort's CallDisableInterrupts/CallEnableInterrupts). */
#define RequestComplete                 0
#define NextRequest                     1
#define NextLuRequest                   2
#define ResetDetected                   3
#define RequestTimerCall                6
#define BusChangeDetected               7
#define WMIEvent                        8
#define WMIReregister                   9
#define LinkUp                          10
#define LinkDown                        11
#define QueryTickCount                  12
#define BufferOverrunDetected           13
#define TraceNotification               14
#define GetExtendedFunctionTable        15
#define EnablePassiveInitialization     0x1000
#define InitializeDpc                   0x1001
#define IssueDpc                        0x1002
#define AcquireSpinLock                 0x1003
#define ReleaseSpinLock                 0x1004
#define StateChangeDetectedCall         0x1005
#define IoTargetRequestServiceTime      0x1006
#define AsyncNotificationDetected       0x1007

/* SRB status (SCSI_REQUEST_BLOCK.SrbStatus, StorPortCompleteRequest's $5).
 * The two flag bits may be or-ed into any code; SRB_STATUS() removes them. */
#define SRB_STATUS_PENDING              0x00
#define SRB_STATUS_SUCCESS              0x01
#define SRB_STATUS_ABORTED              0x02
#define SRB_STATUS_ABORT_FAILED         0x03
#define SRB_STATUS_ERROR                0x04
#define SRB_STATUS_BUSY                 0x05
#define SRB_STATUS_INVALID_REQUEST      0x06
#define SRB_STATUS_INVALID_PATH_ID      0x07
#define SRB_STATUS_NO_DEVICE            0x08
#define SRB_STATUS_TIMEOUT              0x09
#define SRB_STATUS_SELECTION_TIMEOUT    0x0A
#define SRB_STATUS_COMMAND_TIMEOUT      0x0B
#define SRB_STATUS_MESSAGE_REJECTED     0x0D
#define SRB_STATUS_BUS_RESET            0x0E
#define SRB_STATUS_PARITY_ERROR         0x0F
#define SRB_STATUS_REQUEST_SENSE_FAILED 0x10
#define SRB_STATUS_NO_HBA               0x11
#define SRB_STATUS_DATA_OVERRUN         0x12
#define SRB_STATUS_UNEXPECTED_BUS_FREE  0x13
#define SRB_STATUS_PHASE_SEQUENCE_FAILURE 0x14
#define SRB_STATUS_BAD_SRB_BLOCK_LENGTH 0x15
#define SRB_STATUS_REQUEST_FLUSHED      0x16
#define SRB_STATUS_INVALID_LUN          0x20
#define SRB_STATUS_INVALID_TARGET_ID    0x21
#define SRB_STATUS_BAD_FUNCTION         0x22
#define SRB_STATUS_ERROR_RECOVERY       0x23
#define SRB_STATUS_NOT_POWERED          0x24
#define SRB_STATUS_LINK_DOWN            0x25
#define SRB_STATUS_INTERNAL_ERROR       0x30
#define SRB_STATUS_QUEUE_FROZEN         0x40
#define SRB_STATUS_AUTOSENSE_VALID      0x80
#define SRB_STATUS(Status)  ((Status) & ~(SRB_STATUS_AUTOSENSE_VALID | SRB_STATUS_QUEUE_FROZEN))

/* STOR_STATUS: returned as an unsigned ULONG, so unlike NTSTATUS these stay
 * positive (a trace records 0xC1000001 as is). */
#define STOR_STATUS_SUCCESS                 0x00000000
#define STOR_STATUS_UNSUCCESSFUL            0xC1000001
#define STOR_STATUS_NOT_IMPLEMENTED         0xC1000002
#define STOR_STATUS_INSUFFICIENT_RESOURCES  0xC1000003
#define STOR_STATUS_BUFFER_TOO_SMALL        0xC1000004
#define STOR_STATUS_ACCESS_DENIED           0xC1000005
#define STOR_STATUS_INVALID_PARAMETER       0xC1000006
#define STOR_STATUS_INVALID_DEVICE_REQUEST  0xC1000007
#define STOR_STATUS_INVALID_IRQL            0xC1000008
#define STOR_STATUS_INVALID_DEVICE_STATE    0xC1000009
#define STOR_STATUS_INVALID_BUFFER_SIZE     0xC100000A
#define STOR_STATUS_UNSUPPORTED_VERSION     0xC100000B
#define STOR_STATUS_BUSY                    0xC100000C

/* HwStorFindAdapter's return value. */
#define SP_RETURN_NOT_FOUND             0
#define SP_RETURN_FOUND                 1
#define SP_RETURN_ERROR                 2
#define SP_RETURN_BAD_CONFIG            3

/* PORT_CONFIGURATION_INFORMATION.SynchronizationModel */
#define StorSynchronizeHalfDuplex       0
#define StorSynchronizeFullDuplex       1

#endif

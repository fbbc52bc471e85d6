/*
 * ntddser.h — lockstep's DDI model of the serial port interface: the
 * IOCTL_SERIAL_* requests a client (or a filter such as Serenum) sends to
 * a serial port driver, their structures and flags, and the Serenum
 * requests and device interface GUIDs.
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 */
#ifndef LOCKSTEP_DDK_NTDDSER_H
#define LOCKSTEP_DDK_NTDDSER_H

#include "ntdef.h"
#include "devioctl.h"

/* device interface classes: COM ports, and the ports Serenum enumerates */
DEFINE_GUID(GUID_DEVINTERFACE_COMPORT, 0x86e0d1e0, 0x8089, 0x11d0,
            0x9c, 0xe4, 0x08, 0x00, 0x3e, 0x30, 0x1f, 0x73);
DEFINE_GUID(GUID_DEVINTERFACE_SERENUM_BUS_ENUMERATOR, 0x4d36e978, 0xe325, 0x11ce,
            0xbf, 0xc1, 0x08, 0x00, 0x2b, 0xe1, 0x03, 0x18);
#define GUID_CLASS_COMPORT              GUID_DEVINTERFACE_COMPORT
#define GUID_SERENUM_BUS_ENUMERATOR     GUID_DEVINTERFACE_SERENUM_BUS_ENUMERATOR

/* IRP_MJ_DEVICE_CONTROL requests to a serial port */
#define LOCKSTEP_SERIAL_IOCTL(function) \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, function, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SERIAL_SET_BAUD_RATE      LOCKSTEP_SERIAL_IOCTL(1)
#define IOCTL_SERIAL_SET_QUEUE_SIZE     LOCKSTEP_SERIAL_IOCTL(2)
#define IOCTL_SERIAL_SET_LINE_CONTROL   LOCKSTEP_SERIAL_IOCTL(3)
#define IOCTL_SERIAL_SET_BREAK_ON       LOCKSTEP_SERIAL_IOCTL(4)
#define IOCTL_SERIAL_SET_BREAK_OFF      LOCKSTEP_SERIAL_IOCTL(5)
#define IOCTL_SERIAL_IMMEDIATE_CHAR     LOCKSTEP_SERIAL_IOCTL(6)
#define IOCTL_SERIAL_SET_TIMEOUTS       LOCKSTEP_SERIAL_IOCTL(7)
#define IOCTL_SERIAL_GET_TIMEOUTS       LOCKSTEP_SERIAL_IOCTL(8)
#define IOCTL_SERIAL_SET_DTR            LOCKSTEP_SERIAL_IOCTL(9)
#define IOCTL_SERIAL_CLR_DTR            LOCKSTEP_SERIAL_IOCTL(10)
#define IOCTL_SERIAL_RESET_DEVICE       LOCKSTEP_SERIAL_IOCTL(11)
#define IOCTL_SERIAL_SET_RTS            LOCKSTEP_SERIAL_IOCTL(12)
#define IOCTL_SERIAL_CLR_RTS            LOCKSTEP_SERIAL_IOCTL(13)
#define IOCTL_SERIAL_SET_XOFF           LOCKSTEP_SERIAL_IOCTL(14)
#define IOCTL_SERIAL_SET_XON            LOCKSTEP_SERIAL_IOCTL(15)
#define IOCTL_SERIAL_GET_WAIT_MASK      LOCKSTEP_SERIAL_IOCTL(16)
#define IOCTL_SERIAL_SET_WAIT_MASK      LOCKSTEP_SERIAL_IOCTL(17)
#define IOCTL_SERIAL_WAIT_ON_MASK       LOCKSTEP_SERIAL_IOCTL(18)
#define IOCTL_SERIAL_PURGE              LOCKSTEP_SERIAL_IOCTL(19)
#define IOCTL_SERIAL_GET_BAUD_RATE      LOCKSTEP_SERIAL_IOCTL(20)
#define IOCTL_SERIAL_GET_LINE_CONTROL   LOCKSTEP_SERIAL_IOCTL(21)
#define IOCTL_SERIAL_GET_CHARS          LOCKSTEP_SERIAL_IOCTL(22)
#define IOCTL_SERIAL_SET_CHARS          LOCKSTEP_SERIAL_IOCTL(23)
#define IOCTL_SERIAL_GET_HANDFLOW       LOCKSTEP_SERIAL_IOCTL(24)
#define IOCTL_SERIAL_SET_HANDFLOW       LOCKSTEP_SERIAL_IOCTL(25)
#define IOCTL_SERIAL_GET_MODEMSTATUS    LOCKSTEP_SERIAL_IOCTL(26)
#define IOCTL_SERIAL_GET_COMMSTATUS     LOCKSTEP_SERIAL_IOCTL(27)
#define IOCTL_SERIAL_XOFF_COUNTER       LOCKSTEP_SERIAL_IOCTL(28)
#define IOCTL_SERIAL_GET_PROPERTIES     LOCKSTEP_SERIAL_IOCTL(29)
#define IOCTL_SERIAL_GET_DTRRTS         LOCKSTEP_SERIAL_IOCTL(30)

/* IRP_MJ_INTERNAL_DEVICE_CONTROL requests, between kernel drivers: save
 * the port's settings and set plain ones, then put the saved ones back */
#define IOCTL_SERIAL_INTERNAL_DO_WAIT_WAKE      LOCKSTEP_SERIAL_IOCTL(1)
#define IOCTL_SERIAL_INTERNAL_CANCEL_WAIT_WAKE  LOCKSTEP_SERIAL_IOCTL(2)
#define IOCTL_SERIAL_INTERNAL_BASIC_SETTINGS    LOCKSTEP_SERIAL_IOCTL(3)
#define IOCTL_SERIAL_INTERNAL_RESTORE_SETTINGS  LOCKSTEP_SERIAL_IOCTL(4)

/* Serenum's own requests */
#define IOCTL_SERENUM_EXPOSE_HARDWARE \
    CTL_CODE(FILE_DEVICE_SERENUM, 128, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SERENUM_REMOVE_HARDWARE \
    CTL_CODE(FILE_DEVICE_SERENUM, 129, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SERENUM_PORT_DESC \
    CTL_CODE(FILE_DEVICE_SERENUM, 130, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SERENUM_GET_PORT_NAME \
    CTL_CODE(FILE_DEVICE_SERENUM, 131, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_SERENUM_REMOVE_SELF \
    CTL_CODE(FILE_DEVICE_SERENUM, 129, METHOD_NEITHER, FILE_ANY_ACCESS)

/* IOCTL_SERIAL_SET/GET_BAUD_RATE */
typedef struct _SERIAL_BAUD_RATE {
    ULONG BaudRate;
} SERIAL_BAUD_RATE, *PSERIAL_BAUD_RATE;

/* IOCTL_SERIAL_SET/GET_LINE_CONTROL */
typedef struct _SERIAL_LINE_CONTROL {
    UCHAR StopBits;             /* STOP_BIT_1, STOP_BITS_1_5, STOP_BITS_2 */
    UCHAR Parity;               /* NO_PARITY, ... */
    UCHAR WordLength;           /* 5 to 8 */
} SERIAL_LINE_CONTROL, *PSERIAL_LINE_CONTROL;
#define STOP_BIT_1                      0
#define STOP_BITS_1_5                   1
#define STOP_BITS_2                     2
#define NO_PARITY                       0
#define ODD_PARITY                      1
#define EVEN_PARITY                     2
#define MARK_PARITY                     3
#define SPACE_PARITY                    4

/* IOCTL_SERIAL_SET/GET_TIMEOUTS, in milliseconds */
typedef struct _SERIAL_TIMEOUTS {
    ULONG ReadIntervalTimeout;
    ULONG ReadTotalTimeoutMultiplier;
    ULONG ReadTotalTimeoutConstant;
    ULONG WriteTotalTimeoutMultiplier;
    ULONG WriteTotalTimeoutConstant;
} SERIAL_TIMEOUTS, *PSERIAL_TIMEOUTS;

/* IOCTL_SERIAL_SET/GET_HANDFLOW */
typedef struct _SERIAL_HANDFLOW {
    ULONG ControlHandShake;
    ULONG FlowReplace;
    LONG XonLimit;
    LONG XoffLimit;
} SERIAL_HANDFLOW, *PSERIAL_HANDFLOW;

/* IOCTL_SERIAL_SET/GET_CHARS */
typedef struct _SERIAL_CHARS {
    UCHAR EofChar;
    UCHAR ErrorChar;
    UCHAR BreakChar;
    UCHAR EventChar;
    UCHAR XonChar;
    UCHAR XoffChar;
} SERIAL_CHARS, *PSERIAL_CHARS;

/* IOCTL_SERIAL_SET_QUEUE_SIZE */
typedef struct _SERIAL_QUEUE_SIZE {
    ULONG InSize;
    ULONG OutSize;
} SERIAL_QUEUE_SIZE, *PSERIAL_QUEUE_SIZE;

/* IOCTL_SERIAL_GET_COMMSTATUS */
typedef struct _SERIAL_STATUS {
    ULONG Errors;
    ULONG HoldReasons;
    ULONG AmountInInQueue;
    ULONG AmountInOutQueue;
    BOOLEAN EofReceived;
    BOOLEAN WaitForImmediate;
} SERIAL_STATUS, *PSERIAL_STATUS;

/* IOCTL_SERIAL_INTERNAL_BASIC_SETTINGS's answer, which
 * IOCTL_SERIAL_INTERNAL_RESTORE_SETTINGS takes back */
typedef struct _SERIAL_BASIC_SETTINGS {
    SERIAL_TIMEOUTS Timeouts;
    SERIAL_HANDFLOW HandFlow;
    ULONG RxFifo;
    ULONG TxFifo;
} SERIAL_BASIC_SETTINGS, *PSERIAL_BASIC_SETTINGS;

/* IOCTL_SERIAL_PURGE's flags */
#define SERIAL_PURGE_TXABORT            0x00000001
#define SERIAL_PURGE_RXABORT            0x00000002
#define SERIAL_PURGE_TXCLEAR            0x00000004
#define SERIAL_PURGE_RXCLEAR            0x00000008

/* IOCTL_SERIAL_GET_MODEMSTATUS's bits; IOCTL_SERIAL_GET_DTRRTS's */
#define SERIAL_CTS_STATE                0x00000010
#define SERIAL_DSR_STATE                0x00000020
#define SERIAL_RI_STATE                 0x00000040
#define SERIAL_DCD_STATE                0x00000080
#define SERIAL_DTR_STATE                0x00000001
#define SERIAL_RTS_STATE                0x00000002

/* IOCTL_SERIAL_SET_WAIT_MASK's events */
#define SERIAL_EV_RXCHAR                0x0001
#define SERIAL_EV_RXFLAG                0x0002
#define SERIAL_EV_TXEMPTY               0x0004
#define SERIAL_EV_CTS                   0x0008
#define SERIAL_EV_DSR                   0x0010
#define SERIAL_EV_RLSD                  0x0020
#define SERIAL_EV_BREAK                 0x0040
#define SERIAL_EV_ERR                   0x0080
#define SERIAL_EV_RING                  0x0100

#endif

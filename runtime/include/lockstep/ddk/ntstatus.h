/*
 * ntstatus.h — lockstep's DDI model: NT_SUCCESS and the common NTSTATUS
 * codes, as a driver writes them.
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 * The values are those of the rule include directory's ntstatus.h
 * (specs/include/ntstatus.h), written here in their usual hex spelling cast
 * to the 32-bit NTSTATUS, so errors are negative as the rules expect;
 * tests/ddk/check_decls.sh checks that the two agree.
 */
#ifndef LOCKSTEP_DDK_NTSTATUS_H
#define LOCKSTEP_DDK_NTSTATUS_H

#include "ntdef.h"        /* NTSTATUS, ULONG */

#define NT_SUCCESS(Status)      (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status)  ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status)      ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status)        ((((ULONG)(Status)) >> 30) == 3)

/* success and informational */
#define STATUS_SUCCESS                   ((NTSTATUS)0x00000000L)
#define STATUS_WAIT_0                    ((NTSTATUS)0x00000000L)
#define STATUS_USER_APC                  ((NTSTATUS)0x000000C0L)
#define STATUS_ALERTED                   ((NTSTATUS)0x00000101L)
#define STATUS_TIMEOUT                   ((NTSTATUS)0x00000102L)
#define STATUS_PENDING                   ((NTSTATUS)0x00000103L)
#define STATUS_REPARSE                   ((NTSTATUS)0x00000104L)
#define STATUS_MORE_ENTRIES              ((NTSTATUS)0x00000105L)
/* an IO_COMPLETION_ROUTINE's "let completion go on" */
#define STATUS_CONTINUE_COMPLETION       STATUS_SUCCESS

/* warnings */
#define STATUS_BUFFER_OVERFLOW           ((NTSTATUS)0x80000005L)
#define STATUS_DEVICE_BUSY               ((NTSTATUS)0x80000011L)
#define STATUS_NO_MORE_ENTRIES           ((NTSTATUS)0x8000001AL)

/* errors */
#define STATUS_UNSUCCESSFUL              ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED           ((NTSTATUS)0xC0000002L)
#define STATUS_ACCESS_VIOLATION          ((NTSTATUS)0xC0000005L)
#define STATUS_INVALID_HANDLE            ((NTSTATUS)0xC0000008L)
#define STATUS_INVALID_PARAMETER         ((NTSTATUS)0xC000000DL)
#define STATUS_INVALID_DEVICE_REQUEST    ((NTSTATUS)0xC0000010L)
#define STATUS_MORE_PROCESSING_REQUIRED  ((NTSTATUS)0xC0000016L)
#define STATUS_NO_MEMORY                 ((NTSTATUS)0xC0000017L)
#define STATUS_ACCESS_DENIED             ((NTSTATUS)0xC0000022L)
#define STATUS_BUFFER_TOO_SMALL          ((NTSTATUS)0xC0000023L)
#define STATUS_OBJECT_NAME_NOT_FOUND     ((NTSTATUS)0xC0000034L)
#define STATUS_DELETE_PENDING            ((NTSTATUS)0xC0000056L)
#define STATUS_INSUFFICIENT_RESOURCES    ((NTSTATUS)0xC000009AL)
#define STATUS_DEVICE_NOT_CONNECTED      ((NTSTATUS)0xC000009DL)
#define STATUS_DEVICE_NOT_READY          ((NTSTATUS)0xC00000A3L)
#define STATUS_IO_TIMEOUT                ((NTSTATUS)0xC00000B5L)
#define STATUS_NOT_SUPPORTED             ((NTSTATUS)0xC00000BBL)
#define STATUS_CANCELLED                 ((NTSTATUS)0xC0000120L)
#define STATUS_INVALID_DEVICE_STATE      ((NTSTATUS)0xC0000184L)
#define STATUS_IO_DEVICE_ERROR           ((NTSTATUS)0xC0000185L)
#define STATUS_NOT_FOUND                 ((NTSTATUS)0xC0000225L)
#define STATUS_DEVICE_REMOVED            ((NTSTATUS)0xC00002B6L)

#endif

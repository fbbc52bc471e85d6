/*
 * ntstatus.h — NT_SUCCESS and the common NTSTATUS codes, for rules that
 * test $return of a DDI or of a driver routine.
 *
 * lockstep carries every value as a signed 64-bit integer, and an NTSTATUS
 * is a signed 32-bit LONG: a value with the high bit set (warnings
 * 0x8xxxxxxx, errors 0xCxxxxxxx) is negative once sign-extended.  The codes
 * below are therefore written as negative decimals, each with its usual hex
 * spelling beside it, so NT_SUCCESS is false for them.  Event sources must
 * sign-extend a 32-bit status likewise (a trace writes 0xC0000001 as
 * -1073741823 or 0xffffffffc0000001).  Part of lockstep's rule include
 * directory; see docs/rule-includes.md.
 */
#ifndef LOCKSTEP_RULES_NTSTATUS_H
#define LOCKSTEP_RULES_NTSTATUS_H

/* Severity classes, by the top two bits of the 32-bit code:
 * success 00, informational 01, warning 10, error 11. */
#define NT_SUCCESS(Status)      ((Status) >= 0)
#define NT_INFORMATION(Status)  ((Status) >= 1073741824)
#define NT_WARNING(Status)      ((Status) < -1073741824)
#define NT_ERROR(Status)        ((Status) >= -1073741824 && (Status) < 0)

/* success and informational */
#define STATUS_SUCCESS                       0              /* 0x00000000 */
#define STATUS_WAIT_0                        0              /* 0x00000000 */
#define STATUS_USER_APC                      192            /* 0x000000C0 */
#define STATUS_ALERTED                       257            /* 0x00000101 */
#define STATUS_TIMEOUT                       258            /* 0x00000102 */
#define STATUS_PENDING                       259            /* 0x00000103 */
#define STATUS_REPARSE                       260            /* 0x00000104 */
#define STATUS_MORE_ENTRIES                  261            /* 0x00000105 */

/* warnings */
#define STATUS_BUFFER_OVERFLOW               (-2147483643)  /* 0x80000005 */
#define STATUS_DEVICE_BUSY                   (-2147483631)  /* 0x80000011 */
#define STATUS_NO_MORE_ENTRIES               (-2147483622)  /* 0x8000001A */

/* errors */
#define STATUS_UNSUCCESSFUL                  (-1073741823)  /* 0xC0000001 */
#define STATUS_NOT_IMPLEMENTED               (-1073741822)  /* 0xC0000002 */
#define STATUS_INVALID_HANDLE                (-1073741816)  /* 0xC0000008 */
#define STATUS_INVALID_PARAMETER             (-1073741811)  /* 0xC000000D */
#define STATUS_INVALID_DEVICE_REQUEST        (-1073741808)  /* 0xC0000010 */
#define STATUS_MORE_PROCESSING_REQUIRED      (-1073741802)  /* 0xC0000016 */
#define STATUS_NO_MEMORY                     (-1073741801)  /* 0xC0000017 */
#define STATUS_ACCESS_DENIED                 (-1073741790)  /* 0xC0000022 */
#define STATUS_BUFFER_TOO_SMALL              (-1073741789)  /* 0xC0000023 */
#define STATUS_OBJECT_NAME_NOT_FOUND         (-1073741772)  /* 0xC0000034 */
#define STATUS_DELETE_PENDING                (-1073741738)  /* 0xC0000056 */
#define STATUS_INSUFFICIENT_RESOURCES        (-1073741670)  /* 0xC000009A */
#define STATUS_DEVICE_NOT_CONNECTED          (-1073741667)  /* 0xC000009D */
#define STATUS_DEVICE_NOT_READY              (-1073741661)  /* 0xC00000A3 */
#define STATUS_IO_TIMEOUT                    (-1073741643)  /* 0xC00000B5 */
#define STATUS_NOT_SUPPORTED                 (-1073741637)  /* 0xC00000BB */
#define STATUS_CANCELLED                     (-1073741536)  /* 0xC0000120 */
#define STATUS_INVALID_DEVICE_STATE          (-1073741436)  /* 0xC0000184 */
#define STATUS_IO_DEVICE_ERROR               (-1073741435)  /* 0xC0000185 */
#define STATUS_NOT_FOUND                     (-1073741275)  /* 0xC0000225 */
#define STATUS_DEVICE_REMOVED                (-1073741130)  /* 0xC00002B6 */

#endif

/*
 * ntdef.h — lockstep's DDI model: the basic Windows kernel types
 * (UCHAR, ULONG, BOOLEAN, PVOID, NTSTATUS, LARGE_INTEGER, LIST_ENTRY,
 * UNICODE_STRING), the decoration macros drivers write (IN, OUT, NTAPI,
 * UNREFERENCED_PARAMETER, CONTAINING_RECORD) and, through ntstatus.h, the
 * NTSTATUS codes.
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 * Sizes follow Windows (LLP64) where driver code can tell: LONG and ULONG
 * are 32 bits on every target, pointers and ULONG_PTR are the target's.
 */
#ifndef LOCKSTEP_DDK_NTDEF_H
#define LOCKSTEP_DDK_NTDEF_H

#include "sal.h"

/* decoration: calling conventions and import markers mean nothing here */
#ifndef NTAPI
#define NTAPI
#endif
#ifndef NTKERNELAPI
#define NTKERNELAPI
#endif
#ifndef NTSYSAPI
#define NTSYSAPI
#endif
#ifndef FASTCALL
#define FASTCALL
#endif
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#ifndef CONST
#define CONST const
#endif
#ifndef VOID
#define VOID void
#endif
#ifndef FORCEINLINE
#define FORCEINLINE static inline
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif
#define TRUE  1
#define FALSE 0

#define UNREFERENCED_PARAMETER(P)   ((void)(P))
#define ARGUMENT_PRESENT(P)         ((P) != NULL)
#define FIELD_OFFSET(type, field)   ((LONG)__builtin_offsetof(type, field))
#define CONTAINING_RECORD(address, type, field) \
    ((type *)((PCHAR)(address) - (ULONG_PTR)__builtin_offsetof(type, field)))

/* integers: LONG/ULONG stay 32 bits on LP64 Linux, as on Windows */
typedef void *PVOID;
typedef char CHAR, *PCHAR, *PSTR;
typedef const char *PCSTR;
typedef char CCHAR;
typedef unsigned char UCHAR, *PUCHAR;
typedef short SHORT, CSHORT, *PSHORT;
typedef unsigned short USHORT, *PUSHORT;
#if defined(_WIN32)
typedef long LONG;
typedef unsigned long ULONG;
#else
typedef int LONG;
typedef unsigned int ULONG;
#endif
typedef LONG *PLONG;
typedef ULONG *PULONG;
typedef long long LONGLONG, *PLONGLONG;
typedef unsigned long long ULONGLONG, *PULONGLONG;
typedef ULONGLONG ULONG64, *PULONG64;
typedef __INTPTR_TYPE__ LONG_PTR, *PLONG_PTR;
typedef __UINTPTR_TYPE__ ULONG_PTR, *PULONG_PTR;
typedef __SIZE_TYPE__ SIZE_T, *PSIZE_T;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef unsigned short WCHAR, *PWCH, *PWSTR;
typedef const WCHAR *PCWSTR;
typedef PVOID HANDLE, *PHANDLE;

typedef LONG NTSTATUS, *PNTSTATUS;

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef struct _UNICODE_STRING {
    USHORT Length;              /* bytes, without a terminator */
    USHORT MaximumLength;
    PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

/* The doubly linked list helpers are inline in the WDK too: data structure
 * code, not kernel calls, so they raise no events. */
FORCEINLINE VOID InitializeListHead(PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}

FORCEINLINE BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
    return (BOOLEAN)(ListHead->Flink == ListHead);
}

FORCEINLINE VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY last = ListHead->Blink;
    Entry->Flink = ListHead;
    Entry->Blink = last;
    last->Flink = Entry;
    ListHead->Blink = Entry;
}

FORCEINLINE VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY first = ListHead->Flink;
    Entry->Flink = first;
    Entry->Blink = ListHead;
    first->Blink = Entry;
    ListHead->Flink = Entry;
}

FORCEINLINE BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY next = Entry->Flink, prev = Entry->Blink;
    prev->Flink = next;
    next->Blink = prev;
    return (BOOLEAN)(next == prev);
}

FORCEINLINE PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY entry = ListHead->Flink;
    RemoveEntryList(entry);
    return entry;
}

#include "ntstatus.h"

#endif

/*
 * ntdef.h — lockstep's DDI model: the basic Windows kernel types
 * (UCHAR, ULONG, BOOLEAN, PVOID, NTSTATUS, LARGE_INTEGER, LIST_ENTRY,
 * UNICODE_STRING, STRING, OBJECT_ATTRIBUTES), the decoration macros drivers
 * write (IN, OUT, NTAPI, UNREFERENCED_PARAMETER, CONTAINING_RECORD), the
 * integer limits, structured exception handling (try/except) and, through
 * guiddef.h and ntstatus.h, GUIDs and the NTSTATUS codes.
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

/* the other spellings of the string and character pointers */
typedef CHAR *LPSTR, *PCH;
typedef const CHAR *LPCSTR, *PCCH, *PCSZ;
typedef WCHAR *PWCHAR, *LPWSTR;
typedef const WCHAR *LPCWSTR, *PCWCH;
typedef int INT;
typedef unsigned int UINT;
typedef LONG_PTR SSIZE_T;
typedef ULONG LOGICAL, *PLOGICAL;

/* limits of the integer types */
#define MAXUCHAR        0xff
#define MAXUSHORT       0xffff
#define MAXULONG        0xffffffffUL
#define MAXLONG         0x7fffffffL
#define MINLONG         (-MAXLONG - 1)
#define MAXLONGLONG     0x7fffffffffffffffLL

/* 32 x 32 -> 64-bit products, as drivers compute relative timeouts */
#define Int32x32To64(a, b)  ((LONGLONG)(LONG)(a) * (LONGLONG)(LONG)(b))
#define UInt32x32To64(a, b) ((ULONGLONG)(ULONG)(a) * (ULONGLONG)(ULONG)(b))

/* counts and sizes of arrays and fields */
#define RTL_NUMBER_OF(array)        (sizeof(array) / sizeof((array)[0]))
#define ARRAYSIZE(array)            RTL_NUMBER_OF(array)
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define ANYSIZE_ARRAY               1
#define C_ASSERT(e)                 _Static_assert(e, #e)

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

typedef union _ULARGE_INTEGER {
    struct {
        ULONG LowPart;
        ULONG HighPart;
    };
    struct {
        ULONG LowPart;
        ULONG HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

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

/* counted 8-bit strings (RtlInitAnsiString, RtlUnicodeStringToAnsiString) */
typedef struct _STRING {
    USHORT Length;              /* bytes, without a terminator */
    USHORT MaximumLength;
    PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCANSI_STRING;

/* A counted string over a literal: UNICODE_STRING s = RTL_CONSTANT_STRING(L"x"). */
#define RTL_CONSTANT_STRING(s) \
    { (USHORT)(sizeof(s) - sizeof((s)[0])), (USHORT)sizeof(s), (void *)(s) }

/* What ZwCreateFile, ZwOpenKey, PsCreateSystemThread, ... are told about
 * the object: its name, the directory it is relative to, OBJ_* flags. */
typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    PUNICODE_STRING ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
typedef const OBJECT_ATTRIBUTES *PCOBJECT_ATTRIBUTES;

#define InitializeObjectAttributes(p, n, a, r, s) do {  \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES);        \
        (p)->RootDirectory = (r);                       \
        (p)->Attributes = (a);                          \
        (p)->ObjectName = (n);                          \
        (p)->SecurityDescriptor = (s);                  \
        (p)->SecurityQualityOfService = NULL;           \
    } while (0)

/* Structured exception handling.  The Windows target's compiler (clang
 * with -fms-extensions, MSVC) knows __try/__except/__finally; elsewhere the
 * guarded block becomes a plain block and the handler a branch the analysis
 * need not take, since the model raises no exceptions.  __leave has no such
 * spelling and stays undefined.  Drivers also write the lower-case forms. */
#if !defined(_MSC_VER)
#define __try                       if (1)
#define __except(filter)            else if (filter)
#define __finally                   if (1)
#define GetExceptionCode()          STATUS_ACCESS_VIOLATION   /* any will do */
#else
#define GetExceptionCode            _exception_code
#endif
#define try                         __try
#define except                      __except
#define finally                     __finally
#define EXCEPTION_EXECUTE_HANDLER       1
#define EXCEPTION_CONTINUE_SEARCH       0
#define EXCEPTION_CONTINUE_EXECUTION    (-1)

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

/* The Microsoft C run-time's case-insensitive comparisons, which the
 * kernel's C library has and drivers call; the other string functions are
 * the host's <string.h>. */
int _stricmp(const char *String1, const char *String2);
int _strnicmp(const char *String1, const char *String2, SIZE_T Count);
int _wcsicmp(const WCHAR *String1, const WCHAR *String2);
int _wcsnicmp(const WCHAR *String1, const WCHAR *String2, SIZE_T Count);

#include "guiddef.h"
#include "ntstatus.h"

#endif

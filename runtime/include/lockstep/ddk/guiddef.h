/*
 * guiddef.h — lockstep's DDI model: the GUID type and DEFINE_GUID, which
 * declares a GUID (extern) or, after <initguid.h>, defines it with its
 * value.  Like the WDK's, DEFINE_GUID follows INITGUID each time this file
 * is included, so a driver can define its GUIDs in one source file and
 * declare them in the rest.
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 */
#ifndef LOCKSTEP_DDK_GUIDDEF_H
#define LOCKSTEP_DDK_GUIDDEF_H

/* 128 bits: 32, 16, 16 and 8 x 8, as the text form {8-4-4-4-12} groups them */
typedef struct _GUID {
    unsigned int Data1;
    unsigned short Data2;
    unsigned short Data3;
    unsigned char Data4[8];
} GUID, *PGUID, *LPGUID;
typedef const GUID *LPCGUID, *PCGUID, *REFGUID;

#define IsEqualGUID(a, b) \
    (__builtin_memcmp((a), (b), sizeof(GUID)) == 0)

/* Every source file that includes <initguid.h> defines the GUIDs it
 * uses, so the definitions are mergeable (weak, or selectany). */
#if defined(_MSC_VER)
#define LOCKSTEP_DDK_SELECTANY __declspec(selectany)
#else
#define LOCKSTEP_DDK_SELECTANY __attribute__((weak))
#endif

#endif

/* outside the guard: what DEFINE_GUID does depends on INITGUID now */
#undef DEFINE_GUID
#ifdef INITGUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    LOCKSTEP_DDK_SELECTANY const GUID name = \
        { l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    extern const GUID name
#endif

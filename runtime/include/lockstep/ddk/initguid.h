/*
 * initguid.h — lockstep's DDI model: included before the headers that use
 * DEFINE_GUID, it makes them define each GUID with its value instead of
 * declaring it (guiddef.h).
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 */
#ifndef INITGUID
#define INITGUID
#endif
#include "guiddef.h"

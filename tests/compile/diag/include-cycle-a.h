/* Part of the include-cycle case: a.h includes b.h includes a.h. */
#define CYCLE_A 1
#include "include-cycle-b.h"

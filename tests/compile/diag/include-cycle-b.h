/* Part of the include-cycle case. */
#define CYCLE_B 2
#include "include-cycle-a.h"

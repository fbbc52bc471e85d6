/* Part of the error-in-header case: the mistake is on line 3. */
#define PASSIVE_LEVEL 0
#define APC_LEVEL = 1 $

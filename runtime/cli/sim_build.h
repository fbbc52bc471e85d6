/*
 * sim_build.h — `lockstep sim`'s driver build: the driver's C sources,
 * compiled with $CC as a shared object against the DDI model headers,
 * kept in the cache (cc_cache.h, subdirectory drivers/) under the SHA-256
 * of their preprocessed text, the compiler command and the flags, and
 * loaded with dlopen.  Its kernel calls bind to the kernel model that the
 * lockstep executable exports (runtime/sources/sim/kmodel.dynlist).
 */
#ifndef LS_CLI_SIM_BUILD_H
#define LS_CLI_SIM_BUILD_H

#include "sim.h"

/* A loaded driver. */
struct sim_driver {
    void *handle;                   /* dlopen handle                         */
    sim_driver_entry *entry;        /* its DriverEntry                       */
    char *object;                   /* the cache entry (owned)               */
};

/* Build (or find in the cache) and load the driver made of sources with
 * the extra compiler flags cflags.  0, or -1 after reporting on stderr:
 * the compiler's diagnostics when it does not compile, the missing kernel
 * calls when it calls DDIs the model does not implement, a driver without
 * DriverEntry. */
int sim_build_load(struct sim_driver *d, char *const *sources, int nsources,
                   char *const *cflags, int ncflags);

/* Unload; a zeroed or failed driver is allowed. */
void sim_build_unload(struct sim_driver *d);

#endif

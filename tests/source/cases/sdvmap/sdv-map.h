/*
 * sdv-map.h: Static Driver Verifier's map from roles to driver routines,
 * as SDV writes it beside a driver's sources.  It is the only thing that
 * tells lockstep scan that MapStartIo is the miniport's HwStartIo in the
 * two cases of this directory (they carry no role-type declaration).
 */
#define fun_HW_STARTIO MapStartIo

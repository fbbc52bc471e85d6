# seed-rules.awk — the two seed rules checked by a plain awk script: the
# tool a user would write instead of lockstep, and the yardstick for
# `bench/run compare`.  It reads a native text trace (docs/trace-format.md)
# and prints one line per violation and a count at the end.
#
#   IrqlKeReleaseSpinLock  KeReleaseSpinLock is entered at DISPATCH_LEVEL and
#                          its NewIrql ($2) is the IRQL below the top of the
#                          thread's IRQL stack (the one the acquire saved).
#   QueuedSpinLockRelease  KeReleaseInStackQueuedSpinLock's handle ($1) was
#                          acquired by KeAcquireInStackQueuedSpinLock ($2 at
#                          its exit) and not released since.
#
# As in lockstep, an instance stops at its first violation (no cascades):
# IrqlKeReleaseSpinLock has one per thread, QueuedSpinLockRelease one per
# handle.  The IRQL model is runtime/core/env.c's, in awk: a stack per thread, a
# call's effect applied at its exit, a recorded IRQL overriding the top.
# Lock handles are compared as text; levels (NewIrql, KeRaiseIrql's
# NewIrql) are converted with +0, which Debian's default awk (mawk) does for
# hexadecimal too.
#
#   awk -f bench/seed-rules.awk TRACE

function level(text) {
    text += 0
    return text < 0 ? 0 : text > 31 ? 31 : text
}

function push(t, l) { depth[t]++; stack[t, depth[t]] = l }

function pop(t) {
    if (depth[t] > 1) depth[t]--
    else stack[t, 1] = 0
}

# The model's effect of a call that has just returned (its exit event).
function apply_exit(t, fn) {
    if (fn == "KeAcquireSpinLock" || fn == "KeAcquireSpinLockRaiseToDpc" ||
        fn == "KeAcquireInStackQueuedSpinLock" || fn == "KeRaiseIrqlToDpcLevel" ||
        fn == "IoAcquireCancelSpinLock")
        push(t, 2)
    else if (fn == "StorPortAcquireSpinLock")
        push(t, $8 == "3" || $8 == "0x3" ? 5 : 2)
    else if (fn == "KeRaiseIrql")
        push(t, level($6))
    else if (fn == "KeReleaseSpinLock") {
        pop(t); stack[t, depth[t]] = level($7)
    } else if (fn == "KeLowerIrql" || fn == "IoReleaseCancelSpinLock") {
        pop(t); stack[t, depth[t]] = level($6)
    } else if (fn == "KeReleaseInStackQueuedSpinLock" || fn == "StorPortReleaseSpinLock")
        pop(t)
}

/^[ \t]*(#|$)/ { next }

{
    t = $2
    if (!(t in depth)) { depth[t] = 1; stack[t, 1] = 0 }
    if ($4 == "exit")
        apply_exit(t, $5)
    if ($3 != "-")
        stack[t, depth[t]] = $3 + 0
    if ($4 == "entry" && $5 == "KeReleaseSpinLock" && !stopped[t]) {
        current = stack[t, depth[t]]
        previous = depth[t] > 1 ? stack[t, depth[t] - 1] : 0
        if (current != 2) {
            print "event " $1 " (" t "): IrqlKeReleaseSpinLock: not at DISPATCH_LEVEL"
            violations++; stopped[t] = 1
        } else if (level($7) != previous) {
            print "event " $1 " (" t "): IrqlKeReleaseSpinLock: does not restore the saved IRQL"
            violations++; stopped[t] = 1
        }
    } else if ($4 == "exit" && $5 == "KeAcquireInStackQueuedSpinLock" && !stopped[$7]) {
        held[$7] = 1
    } else if ($4 == "entry" && $5 == "KeReleaseInStackQueuedSpinLock" && !stopped[$6]) {
        if (held[$6]) {
            delete held[$6]
        } else {
            print "event " $1 " (" t "): QueuedSpinLockRelease: handle not acquired"
            violations++; stopped[$6] = 1
        }
    }
}

END { print violations + 0 " violations" }

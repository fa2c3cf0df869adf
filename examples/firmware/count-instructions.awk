# Counts the instructions a firmware executes between marker functions, from QEMU's execution
# log with one instruction per translation block (`-singlestep` or
# `-accel tcg,one-insn-per-tb=on`, with `-d exec,nochain`), where every executed instruction
# is one `Trace` line ending in the name of its function.
#
# A window opens when `tinyrnn_mark_NAME` is entered and closes when `tinyrnn_mark_end` is;
# the instructions between (not counting the markers' own) add to NAME. Lines that are not
# `Trace` lines (the firmware's semihosting output, on the same stream) go to the file `out`.
#
# Prints `NAME INSTRUCTIONS WINDOWS` per marker, and `total INSTRUCTIONS 1` for the whole run.

$1 == "Trace" {
    total++
    sym = $NF
    if (sym ~ /^tinyrnn_mark_/) {
        if (sym != prev) {
            if (sym == "tinyrnn_mark_end") {
                if (cur != "") { count[cur] += n; windows[cur]++ }
                cur = ""
            } else {
                cur = substr(sym, 14); n = 0
            }
        }
    } else if (cur != "") {
        n++
    }
    prev = sym
    next
}

{ print > out }

END {
    for (k in count) print k, count[k], windows[k]
    print "total", total + 0, 1
}

# Counts the instructions a firmware executes between marker functions, from QEMU's log with
# `-d in_asm,exec,nochain`: `in_asm` prints each translation block (TB) once, when QEMU
# translates it (an `IN: function` line, then a line per instruction, `0x...:`, then a blank
# line); `exec` with `nochain` prints a `Trace` line each time a TB runs, with its address and
# the name of its function. A TB runs whole (it ends at the first branch or call), so the
# instructions executed are the sum, over the `Trace` lines, of their TB's instructions. (Far
# fewer lines than one per instruction, as `-singlestep` gives: a fifth of them, on soft float.)
#
# A window opens when `tinyrnn_mark_NAME` is entered and closes when `tinyrnn_mark_end` is;
# the instructions between (not counting the markers' own) add to NAME. Other lines (QEMU's
# own messages, if any) go to the file `out`.
#
# Prints `NAME INSTRUCTIONS WINDOWS` per marker, and `total INSTRUCTIONS 1` for the whole run;
# then `share NAME KIND INSTRUCTIONS` for where NAME's instructions went, by the kind of function
# that ran them: the soft-float library's addition (`__addsf3`, `__aeabi_fadd`, subtraction),
# multiplication (`__mulsf3`, `__aeabi_fmul` and the 64-bit product it calls, `__aeabi_lmul`),
# division, comparisons, other library functions (`memcpy`, `__clzsi2`, ...), and `model`:
# tinyrnn's own code (the loops, the calls, and on a core with an FPU, the float instructions).
# With `-v entries=ADDRESS=KIND,...` (the soft-float functions' entry points, as 8 hex digits),
# also `calls NAME KIND N`: how many times NAME called a function of that kind.
# Exits 1 (with a message on stderr) if a TB ran that was never printed, or if QEMU printed
# no instructions (a QEMU without a disassembler prints `OBJD-T:` hex instead).

function fail(msg) {
    print "count-instructions.awk: " msg > "/dev/stderr"
    failed = 1
    exit 1
}

function kind(sym) {
    if (sym ~ /(addsf3|subsf3|aeabi_fadd|aeabi_fsub|aeabi_frsub)/) return "add"
    if (sym ~ /(mulsf3|aeabi_fmul|aeabi_lmul|muldi3)/) return "mul"
    if (sym ~ /(divsf3|aeabi_fdiv)/) return "div"
    if (sym ~ /([gl][te]sf2|eqsf2|nesf2|unordsf2|aeabi_fcmp|cmpsf2)/) return "compare"
    if (sym ~ /(compiler_builtins|^__|^mem(cpy|set|move|clr))/) return "library"
    return "model"
}

BEGIN {
    n_entries = split(entries, e, ",")
    for (i = 1; i <= n_entries; i++) if (split(e[i], kv, "=") == 2) entry[kv[1]] = kv[2]
}

# An executed TB: `Trace 0: 0x7f... [00000000/20010abc/00101003/ff000200] function`, its
# address the second field in brackets, as in_asm prints it (8 hex digits on these cores).
$1 == "Trace" {
    split($4, f, "/")
    pc = f[2]
    if (!(pc in size)) fail("a TB ran at 0x" pc " that in_asm never printed")
    n_tb = size[pc]
    total += n_tb
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
        n += n_tb
        if (!(sym in kinds)) kinds[sym] = kind(sym)
        share[cur, kinds[sym]] += n_tb
        if (pc in entry) calls[cur, entry[pc]]++
    }
    prev = sym
    next
}

# A translation: its first instruction's address names it; a later translation at the same
# address (after QEMU flushes its cache) replaces it.
/^IN:/ { in_tb = 1; start = ""; next }
in_tb && /^0x[0-9a-f]+:/ {
    addr = substr($1, 3, length($1) - 3)
    if (start == "") { start = addr; size[start] = 0 }
    size[start]++
    next
}
in_tb && /^OBJD-/ { fail("QEMU prints no instructions (OBJD-T: no disassembler)") }
in_tb && /^Priv:/ { next }
in_tb && /^$/ { in_tb = 0; next }
in_tb { next }
/^-+$/ { next }

{ print > out }

END {
    if (failed) exit 1
    for (k in count) print k, count[k], windows[k]
    print "total", total + 0, 1
    for (k in share) { split(k, p, SUBSEP); print "share", p[1], p[2], share[k] }
    for (k in calls) { split(k, p, SUBSEP); print "calls", p[1], p[2], calls[k] }
}

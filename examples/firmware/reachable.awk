# The static call graph of a firmware, from `objdump -d -C --no-show-raw-insn` output (Thumb
# from arm-none-eabi-objdump, `arch=arm`; RISC-V from riscv64-unknown-elf-objdump,
# `arch=riscv`): which functions the roots can reach through direct branches and calls, and
# whether any of them panics, traps or branches indirectly (which this scan could not follow).
#
#   arm-none-eabi-objdump -d -C --no-show-raw-insn ELF |
#       awk -v arch=arm -v roots="tinyrnn_seed_steps,tinyrnn_seed_forward" -f reachable.awk
#
# Prints `reach NAME` for each reachable function, then `panic NAME` for each one whose name is
# a panic path, `indirect NAME: INSN` for each indirect branch (not a return), `trap NAME: INSN`
# for each `udf` or `bkpt` (Thumb) or `unimp` or `ebreak` (RISC-V; semihosting calls are
# breakpoints too), and a last line
# `summary: N functions, P panicking, I indirect, T traps`.

# The text between the first "<" and the matching last ">" of an objdump line: a symbol,
# perhaps with "+0x..", whose demangled name may itself hold "<" and ">".
function target(line,    s) {
    s = substr(line, index(line, "<") + 1)
    sub(/>:?[ \t]*$/, "", s)
    sub(/\+0x[0-9a-f]+$/, "", s)
    return s
}

BEGIN {
    if (arch != "arm" && arch != "riscv") { print "reachable.awk: set arch=arm or arch=riscv" > "/dev/stderr"; exit 2 }
    n = split(roots, r, ",")
    for (i = 1; i <= n; i++) root[r[i]] = 1
}

# A function header: `00009970 <tinyrnn_seed_steps>:`
/^[0-9a-f]+ <.*>:$/ {
    fn = target($0)
    defined[fn] = 1
    next
}

# A RISC-V instruction: `20021342:	jalr	-1078(ra) # 20022f08 <__mulsf3>` (a call through
# `auipc`, its target resolved by objdump), `bne	s0,s6,2002132c <f+0x36>`, `j ...`, `ret`.
arch == "riscv" && fn != "" && /^ *[0-9a-f]+:\t/ {
    split($0, f, "\t")
    op = f[2]; args = f[3]
    if (op ~ /^(j|jal|beqz?|bnez?|blt|bltu|bge|bgeu|bgt|bgtu|ble|bleu|blez|bgez|bltz|bgtz)$/ && index($0, "<")) {
        to = target($0)
        if (to != fn) calls[fn, ++ncalls[fn]] = to
    } else if (op ~ /^(jalr|jr)$/) {
        if (index($0, "<")) {
            to = target($0)
            if (to != fn) calls[fn, ++ncalls[fn]] = to
        } else if (args != "ra") {
            indirect[fn] = indirect[fn] "\t" op " " args
        }
    } else if (op ~ /^(unimp|c\.unimp|ebreak|c\.ebreak)$/) {
        trap[fn] = trap[fn] "\t" op
    }
    next
}

# A Thumb instruction: `    99a0:	bl	7b8c <name>`, fields separated by tabs.
fn != "" && /^ *[0-9a-f]+:\t/ {
    split($0, f, "\t")
    op = f[2]; args = f[3]
    if (op ~ /^(b|bl|blx|b(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)|cbz|cbnz)(\.[nw])?$/ && index($0, "<")) {
        to = target($0)
        if (to != fn) calls[fn, ++ncalls[fn]] = to
    } else if (op ~ /^(blx|bx)(\.[nw])?$/ && args !~ /^lr/) {
        indirect[fn] = indirect[fn] "\t" op " " args
    } else if ((op ~ /^(ldr|mov)(\.[nw])?$/ && args ~ /^pc,/ && args !~ /^pc, \[sp\], #4/) ||
               (op ~ /^(pop|ldm)/ && args ~ /pc/ && args !~ /^(sp!, )?\{.*pc\}$/)) {
        # Loads of pc other than returns (`pop {..., pc}`, `ldmia sp!, {..., pc}`,
        # `ldr pc, [sp], #4`): a jump through a register or a table.
        indirect[fn] = indirect[fn] "\t" op " " args
    } else if (op ~ /^(udf|bkpt)/) {
        trap[fn] = trap[fn] "\t" op " " args
    }
}

END {
    # Breadth-first from the roots.
    head = 0; tail = 0
    for (fn in root) if (fn in defined) { seen[fn] = 1; queue[tail++] = fn } else missing = missing " " fn
    while (head < tail) {
        fn = queue[head++]
        for (i = 1; i <= ncalls[fn]; i++) {
            to = calls[fn, i]
            if (!(to in seen)) { seen[to] = 1; queue[tail++] = to }
        }
    }
    if (missing != "") print "missing root:" missing
    np = 0; ni = 0; nt = 0
    for (i = 0; i < tail; i++) print "reach " queue[i]
    for (i = 0; i < tail; i++) {
        fn = queue[i]
        if (tolower(fn) ~ /panic|unwrap_failed|expect_failed|_fail$|len_fail|index_order_fail|begin_unwind|abort|assert_failed/) { print "panic " fn; np++ }
        if (fn in indirect) { print "indirect " fn ":" indirect[fn]; ni++ }
        if (fn in trap) { print "trap " fn ":" trap[fn]; nt++ }
    }
    print "summary: " tail " functions, " np " panicking, " ni " indirect, " nt " traps"
}

//! What differs between the three cores the firmware runs on, each a QEMU board: its name,
//! printing and exiting through semihosting, the stack pointer and the stack's bounds. All
//! else (the models, the checks, the measurements) is the same code on every core.
//!
//! | target | core | QEMU board | floats |
//! |---|---|---|---|
//! | `thumbv7em-none-eabihf` | Cortex-M4F | `mps2-an386` | the FPU |
//! | `thumbv6m-none-eabi` | Cortex-M0 | `microbit` (nRF51822) | library calls (`__aeabi_fadd`, ...) |
//! | `riscv32imc-unknown-none-elf` | RV32IMC | `sifive_e` (FE310-G002, HiFive1 Rev B) | library calls (`__addsf3`, ...) |
//!
//! The runtimes, cortex-m-rt and riscv-rt, both name the top of the stack `_stack_start` and
//! the end of the statics in RAM `__euninit` (where the stack may grow down to); both start
//! RAM with `.data` (`__sdata`).

#[cfg(target_arch = "arm")]
pub use cortex_m_semihosting::hprintln;
#[cfg(target_arch = "riscv32")]
pub use riscv_semihosting::hprintln;

/// The core, its target and the QEMU board, as the firmware prints them.
#[cfg(all(target_arch = "arm", target_abi = "eabihf"))]
pub const NAME: &str = "Cortex-M4F (thumbv7em-none-eabihf, QEMU mps2-an386)";
/// The core, its target and the QEMU board, as the firmware prints them.
#[cfg(all(target_arch = "arm", not(target_abi = "eabihf")))]
pub const NAME: &str = "Cortex-M0 (thumbv6m-none-eabi, QEMU microbit), no FPU";
/// The core, its target and the QEMU board, as the firmware prints them.
#[cfg(target_arch = "riscv32")]
pub const NAME: &str = "RV32IMC (riscv32imc-unknown-none-elf, QEMU sifive_e), no FPU";

/// Ends the program: QEMU exits with status 0 if `ok`, else 1 (semihosting's `SYS_EXIT`).
pub fn exit(ok: bool) -> ! {
    #[cfg(target_arch = "arm")]
    use cortex_m_semihosting::debug;
    #[cfg(target_arch = "riscv32")]
    use riscv_semihosting::debug;
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Only without a debugger (semihosting) to end the program.
    loop {
        core::hint::spin_loop();
    }
}

/// The stack pointer.
#[inline(always)]
pub fn sp() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer register, nothing else.
    unsafe {
        #[cfg(target_arch = "arm")]
        core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags));
        #[cfg(target_arch = "riscv32")]
        core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags));
    }
    sp
}

unsafe extern "C" {
    static __sdata: u32;
    static __euninit: u32;
    static _stack_start: u32;
}

/// The lowest address the stack may reach: the end of the statics in RAM.
pub fn stack_bottom() -> usize {
    core::ptr::addr_of!(__euninit) as usize
}

/// The top of the stack, where it starts at reset.
pub fn stack_top() -> usize {
    core::ptr::addr_of!(_stack_start) as usize
}

/// Whether `address` is in RAM (from the start of `.data` to the top of the stack), else in
/// flash.
pub fn in_ram(address: usize) -> bool {
    let start = core::ptr::addr_of!(__sdata) as usize;
    (start..stack_top()).contains(&address)
}

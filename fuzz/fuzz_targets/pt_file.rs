#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tinyrnn_fuzz::pt_bytes(data);
});

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tinyrnn_fuzz::keras_config(data);
});

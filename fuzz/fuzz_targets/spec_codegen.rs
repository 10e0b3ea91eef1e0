//! Spec text (YAML) through the loader and, when it loads, every emitter (what
//! `cargo xtask codegen` does with it, in memory), and the spec written back as YAML must
//! load again.
#![no_main]
use libfuzzer_sys::fuzz_target;
use partnergen_codegen::emit::emit;
use partnergen_codegen::specfile::{parse_spec, to_yaml};

fuzz_target!(|text: &str| {
    let Ok(loaded) = parse_spec("spec/fuzz.yaml", text) else {
        return;
    };
    let files = emit("spec/fuzz.yaml", &loaded.spec);
    assert!(!files.is_empty(), "a loaded spec emitted no files");
    if let Err(errors) = parse_spec("spec/fuzz.yaml", &to_yaml(&loaded.spec)) {
        panic!("a loaded spec, written back, does not load:\n{errors}");
    }
});

//! Spec text (YAML) through the loader: parse and validate.
#![no_main]
use libfuzzer_sys::fuzz_target;
use partnergen_codegen::specfile::parse_spec;

fuzz_target!(|text: &str| {
    match parse_spec("spec/fuzz.yaml", text) {
        Ok(loaded) => {
            let _ = loaded.warnings.to_string();
        }
        Err(errors) => {
            assert!(errors.has_errors(), "a spec was refused without an error");
            let _ = errors.to_string();
        }
    }
});

//! The checkout a command works on, found at run time from the current directory.
//!
//! Not `env!("CARGO_MANIFEST_DIR")`: that is baked in when xtask is compiled, so after a
//! checkout is moved, or with two checkouts sharing one target dir (and so one xtask
//! binary), xtask would read and write the other checkout's `spec/` and `generated/`.
//! Not the run-time `CARGO_MANIFEST_DIR` either: `cargo run` sets it, but every process
//! started under `cargo test` or `cargo run` inherits it, pointing wherever that cargo
//! was run.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

/// The nearest ancestor of `start` (itself included) that is a checkout: its `Cargo.toml`
/// declares a `[workspace]` and it has a `spec/` directory. (xtask/Cargo.toml declares a
/// workspace of its own, hence the `spec/` test.)
pub fn find(start: &Path) -> Result<PathBuf> {
    for dir in start.ancestors() {
        if dir.join("spec").is_dir() && declares_workspace(&dir.join("Cargo.toml")) {
            return Ok(dir.to_path_buf());
        }
    }
    bail!(
        "{} is not inside a partnergen checkout (no ancestor has a Cargo.toml with \
         [workspace] and a spec/ directory): run `cargo xtask` from the repository root",
        start.display()
    )
}

/// Whether the manifest has a `[workspace]` table (a line of its own, as cargo writes it;
/// a manifest that cannot be read has none).
fn declares_workspace(manifest: &Path) -> bool {
    std::fs::read_to_string(manifest)
        .is_ok_and(|text| text.lines().any(|line| line.trim() == "[workspace]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_checkout_above_the_directory() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("checkout");
        let xtask = root.join("xtask/src");
        std::fs::create_dir_all(root.join("spec")).unwrap();
        std::fs::create_dir_all(&xtask).unwrap();
        std::fs::write(root.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
        // A workspace of its own without spec/ (like xtask's) is passed over.
        std::fs::write(root.join("xtask/Cargo.toml"), "[package]\n[workspace]\n").unwrap();
        assert_eq!(find(&root).unwrap(), root);
        assert_eq!(find(&xtask).unwrap(), root);
        // spec/ without a workspace manifest is not a checkout.
        let bare = outer.path().join("bare");
        std::fs::create_dir_all(bare.join("spec")).unwrap();
        let err = find(&bare).unwrap_err().to_string();
        assert!(err.contains("not inside a partnergen checkout"), "{err}");
    }
}

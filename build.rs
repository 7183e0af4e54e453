//! Build script: prepares files that come from npm packages.
//!
//! `node_modules/` is not committed, so a developer (or CI) installs it once
//! with `npm ci --ignore-scripts`, which `package-lock.json` keeps exact.
//! This script never runs npm and never touches the network: it only reads
//! what is already in `node_modules/`, checks that the installed versions are
//! the ones pinned in `package.json`, and writes into `OUT_DIR`:
//!
//! - `nhsuk/`: the NHS.UK frontend CSS, JavaScript, images and web manifest,
//!   which `src/platform/web/assets.rs` embeds in the binary;
//! - `blocked_passwords.txt`: common passwords (lower-case, sorted, one per
//!   line), which `src/identity/password_policy.rs` embeds;
//! - the `NHSUK_FRONTEND_VERSION` compile-time variable, so asset URLs can
//!   never drift from the pinned version.

use std::fs;
use std::path::{Path, PathBuf};

const NHSUK: &str = "nhsuk-frontend";
const PASSWORDS: &str = "@zxcvbn-ts/language-common";
/// How many of the most common passwords to block (the list is ordered by
/// frequency; it currently holds fewer than this, so all are used).
const MAX_BLOCKED: usize = 100_000;

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    for watched in ["build.rs", "package.json", "package-lock.json", "static"] {
        println!("cargo::rerun-if-changed={watched}");
    }

    let pins = read_json(&root.join("package.json"));
    let nhsuk_dir = installed_package(&root, &pins, NHSUK);
    let passwords_dir = installed_package(&root, &pins, PASSWORDS);

    // NHS.UK frontend: CSS, JS and everything under dist/nhsuk/assets.
    let dist = nhsuk_dir.join("dist/nhsuk");
    let target = out.join("nhsuk");
    if target.exists() {
        fs::remove_dir_all(&target).expect("clear old assets");
    }
    copy_tree(&dist.join("assets"), &target);
    for file in ["nhsuk-frontend.min.css", "nhsuk-frontend.min.js"] {
        let text = fs::read_to_string(dist.join(file))
            .unwrap_or_else(|_| fail(&format!("{file} is missing from {NHSUK}")));
        fs::write(target.join(file), without_source_map_comment(&text)).expect("write asset");
    }
    let version = pins["dependencies"][NHSUK].as_str().unwrap_or_default();
    println!("cargo::rustc-env=NHSUK_FRONTEND_VERSION={version}");

    // Common passwords, most frequent first in the package's list.
    let list = read_json(&passwords_dir.join("src/passwords.json"));
    let mut blocked: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| fail(&format!("{PASSWORDS} has no password list")))
        .iter()
        .filter_map(|p| p.as_str())
        .take(MAX_BLOCKED)
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty() && !p.contains('\n'))
        .collect();
    blocked.sort_unstable();
    blocked.dedup();
    fs::write(out.join("blocked_passwords.txt"), blocked.join("\n"))
        .expect("write blocked_passwords.txt");
}

/// Returns `node_modules/<name>` after checking that its version is the pin.
fn installed_package(root: &Path, pins: &serde_json::Value, name: &str) -> PathBuf {
    let pinned = pins["dependencies"][name]
        .as_str()
        .unwrap_or_else(|| fail(&format!("package.json does not pin {name}")));
    let dir = root.join("node_modules").join(name);
    let manifest = dir.join("package.json");
    println!("cargo::rerun-if-changed={}", manifest.display());
    let installed = fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| json["version"].as_str().map(str::to_owned));
    match installed {
        Some(version) if version == pinned => dir,
        Some(version) => fail(&format!(
            "{name} {version} is installed but package.json pins {pinned}"
        )),
        None => fail(&format!("{name} {pinned} is not installed in node_modules")),
    }
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path)
        .unwrap_or_else(|_| fail(&format!("cannot read {}", path.display())));
    serde_json::from_str(&text)
        .unwrap_or_else(|_| fail(&format!("{} is not valid JSON", path.display())))
}

/// Copies a directory tree (the frontend's images and manifest).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create asset directory");
    let entries =
        fs::read_dir(from).unwrap_or_else(|_| fail(&format!("{} is missing", from.display())));
    for entry in entries {
        let entry = entry.expect("read asset directory");
        let destination = to.join(entry.file_name());
        if entry.file_type().expect("asset file type").is_dir() {
            copy_tree(&entry.path(), &destination);
        } else {
            fs::copy(entry.path(), destination).expect("copy asset");
        }
    }
}

/// Drops the trailing `sourceMappingURL` comment: we do not serve source maps,
/// so browsers' developer tools would only log a failed request for one.
fn without_source_map_comment(text: &str) -> &str {
    let comment = ["//# sourceMappingURL=", "/*# sourceMappingURL="]
        .iter()
        .filter_map(|marker| text.rfind(marker))
        .max();
    match comment {
        // Only a comment on the last line is removed.
        Some(at) if !text[at..].trim_end().contains('\n') => text[..at].trim_end(),
        _ => text,
    }
}

/// Stops the build with one message that says how to fix it.
fn fail(problem: &str) -> ! {
    println!(
        "cargo::error=Front-end packages are missing or out of date ({problem}). \
         Fix: run `npm ci --ignore-scripts` in the repository root (needs Node.js 20+ and npm), then build again."
    );
    std::process::exit(1);
}

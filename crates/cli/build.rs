//! Embeds the bundled example data (`examples/data/`) in the binary, so that `haven demo` runs
//! from any directory: the registry, the context knowledge base and every request file, in file
//! name order.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let data = manifest.join("../../examples/data");
    println!("cargo:rerun-if-changed={}", data.display());
    let requests_dir = data.join("requests");
    println!("cargo:rerun-if-changed={}", requests_dir.display());

    let mut requests: Vec<PathBuf> = std::fs::read_dir(&requests_dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    requests.sort();

    let mut code = String::new();
    for (name, file) in [("REGISTRY", "registry.jsonl"), ("CONTEXT", "context.jsonl")] {
        let path = data.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "pub const {name}: &str = include_str!({:?});",
            path.display().to_string()
        );
    }
    code.push_str("pub const REQUESTS: &[(&str, &str)] = &[\n");
    for path in &requests {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().expect("a file").to_string_lossy();
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("examples.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

//! Integration tests of haven-app, one binary: each module is one use case, each test has its
//! own data directory with the bundled example data imported through the service.

mod accounts;
mod imports;
mod need_to_know;
mod network;

use std::path::Path;
use std::sync::Arc;

use haven_app::{AccountName, ImportKind, MemorySource, Principal, Role, Service, ServiceOptions};
use haven_domain::CountryCode;
use haven_store::{ImportMode, SqliteDatabase};

/// The repository's example data directory.
pub fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data")
}

/// A principal of `role` named after it.
pub fn principal(role: Role) -> Principal {
    Principal {
        actor: AccountName::parse(role.as_str().replace('_', "-").as_str()).expect("valid name"),
        role,
    }
}

/// A service over `dir`, its index snapshot kept there.
pub fn service_in(dir: &Path) -> Service {
    let db = SqliteDatabase::open(dir).expect("database opens");
    Service::new(
        Arc::new(db),
        ServiceOptions {
            receiving_state: CountryCode::parse("be").expect("valid"),
            index_snapshot: Some(dir.join(haven_app::INDEX_FILE)),
            clock: haven_app::Clock::system(),
        },
    )
}

/// Imports a file of the example data through the service, as an administrator.
pub fn import_example(service: &Service, kind: ImportKind, file: &str) {
    let bytes = std::fs::read(examples().join(file)).expect("example data readable");
    service
        .import(
            &principal(Role::Admin),
            kind,
            &MemorySource {
                name: file.into(),
                bytes,
            },
            ImportMode::AllOrNothing,
            &(),
        )
        .expect("example data imports");
}

/// A fresh data directory with the example registry and context imported.
pub fn with_examples() -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let service = service_in(dir.path());
    import_example(&service, ImportKind::Registry, "registry.jsonl");
    import_example(&service, ImportKind::Context, "context.jsonl");
    (dir, service)
}

/// The request of an example file.
pub fn example_request(name: &str) -> haven_domain::Request {
    let text =
        std::fs::read_to_string(examples().join("requests").join(name)).expect("example readable");
    haven_domain::parse_request(&text).expect("example parses")
}

/// The ledger entries' actions and objects after entry `from`, as readable strings.
pub fn entries_since(dir: &Path, from: u64) -> Vec<String> {
    let store = haven_store::Store::open(dir).expect("store opens");
    let export = store.export_ledger().expect("exports");
    export.entries[from as usize..]
        .iter()
        .map(|e| {
            let entry =
                haven_ledger::Entry::from_canonical_json(&e.canonical_json).expect("an entry");
            let objects: Vec<&str> = entry.objects.iter().map(|o| o.as_str()).collect();
            format!(
                "{} by {} ({}): {}",
                entry.action,
                entry.actor.as_str(),
                entry.role.as_str(),
                objects.join(" ")
            )
        })
        .collect()
}

/// The ledger's size.
pub fn ledger_size(dir: &Path) -> u64 {
    haven_store::Store::open(dir)
        .expect("store opens")
        .ledger_size()
        .expect("size")
}

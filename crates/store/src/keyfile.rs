//! The ledger's private signing key on disk: `<data_dir>/ledger-signing.key`, mode 0600, written
//! atomically (a temporary file in the same directory, then a link or rename into place).

use std::io::Write;
use std::path::Path;

use haven_ledger::SigningKey;

use crate::StoreError;

/// Reads the key file; `Ok(None)` if it does not exist.
pub(crate) fn read(path: &Path) -> Result<Option<SigningKey>, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(text) => SigningKey::parse_private(&text)
            .map(Some)
            .map_err(|source| StoreError::KeyFormat {
                path: path.to_owned(),
                source,
            }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StoreError::KeyFile {
            path: path.to_owned(),
            source,
        }),
    }
}

/// A new key from the operating system's random source.
pub(crate) fn generate(name: &str) -> Result<SigningKey, StoreError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|err| StoreError::Random(err.to_string()))?;
    SigningKey::from_seed(name, seed).map_err(|source| StoreError::KeyFormat {
        path: name.into(),
        source,
    })
}

/// Writes the key to a temporary file beside `path`, created with mode 0600 (tempfile's default
/// on Unix, so the secret is never readable by others, even briefly) and synced to disk.
pub(crate) fn stage(path: &Path, key: &SigningKey) -> Result<tempfile::NamedTempFile, StoreError> {
    let err = |source| StoreError::KeyFile {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::Builder::new()
        .prefix(".ledger-signing.key.")
        .tempfile_in(dir)
        .map_err(err)?;
    writeln!(file, "{}", key.to_private_text()).map_err(err)?;
    file.as_file().sync_all().map_err(err)?;
    Ok(file)
}

/// Installs a new key file unless one exists. Returns the key now on disk: ours, or the one
/// another process installed first.
pub(crate) fn create(path: &Path, key: SigningKey) -> Result<SigningKey, StoreError> {
    let staged = stage(path, &key)?;
    match staged.persist_noclobber(path) {
        Ok(_) => Ok(key),
        Err(err) if err.error.kind() == std::io::ErrorKind::AlreadyExists => read(path)?
            .ok_or_else(|| StoreError::KeyFile {
                path: path.to_owned(),
                source: err.error,
            }),
        Err(err) => Err(StoreError::KeyFile {
            path: path.to_owned(),
            source: err.error,
        }),
    }
}

/// Replaces the key file with a staged one (rotation), atomically.
pub(crate) fn install(path: &Path, staged: tempfile::NamedTempFile) -> Result<(), StoreError> {
    staged
        .persist(path)
        .map(|_| ())
        .map_err(|err| StoreError::KeyFile {
            path: path.to_owned(),
            source: err.error,
        })
}

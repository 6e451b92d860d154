//! Signed checkpoints: Ed25519 keys and C2SP signed notes carrying `tlog-checkpoint` bodies.
//!
//! Formats (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint):
//! - verifier key: `<name>+<8 hex digits of the key ID>+<base64(0x01 || 32-byte public key)>`;
//!   the key ID is the first four bytes of `SHA-256(name || 0x0A || 0x01 || public key)`;
//! - private key (as Go's `golang.org/x/mod/sumdb/note`): `PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>`;
//! - note: text lines, a blank line, then one `— <name> <base64(key ID || signature)>` line per
//!   signature, the signature being over the text including its final newline;
//! - checkpoint text: origin line, decimal tree size, base64 root hash, optional extension lines.
//!
//! The `signed_note`/`tlog_tiles` crates implement this on the older RustCrypto generation
//! (sha2 0.10), which cannot share a build with `ct-merkle`/`ed25519-dalek` 3; the format is small
//! enough to implement here (DEPENDENCIES pitfall 6).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _};
use sha2::Digest;

use crate::Sha256;
use crate::hash::Hash;

/// The algorithm byte of Ed25519 keys in signed notes.
const ED25519_ALG: u8 = 0x01;
/// The em dash that starts every signature line.
const SIG_PREFIX: &str = "\u{2014} ";

/// A malformed or unusable key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key name is empty or contains whitespace or `+`.
    #[error("invalid key name {0:?}: it must be non-empty, without spaces or '+'")]
    Name(String),
    /// The key text does not have the expected shape.
    #[error("malformed key: {0}")]
    Malformed(&'static str),
    /// The key ID does not match the name and key.
    #[error("the key ID does not match the key's name and bytes")]
    KeyIdMismatch,
}

/// A signed note that cannot be parsed or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note text is not in the signed-note format.
    #[error("malformed signed note: {0}")]
    Malformed(&'static str),
    /// No signature line names the expected key.
    #[error("no signature by key {0}")]
    NoSignature(String),
    /// The signature line of the expected key does not verify.
    #[error("the signature by key {0} does not verify")]
    BadSignature(String),
}

/// A checkpoint body that does not follow the `tlog-checkpoint` format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The body's lines are wrong.
    #[error("malformed checkpoint: {0}")]
    Malformed(&'static str),
    /// The note around it is wrong.
    #[error(transparent)]
    Note(#[from] NoteError),
}

fn check_name(name: &str) -> Result<(), KeyError> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(KeyError::Name(name.to_owned()));
    }
    Ok(())
}

/// The C2SP key ID of an Ed25519 key.
fn key_id(name: &str, public: &[u8; 32]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', ED25519_ALG]);
    hasher.update(public);
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Decodes `base64(0x01 || 32 bytes)`.
fn decode_key_bytes(text: &str) -> Result<[u8; 32], KeyError> {
    let bytes = BASE64
        .decode(text)
        .map_err(|_| KeyError::Malformed("bad base64"))?;
    match bytes.split_first() {
        Some((&ED25519_ALG, rest)) => {
            <[u8; 32]>::try_from(rest).map_err(|_| KeyError::Malformed("wrong key length"))
        }
        Some(_) => Err(KeyError::Malformed("not an Ed25519 key")),
        None => Err(KeyError::Malformed("empty key")),
    }
}

fn encode_key_bytes(bytes: &[u8; 32]) -> String {
    let mut buf = Vec::with_capacity(33);
    buf.push(ED25519_ALG);
    buf.extend_from_slice(bytes);
    BASE64.encode(buf)
}

/// A public key that verifies checkpoints: a name and an Ed25519 key.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: u32,
    key: ed25519_dalek::VerifyingKey,
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({self})")
    }
}

impl fmt::Display for VerifierKey {
    /// The C2SP verifier key text, the form printed by `haven ledger public-key`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.id,
            encode_key_bytes(self.key.as_bytes())
        )
    }
}

impl VerifierKey {
    /// Parses a C2SP verifier key (`name+hash+base64`).
    pub fn parse(text: &str) -> Result<VerifierKey, KeyError> {
        // The name may not contain '+' but base64 may, so split from the left.
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(KeyError::Malformed("expected name+hash+key"));
        };
        check_name(name)?;
        if id.len() != 8 {
            return Err(KeyError::Malformed("the key ID is not 8 hex digits"));
        }
        let id = u32::from_str_radix(id, 16).map_err(|_| KeyError::Malformed("bad key ID"))?;
        let public = decode_key_bytes(key)?;
        if key_id(name, &public) != id {
            return Err(KeyError::KeyIdMismatch);
        }
        let key = ed25519_dalek::VerifyingKey::from_bytes(&public)
            .map_err(|_| KeyError::Malformed("not a valid Ed25519 public key"))?;
        Ok(VerifierKey {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID.
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// Checks that `note` carries a valid signature by this key and returns its text.
    pub fn open<'n>(&self, note: &'n SignedNote) -> Result<&'n str, NoteError> {
        // A note may carry several signatures (witness cosignatures, say); only ours counts, and
        // a line with our name and ID must verify: an unverifiable one is tampering, not noise.
        let mut found = false;
        for sig in note
            .signatures
            .iter()
            .filter(|s| s.name == self.name && s.id == self.id)
        {
            found = true;
            let Ok(signature) = Signature::from_slice(&sig.signature) else {
                continue;
            };
            if self
                .key
                .verify_strict(note.text.as_bytes(), &signature)
                .is_ok()
            {
                return Ok(&note.text);
            }
        }
        if found {
            Err(NoteError::BadSignature(self.to_string()))
        } else {
            Err(NoteError::NoSignature(self.to_string()))
        }
    }
}

/// Whatever signs checkpoints: the key file's [`SigningKey`] today, a hardware module or a KMS
/// later. The store holds one behind this trait, so a deployment can keep the private key out of
/// the data directory without the ledger or the store changing.
pub trait Signer: Send + Sync + fmt::Debug {
    /// The public key that verifies this signer's notes.
    fn verifier(&self) -> VerifierKey;
    /// Signs a note text (which must end in a newline).
    fn sign(&self, text: &str) -> Result<SignedNote, NoteError>;
}

impl Signer for SigningKey {
    fn verifier(&self) -> VerifierKey {
        SigningKey::verifier(self)
    }

    fn sign(&self, text: &str) -> Result<SignedNote, NoteError> {
        SigningKey::sign(self, text)
    }
}

/// A private key that signs checkpoints.
pub struct SigningKey {
    name: String,
    key: ed25519_dalek::SigningKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        write!(f, "SigningKey({})", self.verifier())
    }
}

impl SigningKey {
    /// Builds a key from a name and 32 random bytes. The ledger is pure, so the caller supplies
    /// the randomness (the store reads it from the operating system).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<SigningKey, KeyError> {
        check_name(name)?;
        Ok(SigningKey {
            name: name.to_owned(),
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        })
    }

    /// Parses the private key text written by [`SigningKey::to_private_text`].
    pub fn parse_private(text: &str) -> Result<SigningKey, KeyError> {
        let text = text.trim_end_matches('\n');
        let Some(rest) = text.strip_prefix("PRIVATE+KEY+") else {
            return Err(KeyError::Malformed("expected PRIVATE+KEY+name+hash+key"));
        };
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(KeyError::Malformed("expected PRIVATE+KEY+name+hash+key"));
        };
        let signing = SigningKey::from_seed(name, decode_key_bytes(key)?)?;
        if format!("{:08x}", signing.verifier().id) != id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(signing)
    }

    /// The private key text (keep it secret: file mode 0600).
    pub fn to_private_text(&self) -> String {
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.verifier().id,
            encode_key_bytes(&self.key.to_bytes())
        )
    }

    /// The matching public key.
    pub fn verifier(&self) -> VerifierKey {
        let key = self.key.verifying_key();
        VerifierKey {
            id: key_id(&self.name, key.as_bytes()),
            name: self.name.clone(),
            key,
        }
    }

    /// Signs a note text (which must end in a newline).
    pub fn sign(&self, text: &str) -> Result<SignedNote, NoteError> {
        check_text(text)?;
        let signature = self.key.sign(text.as_bytes());
        Ok(SignedNote {
            text: text.to_owned(),
            signatures: vec![NoteSignature {
                name: self.name.clone(),
                id: self.verifier().id,
                signature: signature.to_bytes().to_vec(),
            }],
        })
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("the text does not end with a newline"));
    }
    if text.contains("\n\n") || text.starts_with('\n') {
        return Err(NoteError::Malformed("the text contains a blank line"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed("the text contains control characters"));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct NoteSignature {
    name: String,
    id: u32,
    signature: Vec<u8>,
}

/// A signed note: text and one or more signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl fmt::Display for SignedNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for sig in &self.signatures {
            let mut bytes = sig.id.to_be_bytes().to_vec();
            bytes.extend_from_slice(&sig.signature);
            writeln!(f, "{SIG_PREFIX}{} {}", sig.name, BASE64.encode(bytes))?;
        }
        Ok(())
    }
}

impl SignedNote {
    /// Parses a signed note. Signatures are not checked here; see [`VerifierKey::open`].
    pub fn parse(note: &str) -> Result<SignedNote, NoteError> {
        let Some(split) = note.rfind("\n\n") else {
            return Err(NoteError::Malformed("no blank line before the signatures"));
        };
        let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
        check_text(text)?;
        if !sigs.ends_with('\n') {
            return Err(NoteError::Malformed(
                "the last signature line has no newline",
            ));
        }
        let mut signatures = Vec::new();
        for line in sigs.lines() {
            let Some(rest) = line.strip_prefix(SIG_PREFIX) else {
                return Err(NoteError::Malformed(
                    "a signature line does not start with '— '",
                ));
            };
            let Some((name, b64)) = rest.split_once(' ') else {
                return Err(NoteError::Malformed("a signature line has no signature"));
            };
            if check_name(name).is_err() {
                return Err(NoteError::Malformed(
                    "a signature line has an invalid key name",
                ));
            }
            let bytes = BASE64
                .decode(b64)
                .map_err(|_| NoteError::Malformed("a signature is not base64"))?;
            if bytes.len() < 5 {
                return Err(NoteError::Malformed("a signature is too short"));
            }
            signatures.push(NoteSignature {
                name: name.to_owned(),
                id: u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
                signature: bytes[4..].to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(NoteError::Malformed("no signature lines"));
        }
        Ok(SignedNote {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The signed text (unverified until opened with a key).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A tree head: the log's identity, its size and its root hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line, unique to this log.
    pub origin: String,
    /// The number of entries.
    pub size: u64,
    /// The root hash of those entries.
    pub root: Hash,
}

impl Checkpoint {
    /// The checkpoint text, without extension lines.
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root.0)
        )
    }

    /// Parses a checkpoint text (extension lines are allowed and ignored).
    pub fn parse_text(text: &str) -> Result<Checkpoint, CheckpointError> {
        let mut lines = text.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::Malformed("fewer than three lines"));
        };
        if origin.is_empty() {
            return Err(CheckpointError::Malformed("empty origin"));
        }
        // Decimal without a sign or leading zeros: one size, one spelling.
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(CheckpointError::Malformed(
                "the size is not a decimal number",
            ));
        }
        let size = size
            .parse()
            .map_err(|_| CheckpointError::Malformed("the size is too large"))?;
        let root = BASE64
            .decode(root)
            .ok()
            .and_then(|bytes| Hash::try_from(bytes.as_slice()).ok())
            .ok_or(CheckpointError::Malformed(
                "the root is not a base64 SHA-256 hash",
            ))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// Parses a signed checkpoint note and checks its signature by `key`.
    pub fn open(note: &str, key: &VerifierKey) -> Result<Checkpoint, CheckpointError> {
        let note = SignedNote::parse(note)?;
        Checkpoint::parse_text(key.open(&note)?)
    }
}

/// Signs a checkpoint, returning the note text to store and publish.
pub fn sign_checkpoint(checkpoint: &Checkpoint, key: &dyn Signer) -> Result<String, NoteError> {
    Ok(key.sign(&checkpoint.to_text())?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the signed-note specification (also in the documentation of Go's
    /// `golang.org/x/mod/sumdb/note`). It is quoted from memory; that it verifies at all is the
    /// check that it was remembered correctly, since a wrong byte cannot yield a valid signature.
    const SPEC_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const SPEC_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
        then you don't know what your problem is.\n\
        \n\
        \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const SPEC_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

    #[test]
    fn verifies_the_spec_example() {
        let key = VerifierKey::parse(SPEC_VKEY).expect("spec key parses");
        assert_eq!(key.to_string(), SPEC_VKEY);
        let note = SignedNote::parse(SPEC_NOTE).expect("spec note parses");
        assert_eq!(note.to_string(), SPEC_NOTE);
        assert_eq!(
            key.open(&note),
            Ok("If you think cryptography is the answer to your problem,\n\
                then you don't know what your problem is.\n")
        );
    }

    #[test]
    fn signs_like_the_spec() {
        // Ed25519 signatures are deterministic, so signing the spec text with the spec's private
        // key must reproduce the spec's note byte for byte.
        let key = SigningKey::parse_private(SPEC_SKEY).expect("spec private key parses");
        assert_eq!(key.verifier().to_string(), SPEC_VKEY);
        assert_eq!(key.to_private_text(), SPEC_SKEY);
        let note = key.sign(
            SPEC_NOTE
                .split("\n\n")
                .next()
                .map(|t| format!("{t}\n"))
                .as_deref()
                .unwrap_or_default(),
        );
        assert_eq!(note.map(|n| n.to_string()), Ok(SPEC_NOTE.to_owned()));
    }

    #[test]
    fn checkpoint_round_trip_and_tampering() {
        let key = SigningKey::from_seed("haven.test/ledger", [7; 32]).expect("valid name");
        let checkpoint = Checkpoint {
            origin: "haven.test/ledger".into(),
            size: 8,
            root: Hash([9; 32]),
        };
        let note = sign_checkpoint(&checkpoint, &key).expect("signable");
        assert_eq!(
            Checkpoint::open(&note, &key.verifier()),
            Ok(checkpoint.clone())
        );

        // Changing the size in the text breaks the signature.
        let forged = note.replacen("\n8\n", "\n9\n", 1);
        assert_eq!(
            Checkpoint::open(&forged, &key.verifier()),
            Err(CheckpointError::Note(NoteError::BadSignature(
                key.verifier().to_string()
            )))
        );

        // A signature by another key with the same name is not ours.
        let other = SigningKey::from_seed("haven.test/ledger", [8; 32]).expect("valid name");
        assert!(matches!(
            Checkpoint::open(&note, &other.verifier()),
            Err(CheckpointError::Note(NoteError::NoSignature(_)))
        ));

        // Flipping one signature byte.
        let sig_line = note.lines().last().unwrap_or_default();
        let mut sig = BASE64
            .decode(sig_line.rsplit(' ').next().unwrap_or_default())
            .unwrap_or_default();
        sig[10] ^= 1;
        let flipped = note.replace(
            sig_line.rsplit(' ').next().unwrap_or_default(),
            &BASE64.encode(sig),
        );
        assert!(matches!(
            Checkpoint::open(&flipped, &key.verifier()),
            Err(CheckpointError::Note(NoteError::BadSignature(_)))
        ));
    }

    #[test]
    fn rejects_malformed_keys_and_checkpoints() {
        assert_eq!(
            VerifierKey::parse(
                "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(KeyError::KeyIdMismatch)
        );
        assert!(SigningKey::from_seed("has space", [0; 32]).is_err());
        for text in [
            "o\n08\nAAAA\n",
            "o\n-1\nAAAA\n",
            "\n1\nAAAA\n",
            "o\n1\nAAAA\n",
            "o\n1\n",
        ] {
            assert!(
                Checkpoint::parse_text(text).is_err(),
                "{text:?} should be rejected"
            );
        }
    }
}

//! The ledger page: the latest signed checkpoint with its signature checked against the log's
//! key, the full verification for the roles that may run it (auditor, administrator), and an
//! inclusion proof for one entry, checked against the root the signature vouches for.
//!
//! The service reads and checks; this module only picks what the reader's role may see (a role
//! without `verify_ledger` or `read_proof` gets no such section in the HTML at all) and checks a
//! proof with `haven-ledger`'s own verifier, so the page shows what an outside verifier would
//! find rather than what the server says about itself.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_access::{Action, Authorizer};
use haven_app::{AppError, CheckpointCheck, SignatureCheck};
use haven_ledger::{InclusionProof, VerifiedLog};
use haven_store::{InclusionBundle, StoreError};
use serde::Deserialize;

use crate::page::{Frame, PageError, render};
use crate::session::Signed;
use crate::{WebState, blocking};

/// The latest checkpoint as the page shows it.
#[derive(Debug)]
struct CheckpointView {
    origin: String,
    size: u64,
    root: String,
    note: String,
    public_key: Option<String>,
    /// `Ok(key name)` when the signature verified, else why not.
    signature: Result<String, String>,
}

impl CheckpointView {
    fn of(check: &CheckpointCheck) -> CheckpointView {
        CheckpointView {
            origin: check
                .stated
                .as_ref()
                .map_or_else(|| "(unreadable)".to_owned(), |head| head.origin.clone()),
            size: check.checkpoint.size,
            root: check.checkpoint.root.to_string(),
            note: check.checkpoint.note.clone(),
            public_key: check.public_key.clone(),
            signature: match &check.signature {
                SignatureCheck::Verified { key_name } => Ok(key_name.clone()),
                SignatureCheck::Failed(why) => Err(why.clone()),
            },
        }
    }
}

/// The full verification, as far as the reader's role goes.
#[derive(Debug)]
enum FullVerification {
    /// The role may not run it (only the auditor and the administrator may).
    NotForRole,
    /// Every entry and checkpoint checked.
    Verified {
        entries: u64,
        checkpoints: usize,
        root: String,
        /// Whether the newest checkpoint's signed root equals the root recomputed from every
        /// entry (a verified log whose newest checkpoint covers it all).
        root_matches: bool,
        keys: usize,
    },
    /// The ledger does not verify: the first bad place.
    Failed(String),
}

impl FullVerification {
    fn of(log: &VerifiedLog) -> FullVerification {
        FullVerification::Verified {
            entries: log.size,
            checkpoints: log.checkpoints,
            root: log.root.to_string(),
            root_matches: log
                .latest
                .as_ref()
                .is_some_and(|latest| latest.size == log.size && latest.root == log.root),
            keys: log.keys.keys().len(),
        }
    }
}

/// One inclusion proof, and whether it leads to the signed root.
#[derive(Debug)]
struct ProofView {
    index: u64,
    entry: String,
    leaf_hash: String,
    tree_size: u64,
    path: Vec<String>,
    checkpoint_size: u64,
    root: String,
    /// `Ok(())` when the proof verifies against the signature-checked root, else why not.
    verdict: Result<(), String>,
}

impl ProofView {
    fn of(bundle: &InclusionBundle, check: &CheckpointCheck) -> ProofView {
        let verdict = match check.verified_root() {
            None => Err(
                "the checkpoint the proof leads to failed its signature check, so there is no \
                 trusted root to check against"
                    .to_owned(),
            ),
            Some(root) => {
                haven_ledger::verify_inclusion(bundle.entry.as_bytes(), root, &bundle.proof)
                    .map_err(|error| format!("the proof does not verify: {error}"))
            }
        };
        let InclusionProof { index, size, path } = &bundle.proof;
        ProofView {
            index: *index,
            entry: bundle.entry.clone(),
            leaf_hash: haven_ledger::leaf_hash(bundle.entry.as_bytes()).to_string(),
            tree_size: *size,
            path: path.iter().map(ToString::to_string).collect(),
            checkpoint_size: check.checkpoint.size,
            root: check.checkpoint.root.to_string(),
            verdict,
        }
    }
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    frame: Frame,
    checkpoint: Option<CheckpointView>,
    full: FullVerification,
    /// Whether the role may ask for inclusion proofs (the form is absent otherwise).
    proofs: bool,
    /// The entry number as typed, to show in the field again.
    entry: String,
    entry_error: Option<String>,
    proof: Option<ProofView>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct LedgerQuery {
    #[serde(default)]
    entry: String,
}

/// What the blocking part of the page gathered.
struct Gathered {
    checkpoint: Option<CheckpointCheck>,
    full: FullVerification,
    proof: Option<Result<ProofView, String>>,
}

/// `GET /ledger` and `GET /ledger?entry=N`.
pub(crate) async fn show(
    State(state): State<WebState>,
    signed: Signed,
    Query(query): Query<LedgerQuery>,
) -> Result<Response, PageError> {
    let frame = signed.frame("/ledger");
    let principal = signed.session.principal.clone();
    let authorizer = Authorizer::bundled();
    let may_verify = authorizer.is_allowed(&principal, Action::VerifyLedger);
    let proofs = authorizer.is_allowed(&principal, Action::ReadProof);
    let typed = query.entry.trim().to_owned();
    // The field is asked for only by a role that has it; anyone else typing `?entry=` by hand
    // gets the service's refusal.
    let asked = if typed.is_empty() {
        None
    } else {
        match typed.parse::<u64>() {
            Ok(index) => Some(Ok(index)),
            Err(_) => Some(Err(format!(
                "{typed:?} is not an entry number: give a whole number from 0 up."
            ))),
        }
    };
    let gathered = blocking(&state, move |service| {
        let checkpoint = service.verify_checkpoint(&principal)?;
        let full = if may_verify {
            match service.verify_ledger(&principal) {
                Ok(log) => FullVerification::of(&log),
                Err(AppError::Tampered(why)) => FullVerification::Failed(why),
                // The key and head tables disagreeing with the log is tampering too.
                Err(AppError::Store(StoreError::Inconsistent(why))) => {
                    FullVerification::Failed(why)
                }
                Err(other) => return Err(other.into()),
            }
        } else {
            FullVerification::NotForRole
        };
        let proof = match asked {
            None => None,
            Some(Err(why)) => Some(Err(why)),
            Some(Ok(index)) => match service.inclusion_proof(&principal, index) {
                Ok(bundle) => {
                    let check = service.check_checkpoint(&principal, bundle.checkpoint.clone())?;
                    Some(Ok(ProofView::of(&bundle, &check)))
                }
                Err(AppError::NotFound(what)) => Some(Err(format!("There is no {what}."))),
                Err(other) => return Err(other.into()),
            },
        };
        Ok(Gathered {
            checkpoint,
            full,
            proof,
        })
    })
    .await
    .map_err(|e: PageError| e.in_frame(frame.clone()))?;
    let (proof, entry_error) = match gathered.proof {
        None => (None, None),
        Some(Ok(proof)) => (Some(proof), None),
        Some(Err(why)) => (None, Some(why)),
    };
    let status = if entry_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = LedgerPage {
        frame,
        checkpoint: gathered.checkpoint.as_ref().map(CheckpointView::of),
        full: gathered.full,
        proofs,
        entry: typed,
        entry_error,
        proof,
    };
    Ok((status, render(&page)).into_response())
}

#[cfg(test)]
mod tests {
    use haven_ledger::{
        Checkpoint, Frontier, SigningKey, StoredCheckpoint, leaf_hash, sign_checkpoint,
    };

    use super::*;

    const ENTRIES: [&str; 3] = [r#"{"n":0}"#, r#"{"n":1}"#, r#"{"n":2}"#];

    /// A three-entry log signed by `signer`, the bundle proving entry 1, and its key list.
    fn log(signer: &SigningKey) -> (InclusionBundle, Vec<(u64, String)>) {
        let leaves: Vec<_> = ENTRIES.iter().map(|e| leaf_hash(e.as_bytes())).collect();
        let root = Frontier::from_leaves(&leaves).root();
        let head = Checkpoint {
            origin: "haven.test/ledger".into(),
            size: 3,
            root,
        };
        let checkpoint = StoredCheckpoint {
            size: 3,
            root,
            note: sign_checkpoint(&head, signer).expect("signs"),
        };
        // RFC 6962 path of leaf 1 in a tree of 3: its sibling leaf 0, then the right subtree
        // (leaf 2 alone).
        let proof = InclusionProof {
            index: 1,
            size: 3,
            path: vec![leaves[0], leaves[2]],
        };
        let bundle = InclusionBundle {
            entry: ENTRIES[1].to_owned(),
            proof,
            checkpoint,
        };
        (bundle, vec![(1, signer.verifier().to_string())])
    }

    fn signer(seed: u8) -> SigningKey {
        SigningKey::from_seed("haven.test/ledger", [seed; 32]).expect("valid name")
    }

    #[test]
    fn a_proof_of_a_stored_entry_verifies_against_the_signed_root() {
        let (bundle, keys) = log(&signer(1));
        let check = CheckpointCheck::of(bundle.checkpoint.clone(), &keys);
        let view = ProofView::of(&bundle, &check);
        assert_eq!(view.verdict, Ok(()));
        assert_eq!(view.path.len(), 2);
        assert_eq!(view.leaf_hash, leaf_hash(ENTRIES[1].as_bytes()).to_string());
    }

    #[test]
    fn an_altered_entry_does_not_verify() {
        let (mut bundle, keys) = log(&signer(1));
        bundle.entry = r#"{"n":7}"#.to_owned();
        let check = CheckpointCheck::of(bundle.checkpoint.clone(), &keys);
        let view = ProofView::of(&bundle, &check);
        assert!(
            matches!(&view.verdict, Err(why) if why.starts_with("the proof does not verify")),
            "{:?}",
            view.verdict
        );
    }

    #[test]
    fn without_a_verified_signature_there_is_no_root_to_trust() {
        let (bundle, _) = log(&signer(1));
        let foreign = vec![(1, signer(2).verifier().to_string())];
        let check = CheckpointCheck::of(bundle.checkpoint.clone(), &foreign);
        let view = ProofView::of(&bundle, &check);
        assert!(
            matches!(&view.verdict, Err(why) if why.contains("failed its signature check")),
            "{:?}",
            view.verdict
        );
        assert!(CheckpointView::of(&check).signature.is_err());
    }
}

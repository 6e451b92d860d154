//! Token and password round trips.

use haven_access::{
    AccountName, CredentialError, hash_password, issue_token, token_account, verify_password,
    verify_token,
};

fn name(text: &str) -> AccountName {
    AccountName::parse(text).expect("valid name")
}

#[test]
fn a_token_round_trips() {
    let issued = issue_token(&name("alice")).expect("issue");
    assert!(issued.token.starts_with("hv1.alice."), "{}", issued.token);
    // 32 bytes in base64url without padding is 43 characters.
    assert_eq!(issued.token.len(), "hv1.alice.".len() + 43);
    assert!(
        issued.hash.starts_with("$argon2id$v=19$"),
        "{}",
        issued.hash
    );
    assert!(!issued.hash.contains(&issued.token));
    assert_eq!(token_account(&issued.token), Some(name("alice")));
    assert!(verify_token(&issued.token, &issued.hash));
}

#[test]
fn a_changed_character_fails_verification() {
    let issued = issue_token(&name("alice")).expect("issue");
    let mut changed = issued.token.clone().into_bytes();
    let last = changed.len() - 1;
    changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
    let changed = String::from_utf8(changed).expect("ascii");
    assert!(!verify_token(&changed, &issued.hash));
}

#[test]
fn another_accounts_token_fails_verification() {
    let alice = issue_token(&name("alice")).expect("issue");
    let bob = issue_token(&name("bob")).expect("issue");
    assert_ne!(alice.token, bob.token);
    assert!(!verify_token(&bob.token, &alice.hash));
    // The same secret under another name is another token.
    let forged = alice.token.replacen("alice", "bob", 1);
    assert!(!verify_token(&forged, &alice.hash));
    assert!(!verify_token(&forged, &bob.hash));
}

#[test]
fn two_tokens_for_one_account_differ() {
    let first = issue_token(&name("alice")).expect("issue");
    let second = issue_token(&name("alice")).expect("issue");
    assert_ne!(first.token, second.token);
    assert_ne!(first.hash, second.hash);
}

#[test]
fn malformed_tokens_name_no_account() {
    let secret = "A".repeat(43);
    for text in [
        String::new(),
        "alice".to_owned(),
        format!("hv2.alice.{secret}"),
        format!("hv1.Alice.{secret}"),
        format!("hv1..{secret}"),
        "hv1.alice.".to_owned(),
        format!("hv1.alice.{}", "A".repeat(42)),
        format!("hv1.alice.{secret}A"),
        format!("hv1.alice.{}+", "A".repeat(42)),
        format!("hv1.alice.{secret}.extra"),
    ] {
        assert_eq!(token_account(&text), None, "{text:?}");
    }
    assert_eq!(
        token_account(&format!("hv1.alice.{secret}")),
        Some(name("alice"))
    );
}

#[test]
fn a_malformed_stored_hash_verifies_nothing() {
    assert!(!verify_token("hv1.alice.x", "not a hash"));
    assert!(!verify_password("a long enough password", ""));
}

#[test]
fn a_password_round_trips() {
    let hash = hash_password("correct horse battery").expect("hash");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(verify_password("correct horse battery", &hash));
    assert!(!verify_password("correct horse batterY", &hash));
    assert_ne!(
        hash,
        hash_password("correct horse battery").expect("hash"),
        "salt is random"
    );
}

#[test]
fn a_short_password_is_refused() {
    let error = hash_password("elevenchars").expect_err("11 characters is too short");
    assert!(matches!(
        error,
        CredentialError::PasswordTooShort { actual: 11 }
    ));
    assert_eq!(
        error.to_string(),
        "a password must be at least 12 characters long; this one has 11"
    );
    // Characters, not bytes: twelve Cyrillic letters are enough.
    assert!(hash_password("абвгдеёжзийк").is_ok());
}

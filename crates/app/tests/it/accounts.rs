//! Accounts: a token stands for its account's principal; a wrong, foreign or disabled token does
//! not, and disabling takes effect at the next request even after the token was remembered.

use haven_app::{AccountName, AuthError, NewUser, Role};

use crate::{principal, with_examples};

#[test]
fn tokens_authenticate_until_the_account_is_disabled() {
    let (_dir, service) = with_examples();
    let admin = principal(Role::Admin);
    let name = AccountName::parse("alice").expect("valid");
    let token = service
        .add_user(
            &admin,
            &NewUser {
                name: name.clone(),
                role: Role::Officer,
            },
            None,
        )
        .expect("created");
    let principal = service.authenticate(&token).expect("authenticates");
    assert_eq!(
        (principal.actor.as_str(), principal.role),
        ("alice", Role::Officer)
    );
    // Remembered now; still the same answer.
    assert_eq!(
        service.authenticate(&token).expect("authenticates"),
        principal
    );

    let mut forged = token.clone();
    let last = forged.pop().expect("non-empty");
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert!(matches!(
        service.authenticate(&forged),
        Err(AuthError::Invalid)
    ));
    assert!(matches!(
        service.authenticate("Bearer nonsense"),
        Err(AuthError::Invalid)
    ));

    // A name is never taken twice.
    assert!(
        service
            .add_user(
                &admin,
                &NewUser {
                    name: name.clone(),
                    role: Role::Judge
                },
                None
            )
            .is_err()
    );

    service.disable_user(&admin, &name).expect("disabled");
    assert!(matches!(
        service.authenticate(&token),
        Err(AuthError::Disabled)
    ));
    let listed = service.list_users().expect("lists");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].disabled_at.is_some());
    assert!(!listed[0].has_password);
}

#[test]
fn passwords_sign_in_and_short_ones_are_refused() {
    let (_dir, service) = with_examples();
    let admin = principal(Role::Admin);
    let name = AccountName::parse("bob").expect("valid");
    assert!(
        service
            .add_user(
                &admin,
                &NewUser {
                    name: name.clone(),
                    role: Role::Judge
                },
                Some("short")
            )
            .is_err()
    );
    service
        .add_user(
            &admin,
            &NewUser {
                name,
                role: Role::Judge,
            },
            Some("a long enough passphrase"),
        )
        .expect("created");
    let signed_in = service
        .sign_in("bob", "a long enough passphrase")
        .expect("signs in");
    assert_eq!(signed_in.session.principal.role, Role::Judge);
    // The cookie's secret stands for the session; only its hash is stored.
    let session = service
        .web_session(&signed_in.secret)
        .expect("readable")
        .expect("a current session");
    assert_eq!(session, signed_in.session);
    assert!(
        service
            .web_session("not-a-secret")
            .expect("readable")
            .is_none()
    );
    assert!(matches!(
        service.sign_in("bob", "wrong passphrase!!"),
        Err(haven_app::SignInError::Invalid)
    ));
    assert!(matches!(
        service.sign_in("nobody", "a long enough passphrase"),
        Err(haven_app::SignInError::Invalid)
    ));
    // Thirty idle minutes end the session; signing out ends it at once.
    service.clock().advance(haven_app::SESSION_IDLE);
    assert!(
        service
            .web_session(&signed_in.secret)
            .expect("readable")
            .is_none()
    );
    let again = service
        .sign_in("bob", "a long enough passphrase")
        .expect("signs in");
    service.sign_out(&again.secret).expect("signed out");
    assert!(
        service
            .web_session(&again.secret)
            .expect("readable")
            .is_none()
    );
}

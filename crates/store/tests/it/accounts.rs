//! Accounts: created and disabled in one transaction with their ledger entry; names are never
//! reused; hashes are stored as given and never shown by `Debug`.

use haven_ledger::{Action, Actor, Entry, Justification, Role};
use haven_store::{Database, NewAccount, StoreError};

use crate::{ledger_size, on_backends};

fn admin_entry(why: &str) -> Entry {
    Entry::new(
        Actor::parse("admin").expect("valid"),
        Role::parse("admin").expect("valid"),
        Action::UserManagement,
        Justification::parse(why).expect("valid"),
    )
}

fn account(name: &str, role: &str) -> NewAccount {
    NewAccount {
        name: name.into(),
        role: role.into(),
        token_hash: format!("$argon2id$token-of-{name}"),
        password_hash: None,
    }
}

#[test]
fn accounts_are_created_listed_disabled_and_logged() {
    on_backends("accounts_are_created_listed_disabled_and_logged", |b| {
        accounts_are_created_listed_disabled_and_logged_on(b.db())
    });
}

fn accounts_are_created_listed_disabled_and_logged_on(store: &dyn Database) {
    let before = ledger_size(store);
    store
        .add_account(&account("alice", "officer"), admin_entry("new officer"))
        .expect("created");
    store
        .add_account(
            &account("bob", "asylum_liaison"),
            admin_entry("new liaison"),
        )
        .expect("created");
    assert_eq!(ledger_size(store), before + 2);

    let alice = store.account("alice").expect("readable").expect("exists");
    assert_eq!(alice.role, "officer");
    assert_eq!(alice.token_hash, "$argon2id$token-of-alice");
    assert!(alice.is_active());
    assert!(!format!("{alice:?}").contains("argon2"), "{alice:?}");

    let names: Vec<String> = store
        .list_accounts()
        .expect("listable")
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["alice", "bob"]);

    // A taken name is refused, and nothing is logged.
    let err = store
        .add_account(&account("alice", "judge"), admin_entry("again"))
        .expect_err("taken");
    assert!(
        matches!(err, StoreError::AccountExists(ref n) if n == "alice"),
        "{err}"
    );
    assert_eq!(ledger_size(store), before + 2);

    assert!(
        store
            .disable_account("alice", admin_entry("left the desk"))
            .expect("disabled")
    );
    assert!(
        !store
            .account("alice")
            .expect("readable")
            .expect("still there")
            .is_active()
    );
    // Disabling twice, or nobody, writes nothing.
    assert!(
        !store
            .disable_account("alice", admin_entry("again"))
            .expect("no-op")
    );
    assert!(
        !store
            .disable_account("nobody", admin_entry("no one"))
            .expect("no-op")
    );
    assert_eq!(ledger_size(store), before + 3);
    // A disabled name stays taken.
    assert!(
        store
            .add_account(&account("alice", "officer"), admin_entry("back"))
            .is_err()
    );
    assert!(store.verify_ledger().is_ok());
}

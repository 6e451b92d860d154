//! `haven user add NAME --role ROLE [--password-stdin]`, `haven user list`, `haven user disable
//! NAME` (DESIGN §5.1): the accounts of the API and web UI. The token is printed once; only its
//! Argon2id hash is stored. Each change is a ledger entry naming the administrator.

use std::io::Read;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use haven_app::{AccountName, NewUser, Role};

use super::service::{self, Location};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account and print its API token (shown once).
    Add(AddArgs),
    /// List the accounts (never their credentials).
    List,
    /// Disable an account: its token and password stop working at once.
    Disable {
        /// The account's name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The account's name: 1–64 of a-z, 0-9, _ and -, starting with a letter.
    name: String,
    /// officer, asylum_liaison, judge, police, auditor or admin.
    #[arg(long)]
    role: String,
    /// Also set a web UI password, read from standard input (at least 12 characters).
    #[arg(long)]
    password_stdin: bool,
}

pub fn run(cmd: UserCommand, location: &Location) -> anyhow::Result<()> {
    let service = service::open(location, service::DEFAULT_RECEIVING_STATE)?;
    let admin = service::operator(Role::Admin);
    match cmd {
        UserCommand::Add(args) => {
            let name = AccountName::parse(&args.name).map_err(|e| anyhow::anyhow!("NAME: {e}"))?;
            let Some(role) = Role::parse(&args.role) else {
                let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                bail!(
                    "--role {:?}: expected one of {}",
                    args.role,
                    roles.join(", ")
                );
            };
            let password = if args.password_stdin {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("reading the password from standard input")?;
                Some(text.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let token = service.add_user(&admin, &NewUser { name, role }, password.as_deref())?;
            eprintln!(
                "created account {} ({}); its API token is shown once:",
                args.name,
                role.as_str()
            );
            println!("{token}");
        }
        UserCommand::List => {
            for user in service.list_users()? {
                let state = match &user.disabled_at {
                    Some(at) => format!("disabled {at}"),
                    None => "active".to_owned(),
                };
                let password = if user.has_password {
                    "password set"
                } else {
                    "token only"
                };
                println!(
                    "{}\t{}\t{state}\tcreated {}\t{password}",
                    user.name, user.role, user.created_at
                );
            }
        }
        UserCommand::Disable { name } => {
            let account = AccountName::parse(&name).map_err(|e| anyhow::anyhow!("NAME: {e}"))?;
            service.disable_user(&admin, &account)?;
            println!("disabled account {name}");
        }
    }
    Ok(())
}

//! Integration tests of `haven-access`: the role × action matrix, the policy's validation, and
//! the credential round trips.

mod authorize;
mod credentials;
mod identity;

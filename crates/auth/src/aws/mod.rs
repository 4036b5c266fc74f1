//! AWS: Signature Version 4 signing of requests to AWS APIs, and the credentials and region
//! it needs (found the way AWS tools find them).
//!
//! Signing is one more security scheme ([`crate::SchemeKind::AwsSigV4`]): the driver signs
//! the request exactly as it is sent, body included, on every attempt. Nothing here sends
//! anything or keeps a secret anywhere but in [`AwsCredentials`], whose `Debug` hides it.

mod credentials;
mod sign;

pub use credentials::{AwsCredentials, AwsSetup};
pub use sign::{sign, verify_sigv4};

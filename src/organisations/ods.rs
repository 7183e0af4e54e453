//! NHS Organisation Data Service (ODS) codes. Every tenant is registered under one, so the
//! type lives with the tenants in the platform; this service names it from here.

pub use crate::platform::ods::{OdsCode, OdsCodeError};

//! What an organisation is. Its type lives with the tenants in the platform; the rules for
//! its ODS code are [`super::ods::OdsCode`]'s.

pub use crate::platform::tenants::OrgType;

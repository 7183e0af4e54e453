//! NHS Organisation Data Service (ODS) codes: the identifier every organisation (tenant) is
//! registered under, checked and put in capitals once, where it is typed.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use super::tenants::OrgType;

/// An ODS code in capitals, which has passed [`OdsCode::for_type`] or, where the type of
/// organisation is not known, [`OdsCode::from_str`].
///
/// Stored as plain text. Reading it back from the database does not check it again: every
/// code in the database was written through this type (or the same rules before it).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, sqlx::Type,
)]
#[serde(try_from = "String", into = "String")]
#[sqlx(transparent)]
pub struct OdsCode(String);

/// Why text is not an ODS code. The messages are written for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OdsCodeError {
    #[error("Enter the organisation's ODS code")]
    Missing,
    #[error("An ODS code can only contain letters and numbers, like RJ1 or A81001")]
    NotAlphanumeric,
    /// The code has not the shape used for this type of organisation.
    #[error("{}", shape_message(*.0))]
    Shape(OrgType),
}

fn shape_message(org_type: OrgType) -> &'static str {
    match org_type {
        OrgType::GpPractice => {
            "A GP practice's ODS code is a letter followed by 5 numbers, like A81001"
        }
        OrgType::NhsTrust => {
            "An NHS trust's ODS code is 3 characters, like RJ1, or 5 for a site, like RJ122"
        }
        OrgType::IntegratedCareBoard => {
            "An integrated care board's ODS code is 3 characters starting with Q, like QWE"
        }
        _ => "An ODS code is 3 to 10 letters and numbers",
    }
}

impl OdsCode {
    /// Checks a code against the shape used for the type of organisation. GP practices are
    /// a letter and five digits (A81001); NHS trusts three characters (RJ1) or five for a
    /// site; integrated care boards three characters starting with Q (QWE); other bodies
    /// three to ten letters and digits.
    pub fn for_type(raw: &str, org_type: OrgType) -> Result<OdsCode, OdsCodeError> {
        let code: String = raw.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(OdsCodeError::Missing);
        }
        if !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(OdsCodeError::NotAlphanumeric);
        }
        let b = code.as_bytes();
        let ok = match org_type {
            OrgType::GpPractice => {
                b.len() == 6 && b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_digit)
            }
            OrgType::NhsTrust => b.len() == 3 || b.len() == 5,
            OrgType::IntegratedCareBoard => b.len() == 3 && b[0] == b'Q',
            _ => (3..=10).contains(&b.len()),
        };
        if ok {
            Ok(OdsCode(code))
        } else {
            Err(OdsCodeError::Shape(org_type))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for OdsCode {
    type Err = OdsCodeError;

    /// A code of any type of organisation: three to ten letters and digits (every type's
    /// shape lies within this one).
    fn from_str(raw: &str) -> Result<Self, OdsCodeError> {
        OdsCode::for_type(raw, OrgType::Other)
    }
}

impl TryFrom<String> for OdsCode {
    type Error = OdsCodeError;

    fn try_from(raw: String) -> Result<Self, OdsCodeError> {
        raw.parse()
    }
}

impl From<OdsCode> for String {
    fn from(code: OdsCode) -> String {
        code.0
    }
}

impl AsRef<str> for OdsCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str, t: OrgType) -> Result<String, OdsCodeError> {
        OdsCode::for_type(raw, t).map(String::from)
    }

    #[test]
    fn codes_follow_the_shape_for_the_type() {
        assert_eq!(code(" a81001 ", OrgType::GpPractice).unwrap(), "A81001");
        assert!(code("A8100", OrgType::GpPractice).is_err());
        assert_eq!(
            code("AB1001", OrgType::GpPractice),
            Err(OdsCodeError::Shape(OrgType::GpPractice))
        );
        assert_eq!(code("rj1", OrgType::NhsTrust).unwrap(), "RJ1");
        assert_eq!(code("rj122", OrgType::NhsTrust).unwrap(), "RJ122");
        assert!(code("RJ12", OrgType::NhsTrust).is_err());
        assert_eq!(code("QWE", OrgType::IntegratedCareBoard).unwrap(), "QWE");
        assert!(code("RWE", OrgType::IntegratedCareBoard).is_err());
        assert_eq!(
            code("VN-123", OrgType::SocialCareProvider),
            Err(OdsCodeError::NotAlphanumeric)
        );
        assert_eq!(code(" ", OrgType::Other), Err(OdsCodeError::Missing));
        assert!(
            OdsCodeError::Missing.to_string().contains("Enter"),
            "the message asks for the code"
        );
        assert_eq!(
            OdsCodeError::Shape(OrgType::IntegratedCareBoard).to_string(),
            "An integrated care board's ODS code is 3 characters starting with Q, like QWE"
        );
    }

    #[test]
    fn any_type_reads_three_to_ten_letters_and_digits() {
        assert_eq!("x26".parse::<OdsCode>().unwrap().to_string(), "X26");
        assert_eq!("a81001".parse::<OdsCode>().unwrap().as_str(), "A81001");
        assert!("AB".parse::<OdsCode>().is_err());
        assert!("ABCDEFGHIJK".parse::<OdsCode>().is_err());
        let json: OdsCode = serde_json::from_str("\"rj1\"").unwrap();
        assert_eq!(serde_json::to_string(&json).unwrap(), "\"RJ1\"");
        assert!(serde_json::from_str::<OdsCode>("\"R J1\"").is_err());
    }
}

//! What an organisation is, and the rules for the details given when registering one.

pub use crate::platform::tenants::OrgType;

/// Checks an NHS Organisation Data Service code against the shape used for the type of
/// organisation, and returns it in capitals. ODS codes: GP practices are a letter and five
/// digits (A81001); NHS trusts three characters (RJ1) or five for a site; integrated care
/// boards three characters starting with Q (QWE); other bodies three to ten letters and digits.
pub fn parse_ods_code(raw: &str, org_type: OrgType) -> Result<String, String> {
    let code: String = raw.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err("Enter the organisation's ODS code".into());
    }
    if !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("An ODS code can only contain letters and numbers, like RJ1 or A81001".into());
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
        Ok(code)
    } else {
        Err(match org_type {
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
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_codes_follow_the_shape_for_the_type() {
        assert_eq!(
            parse_ods_code(" a81001 ", OrgType::GpPractice).unwrap(),
            "A81001"
        );
        assert!(parse_ods_code("A8100", OrgType::GpPractice).is_err());
        assert!(parse_ods_code("AB1001", OrgType::GpPractice).is_err());
        assert_eq!(parse_ods_code("rj1", OrgType::NhsTrust).unwrap(), "RJ1");
        assert!(parse_ods_code("RJ12", OrgType::NhsTrust).is_err());
        assert_eq!(
            parse_ods_code("QWE", OrgType::IntegratedCareBoard).unwrap(),
            "QWE"
        );
        assert!(parse_ods_code("RWE", OrgType::IntegratedCareBoard).is_err());
        assert!(parse_ods_code("VN-123", OrgType::SocialCareProvider).is_err());
        assert!(
            parse_ods_code("", OrgType::Other)
                .unwrap_err()
                .contains("Enter")
        );
    }
}

//! Staff: the people in an organisation. Security leads invite them one by one or from a
//! CSV file, deactivate and reactivate them, and change their roles within the rules.

pub mod groups;
pub mod handlers;
pub mod import;
pub mod import_handlers;
pub mod import_store;
pub mod store;

pub use import_handlers::routes as import_routes;

use crate::platform::{authz::Rule, web::routes::Route};

pub fn routes() -> Vec<Route> {
    use handlers as h;
    let mut routes = vec![
        Route::get("/organisations/{org_id}/staff", Rule::OrgLead, h::list),
        Route::get(
            "/organisations/{org_id}/staff/new",
            Rule::OrgLead,
            h::new_form,
        ),
        Route::post(
            "/organisations/{org_id}/staff/new",
            Rule::OrgLead,
            h::invite,
        ),
        Route::post(
            "/organisations/{org_id}/staff/{membership_id}/deactivate",
            Rule::OrgLead,
            h::deactivate,
        ),
        Route::post(
            "/organisations/{org_id}/staff/{membership_id}/reactivate",
            Rule::OrgLead,
            h::reactivate,
        ),
        Route::post(
            "/organisations/{org_id}/staff/{membership_id}/role",
            Rule::OrgLead,
            h::change_role,
        ),
    ];
    routes.extend(import_routes());
    routes
}

/// Checks an email address's shape and returns it in lower case. Deliverability is proved
/// by the invitation itself, so this only catches typing mistakes.
pub fn parse_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("Enter an email address".into());
    }
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err("Enter an email address in the correct format, like name@nhs.net".into())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_email;

    #[test]
    fn email_addresses_are_checked_and_lower_cased() {
        assert_eq!(
            parse_email(" Ann.Smith@NHS.net ").unwrap(),
            "ann.smith@nhs.net"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@nhs.net",
            "ann@nhs",
            "ann smith@nhs.net",
            "a@b@nhs.net",
            "ann@.nhs.net",
            "ann@nhs..net",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}

//! Staff as the platform composes them: an organisation's people, their invitations,
//! imports from the HR system, and requests to join.

use crate::platform::service::Service;

pub fn service() -> Service {
    Service::new("staff").routes(super::routes())
}

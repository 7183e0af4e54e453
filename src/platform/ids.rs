//! Typed identifiers for the two things almost every query is scoped by: an organisation
//! and a person. Both are UUIDs in the database; as distinct types one cannot be passed
//! where the other is expected, so a swapped pair of arguments fails to compile instead of
//! quietly reading another tenant's rows.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Declares a UUID newtype stored and serialised exactly as the bare UUID.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered identifier for a row about to be written.
            pub fn fresh() -> Self {
                Self(crate::platform::db::new_id())
            }

            pub const fn as_uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// An organisation (a tenant): the key of the `organisations` table.
    OrgId
);

uuid_id!(
    /// A person: the key of the `users` table.
    UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_and_print_as_plain_uuids() {
        let raw = Uuid::new_v4();
        let org: OrgId = raw.to_string().parse().unwrap();
        assert_eq!(org.as_uuid(), raw);
        assert_eq!(org.to_string(), raw.to_string());
        assert_eq!(
            serde_json::to_string(&UserId::from(raw)).unwrap(),
            format!("\"{raw}\"")
        );
        assert!("not-a-uuid".parse::<UserId>().is_err());
    }
}

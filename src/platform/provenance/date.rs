//! Calendar dates in content files. Authors write TOML dates (`checked = 2026-11-29`);
//! stored course versions hold the same date as JSON text ("2026-11-29"). Both read back
//! to a [`time::Date`], and anything else (a time of day, a month without a day) is an error
//! naming what was expected.

use std::fmt;

use serde::{Deserializer, Serializer, de};
use time::{Date, format_description::BorrowedFormatItem, macros::format_description};

const ISO_DATE: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

fn parse<E: de::Error>(text: &str) -> Result<Date, E> {
    Date::parse(text, ISO_DATE).map_err(|_| {
        E::custom(format!(
            "expected a date written as YYYY-MM-DD (for example 2026-11-29), not {text:?}"
        ))
    })
}

/// `Option<Date>` fields: absent or null is `None`.
pub mod optional {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(date) => match date.format(ISO_DATE) {
                Ok(text) => s.serialize_str(&text),
                Err(e) => Err(serde::ser::Error::custom(e)),
            },
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        d.deserialize_any(DateVisitor)
    }
}

struct DateVisitor;

impl<'de> de::Visitor<'de> for DateVisitor {
    type Value = Option<Date>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date written as YYYY-MM-DD")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        parse(text).map(Some)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(DateVisitor)
    }

    /// The TOML reader hands a date over as a one-entry map holding its text.
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some((_, text)) = map.next_entry::<String, String>()? else {
            return Err(de::Error::custom("expected a date written as YYYY-MM-DD"));
        };
        parse(&text).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use time::macros::date;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Dated {
        #[serde(default, with = "super::optional")]
        checked: Option<time::Date>,
    }

    #[test]
    fn a_toml_date_reads_and_round_trips_through_json() {
        let read: Dated = toml::from_str("checked = 2026-11-29").unwrap();
        assert_eq!(read.checked, Some(date!(2026 - 11 - 29)));
        let json = serde_json::to_string(&read).unwrap();
        assert_eq!(json, r#"{"checked":"2026-11-29"}"#);
        assert_eq!(serde_json::from_str::<Dated>(&json).unwrap(), read);
        assert_eq!(toml::from_str::<Dated>("").unwrap().checked, None);
    }

    #[test]
    fn a_time_of_day_or_a_malformed_date_is_refused_with_the_expected_form() {
        for bad in [
            "checked = 2026-11-29T10:00:00Z",
            "checked = \"29/11/2026\"",
            "checked = \"2026-02-30\"",
            "checked = 20261129",
        ] {
            let e = toml::from_str::<Dated>(bad).unwrap_err().to_string();
            assert!(e.contains("YYYY-MM-DD"), "{bad}: {e}");
        }
    }
}

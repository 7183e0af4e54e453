//! Form errors, shown as the design system's error summary and beside each field.

use crate::platform::text::check_one_line;

/// One problem with one field. `field` is the input's `id`, so the summary can link to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The problems found in a submitted form, in the order the fields appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.has(field) {
            self.0.push(FieldError {
                field: field.to_owned(),
                message: message.into(),
            });
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(())` when there are no errors, so handlers can `?` past validation.
    pub fn into_result(self) -> Result<(), FormErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// Trims a one-line text field (a name) and checks it is present, not too long and one line
/// of visible text (see [`crate::platform::text`]).
pub fn required_text(
    errors: &mut FormErrors,
    field: &str,
    value: &str,
    what: &str,
    max_chars: usize,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, format!("Enter {what}"));
    } else if value.chars().count() > max_chars {
        errors.add(
            field,
            format!(
                "{} must be {max_chars} characters or fewer",
                capitalise(what)
            ),
        );
    } else if let Err(message) = check_one_line(value, &capitalise(what)) {
        errors.add(field, message);
    }
    value.to_owned()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_error_for_each_field_in_order() {
        let mut e = FormErrors::new();
        e.add("name", "Enter a name");
        e.add("email", "Enter an email address");
        e.add("name", "second");
        assert_eq!(e.get("name"), Some("Enter a name"));
        assert_eq!(
            e.iter().map(|x| x.field.as_str()).collect::<Vec<_>>(),
            ["name", "email"]
        );
    }

    #[test]
    fn required_text_trims_and_explains() {
        let mut e = FormErrors::new();
        assert_eq!(required_text(&mut e, "n", "  Ann  ", "a name", 10), "Ann");
        assert!(e.is_empty());
        required_text(&mut e, "n", "   ", "a name", 10);
        assert_eq!(e.get("n"), Some("Enter a name"));
        let mut e = FormErrors::new();
        required_text(&mut e, "n", "abcdefghijk", "a name", 10);
        assert_eq!(e.get("n"), Some("A name must be 10 characters or fewer"));
        let mut e = FormErrors::new();
        required_text(&mut e, "n", "Ann\r\nBcc: x", "a name", 100);
        assert_eq!(
            e.get("n"),
            Some("A name must be on one line, without tabs or hidden formatting characters")
        );
    }
}

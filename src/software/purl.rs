//! Package URLs (`pkg:type/namespace/name@version?qualifiers#subpath`), read by the
//! `packageurl` crate, which follows the purl specification and its per-type rules. This
//! wrapper adds what the crate leaves to its callers: a bound on length, no unencoded white
//! space, every `%` a real escape, the `pkg` scheme in any case (a purl is a URI, and URI
//! schemes are case-insensitive), and error messages a person can act on.

use std::fmt;
use std::str::FromStr;

use packageurl::PackageUrl;
use serde::{Deserialize, Serialize};

use super::{MAX_IDENTIFIER_CHARS, has_blank_or_control, percent_escapes_ok, too_long};

/// Package types whose namespace and name the package URL specification declares not case
/// sensitive. Others (Maven, Cargo, NuGet, gems and the rest) are compared exactly.
const CASE_INSENSITIVE_TYPES: [&str; 11] = [
    "alpm",
    "apk",
    "bitbucket",
    "composer",
    "deb",
    "github",
    "golang",
    "hex",
    "luarocks",
    "npm",
    "pypi",
];

/// A well-formed package URL. It is displayed in the specification's canonical form: type
/// in lower case, `pkg:` without slashes, each part percent-encoded one way, qualifiers
/// sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Purl(PackageUrl<'static>);

/// Why text is not a package URL, in words for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurlError {
    #[error("The package URL is longer than {MAX_IDENTIFIER_CHARS} characters.")]
    TooLong,
    #[error("'{input}' contains a character that is not allowed in a package URL.")]
    BadCharacter { input: String },
    #[error("'{input}' is not a package URL: it should start with 'pkg:', like 'pkg:npm/lodash'.")]
    NotPurl { input: String },
    #[error("'{input}' does not give a valid package type, like 'maven' or 'npm', after 'pkg:'.")]
    Type { input: String },
    #[error("'{input}' does not give a package name.")]
    Name { input: String },
    #[error("'{input}' has a '%' that is not followed by two hexadecimal digits of valid text.")]
    BadPercent { input: String },
    #[error(
        "In '{input}', '{key}' cannot name a qualifier: qualifier names are letters, digits, \
         '.', '-' and '_', starting with a letter."
    )]
    Qualifier { input: String, key: String },
    #[error("'{input}' has an empty or unusable part in its namespace or subpath.")]
    Segment { input: String },
    #[error("'{input}' breaks a rule of its package type: {rule}.")]
    TypeRule { input: String, rule: String },
}

impl Purl {
    /// The package type, in lower case: `maven`, `npm`, `deb`…
    pub fn package_type(&self) -> &str {
        self.0.ty()
    }

    pub fn namespace(&self) -> Option<&str> {
        self.0.namespace()
    }

    pub fn name(&self) -> &str {
        self.0.name()
    }

    pub fn version(&self) -> Option<&str> {
        self.0.version().filter(|v| !v.is_empty())
    }

    /// The qualifiers as decoded key and value pairs, in no particular order.
    pub fn qualifiers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .qualifiers()
            .iter()
            .map(|(key, value)| (key.as_ref(), value.as_ref()))
    }

    /// The package without version, qualifiers or subpath, in one spelling, so that two
    /// URLs naming the same package give equal keys: `pkg:type/namespace/name` with each part
    /// percent-encoded the same way. Namespace and name are lowercased for the package types
    /// the specification declares not case sensitive, and Python package names also treat
    /// `_` as `-`.
    pub fn match_key(&self) -> String {
        let kind = self.package_type();
        let fold = CASE_INSENSITIVE_TYPES.contains(&kind);
        let tidy = |s: &str| {
            if fold { s.to_lowercase() } else { s.to_owned() }
        };
        let mut name = tidy(self.name());
        if kind == "pypi" {
            name = name.replace('_', "-");
        }
        let mut key = format!("pkg:{kind}/");
        if let Some(namespace) = self.namespace() {
            for segment in namespace.split('/') {
                key.push_str(&percent_encode(&tidy(segment)));
                key.push('/');
            }
        }
        key.push_str(&percent_encode(&name));
        key
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b'+') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl FromStr for Purl {
    type Err = PurlError;

    fn from_str(input: &str) -> Result<Self, PurlError> {
        if too_long(input) {
            return Err(PurlError::TooLong);
        }
        let owned = || input.to_owned();
        if has_blank_or_control(input) {
            return Err(PurlError::BadCharacter { input: owned() });
        }
        let rest = match input.split_once(':') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("pkg") => rest,
            _ => return Err(PurlError::NotPurl { input: owned() }),
        };
        if !percent_escapes_ok(rest) {
            return Err(PurlError::BadPercent { input: owned() });
        }
        // Slashes at the end of the path are not significant (the specification's rules for
        // namespace and name), but the crate would read one as an empty name.
        let end = rest.find(['?', '#']).unwrap_or(rest.len());
        let (path, suffix) = rest.split_at(end);
        let rest = format!("{}{suffix}", path.trim_end_matches('/'));
        PackageUrl::from_str(&format!("pkg:{rest}"))
            .map(Purl)
            .map_err(|error| explain(input, &rest, error))
    }
}

/// The crate's error in words for people, naming the text they wrote.
fn explain(input: &str, rest: &str, error: packageurl::Error) -> PurlError {
    use packageurl::Error as E;
    let input = input.to_owned();
    let rule = |rule: String| PurlError::TypeRule {
        input: input.clone(),
        rule,
    };
    match error {
        // `pkg:npm` names a type but no package: say the name is missing.
        E::MissingType if names_only_a_type(rest) => PurlError::Name { input },
        E::MissingType | E::InvalidType(_) => PurlError::Type { input },
        E::MissingName => PurlError::Name { input },
        E::InvalidKey(key) => PurlError::Qualifier { input, key },
        E::DecodingError(_) => PurlError::BadPercent { input },
        E::InvalidNamespaceComponent(_) | E::InvalidSubpathSegment(_) => {
            PurlError::Segment { input }
        }
        E::TypeRequiresNamespace(kind) => rule(format!("a {kind} package URL needs a namespace")),
        E::TypeProhibitsNamespace(kind) => rule(format!("a {kind} package URL has no namespace")),
        E::MissingRequiredQualifier(kind, key) => {
            rule(format!("a {kind} package URL needs the qualifier '{key}'"))
        }
        E::InvalidName(kind, name) => rule(format!("'{name}' is not a {kind} package name")),
        E::InvalidVersion(kind, version) => rule(format!("'{version}' is not a {kind} version")),
        other => rule(other.to_string()),
    }
}

fn names_only_a_type(rest: &str) -> bool {
    let path = rest.trim_start_matches('/');
    let kind = path.split(['?', '#', '@']).next().unwrap_or("");
    kind.starts_with(|c: char| c.is_ascii_alphabetic())
        && kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
}

impl TryFrom<&str> for Purl {
    type Error = PurlError;

    fn try_from(text: &str) -> Result<Self, PurlError> {
        text.parse()
    }
}

impl TryFrom<String> for Purl {
    type Error = PurlError;

    fn try_from(text: String) -> Result<Self, PurlError> {
        text.parse()
    }
}

impl From<Purl> for String {
    fn from(purl: Purl) -> String {
        purl.to_string()
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purl(text: &str) -> Purl {
        text.parse()
            .unwrap_or_else(|e| panic!("{text} should be a package URL: {e}"))
    }

    /// The examples the purl specification lists are accepted, and those already in
    /// canonical form are displayed as written.
    #[test]
    fn the_specifications_examples_are_accepted() {
        for text in [
            "pkg:bitbucket/birkenfeld/pygments-main@244fd47e07d1014f0aed9c",
            "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
            "pkg:docker/cassandra@sha256:244fd47e07d1004f0aed9c",
            "pkg:gem/ruby-advisory-db-check@0.12.4",
            "pkg:gem/jruby-launcher@1.1.2?platform=java",
            "pkg:github/package-url/purl-spec@244fd47e07d1004f0aed9c",
            "pkg:golang/google.golang.org/genproto#googleapis/api/annotations",
            "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?packaging=sources",
            "pkg:npm/%40angular/animation@12.3.1",
            "pkg:npm/foobar@12.3.1",
            "pkg:nuget/EnterpriseLibrary.Common@6.0.1304",
            "pkg:pypi/django@1.11.1",
            "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25",
        ] {
            assert_eq!(purl(text).to_string(), text);
        }
        let angular = purl("pkg:npm/%40angular/animation@12.3.1");
        assert_eq!(angular.package_type(), "npm");
        assert_eq!(angular.namespace(), Some("@angular"));
        assert_eq!(angular.name(), "animation");
        assert_eq!(angular.version(), Some("12.3.1"));
        let curl = purl("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie");
        let mut qualifiers: Vec<(&str, &str)> = curl.qualifiers().collect();
        qualifiers.sort();
        assert_eq!(qualifiers, [("arch", "i386"), ("distro", "jessie")]);
    }

    /// The specification's case and scheme rules: the type is case-insensitive with a lower
    /// case canonical form, and slashes after `pkg:` are ignored.
    #[test]
    fn case_and_scheme_follow_the_specification() {
        assert_eq!(
            purl("pkg:NPM/foobar@12.3.1").to_string(),
            "pkg:npm/foobar@12.3.1"
        );
        assert_eq!(
            purl("pkg://maven/org.apache.commons/io").to_string(),
            "pkg:maven/org.apache.commons/io"
        );
        assert_eq!(
            purl("PKG:pypi/requests").to_string(),
            "pkg:pypi/requests",
            "a URI scheme is case-insensitive; the canonical form is lower case"
        );
        assert_eq!(
            purl("pkg:PYPI/Django_package@1.11.1.dev1").to_string(),
            "pkg:pypi/django-package@1.11.1.dev1"
        );
        assert_eq!(
            purl("pkg:npm/lodash/").to_string(),
            "pkg:npm/lodash",
            "slashes at the end of the path are not significant"
        );
        assert_eq!(
            purl("pkg:npm/@angular/core@16.0.0").to_string(),
            "pkg:npm/%40angular/core@16.0.0"
        );
        // Maven names are case-sensitive, so they are kept as written.
        assert_eq!(purl("pkg:maven/org.apache.commons/IO").name(), "IO");
    }

    #[test]
    fn invalid_package_urls_are_refused() {
        for bad in [
            "",
            "EnterpriseLibrary.Common@6.0.1304",
            "https://example.org/x",
            "pkg:",
            "pkg",
            "pkg:npm",
            "pkg:npm/",
            "pkg:/lodash",
            "pkg:npm/@4.17.21",
            "pkg:maven/@1.3.4",
            "pkg:3nginx/nginx@0.8.9",
            "pkg:n&g?inx/nginx@0.8.9",
            "pkg:np m/lodash",
            "pkg:npm/left pad",
            "pkg:npm/left-pad?1key=x",
            "pkg:npm/%zz",
            "pkg:npm/a%2",
            "pkg:npm/%FF%FE",
            "pkg:oci/ns/image",
            "pkg:swift/Alamofire@5.4.3",
            "pkg:cargo/rust-lang/rand@0.7.2",
        ] {
            assert!(bad.parse::<Purl>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let error = |text: &str| text.parse::<Purl>().unwrap_err();
        assert!(matches!(error("npm/lodash"), PurlError::NotPurl { .. }));
        assert!(matches!(error("pkg:"), PurlError::Type { .. }));
        assert!(matches!(error("pkg:npm"), PurlError::Name { .. }));
        assert!(matches!(error("pkg:1x/y"), PurlError::Type { .. }));
        assert!(matches!(
            error("pkg:npm/a%ff"),
            PurlError::BadPercent { .. }
        ));
        assert!(matches!(
            error("pkg:npm/a b"),
            PurlError::BadCharacter { .. }
        ));
        assert!(matches!(
            error(&format!("pkg:npm/{}", "x".repeat(2000))),
            PurlError::TooLong
        ));
        assert_eq!(
            error("pkg:swift/Alamofire@5.4.3").to_string(),
            "'pkg:swift/Alamofire@5.4.3' breaks a rule of its package type: a swift package \
             URL needs a namespace."
        );
    }

    #[test]
    fn match_keys_are_one_spelling() {
        let key = |s: &str| purl(s).match_key();
        assert_eq!(
            key("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
            "pkg:maven/org.apache.logging.log4j/log4j-core"
        );
        assert_eq!(key("pkg:npm/@angular/core"), "pkg:npm/%40angular/core");
        assert_eq!(
            key("pkg:npm/%40Angular/Core@1"),
            key("pkg:npm/@angular/core")
        );
        assert_eq!(key("pkg:pypi/Django_Rest"), "pkg:pypi/django-rest");
        assert_ne!(key("pkg:maven/Org/X"), key("pkg:maven/org/x"));
        assert_eq!(
            key("pkg:github/Package-URL/purl-spec@v1"),
            "pkg:github/package-url/purl-spec"
        );
    }

    #[test]
    fn serde_uses_the_canonical_form_and_validates() {
        let json = serde_json::to_string(&purl("pkg:NPM/foobar@12.3.1")).unwrap();
        assert_eq!(json, "\"pkg:npm/foobar@12.3.1\"");
        assert_eq!(
            serde_json::from_str::<Purl>(&json).unwrap(),
            purl("pkg:npm/foobar@12.3.1")
        );
        assert!(serde_json::from_str::<Purl>("\"pkg:npm/\"").is_err());
        assert_eq!(
            Purl::try_from("pkg:npm/foobar").unwrap(),
            purl("pkg:npm/foobar")
        );
    }
}

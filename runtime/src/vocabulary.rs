//! The small closed sets of values that vendor permission pages use.
//!
//! Each type has one canonical spelling (`as_str`), which is also its serde form and its
//! `Display`; `FromStr` accepts exactly that spelling.

use std::fmt;
use std::str::FromStr;

/// A value did not name a member of a vocabulary type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseVocabularyError {
    /// Which vocabulary was asked for, e.g. `"CAM class"`.
    pub kind: &'static str,
    /// The text that did not match.
    pub value: String,
    /// The spellings that would have matched.
    pub expected: &'static [&'static str],
}

impl fmt::Display for ParseVocabularyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} `{}` (expected one of: {})",
            self.kind,
            self.value,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for ParseVocabularyError {}

/// Declares a fieldless enum with one canonical spelling per variant, and the
/// `as_str` / `ALL` / `Display` / `FromStr` (and optional serde) impls that go with it.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum $name {
            $( $(#[$vmeta])* #[cfg_attr(feature = "serde", serde(rename = $text))] $variant, )+
        }

        impl $name {
            /// Every member, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            const SPELLINGS: &'static [&'static str] = &[$($text),+];

            /// The canonical spelling.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseVocabularyError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ParseVocabularyError {
                        kind: $kind,
                        value: s.to_owned(),
                        expected: Self::SPELLINGS,
                    }),
                }
            }
        }
    };
}

vocabulary! {
    /// The operation class a CAM authorization page files an action under.
    CamClass, "CAM class" {
        /// Changes state ("Write operations").
        Write => "write",
        /// Reads one thing ("Read operations").
        Read => "read",
        /// Lists things ("List Operations").
        List => "list",
        /// Anything else ("Other Operations").
        Other => "other",
    }
}

impl CamClass {
    /// Whether a call can be repeated without changing anything beyond the first call:
    /// reads and lists are; writes and "other" actions (which include sending mail and
    /// codes) are not assumed to be.
    pub const fn is_read_only(self) -> bool {
        matches!(self, CamClass::Read | CamClass::List)
    }
}

vocabulary! {
    /// How finely CAM can authorize an action.
    Granularity, "authorization granularity" {
        /// Per action only: a policy that names a narrower resource than `*` grants nothing.
        Operation => "operation",
        /// Per resource.
        Resource => "resource",
        /// The whole service at once.
        Service => "service",
    }
}

vocabulary! {
    /// A product-level yes / no / partly fact of a CAM page.
    Support, "support level" {
        /// Supported.
        Supported => "supported",
        /// Supported by some actions only.
        Partial => "partial",
        /// Not supported.
        NotSupported => "not_supported",
    }
}

vocabulary! {
    /// An HTTP method of a REST operation.
    HttpMethod, "HTTP method" {
        /// GET
        Get => "GET",
        /// POST
        Post => "POST",
        /// PUT
        Put => "PUT",
        /// DELETE
        Delete => "DELETE",
        /// PATCH
        Patch => "PATCH",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for class in CamClass::ALL {
            assert_eq!(class.as_str().parse::<CamClass>(), Ok(*class));
        }
        for method in HttpMethod::ALL {
            assert_eq!(method.to_string().parse::<HttpMethod>(), Ok(*method));
        }
    }

    #[test]
    fn unknown_spelling_names_the_vocabulary() {
        let err = "Write".parse::<CamClass>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown CAM class `Write` (expected one of: write, read, list, other)"
        );
    }

    #[test]
    fn only_reads_and_lists_are_read_only() {
        let read_only: Vec<_> = CamClass::ALL.iter().filter(|c| c.is_read_only()).collect();
        assert_eq!(read_only, [&CamClass::Read, &CamClass::List]);
    }
}

//! Integers that may arrive as numeric strings.
//!
//! The vendors' services (and their own examples) sometimes send an integer field as a
//! string, e.g. `"ClientUin": "20000000000"`. Generated models decode every integer field
//! through [`deserialize`], which accepts a JSON number or a string of digits, inside an
//! `Option` or a list as well: `#[serde(deserialize_with = "...::lenient::deserialize")]`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

/// Decodes a value of a [`Lenient`] type.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    T::deserialize_lenient(deserializer)
}

/// A type that decodes from a number or a numeric string: `i64`, `u64`, and `Option`s and
/// `Vec`s of lenient types.
pub trait Lenient: Sized {
    /// Decodes the value.
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

struct IntVisitor<T>(PhantomData<T>);

impl<T> Visitor<'_> for IntVisitor<T>
where
    T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, or a string holding one")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.trim()
            .parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

macro_rules! lenient_int {
    ($($ty:ty),*) => {$(
        impl Lenient for $ty {
            fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(IntVisitor::<$ty>(PhantomData))
            }
        }
    )*};
}

lenient_int!(i64, u64);

impl<T: Lenient> Lenient for Option<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct OptionVisitor<T>(PhantomData<T>);
        impl<'de, T: Lenient> Visitor<'de> for OptionVisitor<T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("null or an integer")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                T::deserialize_lenient(d).map(Some)
            }
        }
        d.deserialize_option(OptionVisitor(PhantomData))
    }
}

impl<T: Lenient> Lenient for Vec<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Seed<T>(PhantomData<T>);
        impl<'de, T: Lenient> DeserializeSeed<'de> for Seed<T> {
            type Value = T;
            fn deserialize<D2: Deserializer<'de>>(self, d: D2) -> Result<T, D2::Error> {
                T::deserialize_lenient(d)
            }
        }
        struct SeqVisitor<T>(PhantomData<T>);
        impl<'de, T: Lenient> Visitor<'de> for SeqVisitor<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of integers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element_seed(Seed(PhantomData))? {
                    out.push(item);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(SeqVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Row {
        #[serde(deserialize_with = "super::deserialize")]
        uin: u64,
        #[serde(default, deserialize_with = "super::deserialize")]
        delta: Option<i64>,
        #[serde(default, deserialize_with = "super::deserialize")]
        uins: Vec<u64>,
    }

    fn row(json: &str) -> Result<Row, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_and_numeric_strings_decode_alike() {
        let expected = Row {
            uin: 20000000000,
            delta: Some(-3),
            uins: vec![1, 2],
        };
        assert_eq!(
            row(r#"{"uin": 20000000000, "delta": -3, "uins": [1, 2]}"#).unwrap(),
            expected
        );
        assert_eq!(
            row(r#"{"uin": "20000000000", "delta": "-3", "uins": ["1", 2]}"#).unwrap(),
            expected
        );
    }

    #[test]
    fn missing_and_null_optionals_are_none() {
        let r = row(r#"{"uin": 1, "delta": null}"#).unwrap();
        assert_eq!((r.delta, r.uins.len()), (None, 0));
        assert_eq!(row(r#"{"uin": 1}"#).unwrap().delta, None);
    }

    #[test]
    fn non_numbers_and_out_of_range_values_are_errors() {
        assert!(row(r#"{"uin": "12a"}"#).is_err());
        assert!(row(r#"{"uin": -1}"#).is_err());
        assert!(row(r#"{"uin": 1.5}"#).is_err());
        let err = row(r#"{"uin": true}"#).unwrap_err().to_string();
        assert!(err.contains("an integer, or a string holding one"), "{err}");
    }
}

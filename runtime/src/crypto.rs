//! What both request signers (TC3 and Huawei's SDK-HMAC-SHA256) are built from: hex
//! SHA-256, HMAC-SHA256, the layout of a canonical request, and the civil calendar their
//! dates need (std has none, and the whole of it is these few lines of Howard Hinnant's
//! algorithms).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// An HMAC-SHA256 keyed with `key`, ready for `update`.
pub(crate) fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length")
}

/// The HMAC-SHA256 of `message` under `key`.
pub(crate) fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = hmac_sha256(key);
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// A canonical request, the text both signatures hash: the method, the canonical URI,
/// the canonical query string, one `name:value` line per signed header, a blank line, the
/// signed header names joined by `;`, and the payload hash. A signer builds it from what
/// it is about to send, a verifier from what it received.
#[derive(Debug, Clone, Copy)]
pub struct CanonicalRequest<'a> {
    /// The HTTP method, as the signature has it (upper case).
    pub method: &'a str,
    /// The canonical URI (`/` for TC3).
    pub uri: &'a str,
    /// The canonical query string (empty for a TC3 POST).
    pub query: &'a str,
    /// The signed headers: lower-case names in `SignedHeaders` order, with their values.
    pub headers: &'a [(&'a str, &'a str)],
    /// The payload hash: the hex SHA-256 of the body, or what stands in for it.
    pub payload_hash: &'a str,
}

impl std::fmt::Display for CanonicalRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\n{}\n{}\n", self.method, self.uri, self.query)?;
        for (name, value) in self.headers {
            writeln!(f, "{name}:{value}")?;
        }
        f.write_str("\n")?;
        for (i, (name, _)) in self.headers.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(name)?;
        }
        write!(f, "\n{}", self.payload_hash)
    }
}

/// Days since 1970-01-01 to a (year, month, day) civil date.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The inverse of [`civil_from_days`].
#[cfg_attr(not(feature = "huawei"), allow(dead_code))]
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for days in [-1_000_000, -1, 0, 59, 60, 11_016, 19_722, 47_541, 1_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}

//! [`ContractVersion`]: which versions of `airssys:core` a host serves, so
//! that one that has not updated (1.0.0 only) can be run beside one that has.

use std::fmt;
use std::str::FromStr;

/// A version of the `airssys:core` contract the reference host can serve.
/// Each has its own bindings (`bindings` for 1.0.0, `bindings::v1_1`), and
/// a host serving it registers every interface under that exact version
/// (`airssys:core/storage@1.1.0`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ContractVersion {
    /// `airssys:core@1.0.0`: the contract, in `wit/`.
    V1_0_0,
    /// `airssys:core@1.1.0`: the draft in `fixtures/contract-1.1.0`, which
    /// adds `storage.get-many` (STO-12). Its unstable `compare-and-swap` is
    /// not served.
    V1_1_0,
}

impl ContractVersion {
    /// Every version this host can serve, oldest first: what
    /// `register_host_functions` and a default `Runtime` serve.
    pub const ALL: &'static [ContractVersion] = &[ContractVersion::V1_0_0, ContractVersion::V1_1_0];

    /// The version as WIT writes it after `@`: `"1.0.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractVersion::V1_0_0 => "1.0.0",
            ContractVersion::V1_1_0 => "1.1.0",
        }
    }

    /// The versions in `text`, separated by commas (`"1.0.0"`,
    /// `"1.0.0,1.1.0"`); the error names the first one this host cannot
    /// serve and those it can.
    pub fn parse_list(text: &str) -> Result<Vec<ContractVersion>, UnknownContractVersion> {
        text.split(',').map(|part| part.trim().parse()).collect()
    }
}

impl fmt::Display for ContractVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A version of `airssys:core` this host cannot serve, e.g. `1.2.0` or `1.0`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{given}` is not a version of airssys:core this host serves; give one of {}",
    served()
)]
#[non_exhaustive]
pub struct UnknownContractVersion {
    /// The text given.
    pub given: String,
}

fn served() -> String {
    let versions: Vec<&str> = ContractVersion::ALL.iter().map(|v| v.as_str()).collect();
    versions.join(", ")
}

impl FromStr for ContractVersion {
    type Err = UnknownContractVersion;

    /// `"1.0.0"` or `"1.1.0"`, exactly: `1.0` or `v1.0.0` would hide which
    /// interface names the host registers.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ContractVersion::ALL
            .iter()
            .copied()
            .find(|version| version.as_str() == text)
            .ok_or_else(|| UnknownContractVersion {
                given: text.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_reads_back_from_its_text() {
        for version in ContractVersion::ALL {
            assert_eq!(version.as_str().parse::<ContractVersion>(), Ok(*version));
        }
    }

    #[test]
    fn a_list_reads_in_order_and_an_unknown_version_is_named() {
        assert_eq!(
            ContractVersion::parse_list("1.1.0, 1.0.0"),
            Ok(vec![ContractVersion::V1_1_0, ContractVersion::V1_0_0])
        );
        let refused = ContractVersion::parse_list("1.0.0,1.0").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "`1.0` is not a version of airssys:core this host serves; give one of 1.0.0, 1.1.0"
        );
    }
}

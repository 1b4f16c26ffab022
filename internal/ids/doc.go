// Package ids validates and builds the national identifier codes that the
// data platform receives from registries: unified social credit codes,
// citizen identity numbers, administrative region codes and electronic
// license identifiers.
//
// Validation functions never normalise their input: they check the exact
// string they are given and return an error that wraps one of the package's
// sentinel errors, so callers can branch with [errors.Is] and still show the
// detailed message to a person. Helpers such as [NormalizeUSCC] are provided
// for cleaning user input before validation.
//
// # Unified Social Credit Code
//
// The unified social credit code (统一社会信用代码, GB 32100-2015) has 18
// characters drawn from the 31-character alphabet
// "0123456789ABCDEFGHJKLMNPQRTUWXY" (the letters I, O, S, V and Z are not
// used): the registration authority, the organisation type, the 6-digit
// region code of the registering authority, the 9-character organisation
// code and a check character. The check character is computed with the
// weights 3^(i-1) mod 31 as described at [USCCCheckChar]. See
// [ValidateUSCC], [MakeUSCC] and [USCCRegion].
//
// # Citizen Identity Number
//
// The citizen identity number (公民身份号码, GB 11643-1999) has 18
// characters: a 6-digit region code, the birth date as YYYYMMDD, a 3-digit
// sequence number whose parity encodes the sex (odd for male, even for
// female) and an ISO 7064 MOD 11-2 check character, a digit or "X". See
// [ValidateIDCard], [ValidateIDCardAt], [MakeIDCard], [IDCardBirthDate] and
// [IDCardMale].
//
// # Administrative Region Codes
//
// Region codes (GB/T 2260) are 6 digits: 2 for the province, 2 for the
// prefecture-level city and 2 for the county-level division. The package
// embeds a snapshot of the province, city and county tables (see the
// regions directory and its LICENSE) that is parsed once, on first use.
// Codes that have been withdrawn since the snapshot, or that were withdrawn
// before it (many old identity numbers carry such codes), are not known to
// [KnownRegion] and [RegionName]; [ValidRegionCodeFormat] only checks the
// shape and the province prefix.
//
// # Electronic License Identifier
//
// Electronic license identifiers (电子证照标识, GB/T 36904-2018) look like
//
//	1.2.156.3005.2.{type code}.{issuer code}.{serial}.{version}.{check}
//
// where the version has 3 digits and the check character is the ISO 7064
// MOD 37,36 check character over the type code, issuer code, serial and
// version concatenated without dots. See [ParseLicenseID], [MakeLicenseID]
// and [LicenseCheckChar].
package ids

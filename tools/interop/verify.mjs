// Verifies a huitong license credential and its status list with panva/jose,
// an implementation independent of huitong's own (go-jose), to show that
// any JOSE library can check huitong's credentials.
//
// Input, either as files:
//
//	node verify.mjs --jwks jwks.json --credential cred.jwt [--status status.jwt]
//
// or as one JSON object on standard input:
//
//	{"jwks": {...} or "<JWKS text>", "credential": "<JWT>", "statusList": "<JWT>"}
//
// or as a JSON array of such objects, checked one by one.
//
// Output: one JSON object on standard output (an array of them for an
// array), for example
//
//	{"verified": true, "revoked": false, "statusChecked": true, ...}
//
// verified is true when jose accepted the credential's signature, typ
// vc+jwt, algorithm EdDSA and time claims; revoked is the credential's bit
// in the verified status list (null when no status list was given). The
// exit status is 0 whenever a result was printed, 2 on bad usage or input.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as jose from 'jose';

const TYP = 'vc+jwt';
const ALGORITHMS = ['EdDSA'];
const JOSE_VERSION = joseVersion();

function usage(msg) {
  process.stderr.write(`verify.mjs: ${msg}\n` +
    'usage: node verify.mjs --jwks FILE --credential FILE [--status FILE]\n' +
    '       node verify.mjs < {"jwks":...,"credential":"...","statusList":"..."}\n');
  process.exit(2);
}

function readInput(argv) {
  if (argv.length === 0) {
    let text;
    try {
      text = readFileSync(0, 'utf8');
    } catch (e) {
      usage(`read standard input: ${e.message}`);
    }
    let obj;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      usage(`standard input is not JSON: ${e.message}`);
    }
    return obj;
  }
  const names = { '--jwks': 'jwks', '--credential': 'credential', '--status': 'statusList' };
  const obj = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = names[argv[i]];
    if (!name || i + 1 >= argv.length) usage(`unknown or incomplete argument ${argv[i]}`);
    try {
      obj[name] = readFileSync(argv[i + 1], 'utf8');
    } catch (e) {
      usage(`read ${argv[i + 1]}: ${e.message}`);
    }
  }
  return obj;
}

function errorOf(e) {
  return { code: e && e.code ? e.code : 'ERROR', message: e && e.message ? e.message : String(e) };
}

// bitAt returns bit index of a bitstring: index 0 is the most significant
// bit of the first byte (W3C Bitstring Status List).
function bitAt(bits, index) {
  const byte = Math.floor(index / 8);
  if (byte >= bits.length) throw new Error(`status list index ${index} beyond the list's ${bits.length * 8} bits`);
  return (bits[byte] & (0x80 >> (index % 8))) !== 0;
}

// decodeList turns an encodedList into its bitstring: multibase prefix u,
// base64url without padding, GZIP.
function decodeList(encoded) {
  if (typeof encoded !== 'string' || !encoded.startsWith('u')) {
    throw new Error('encodedList lacks the multibase prefix u');
  }
  return gunzipSync(jose.base64url.decode(encoded.slice(1)));
}

async function main() {
  const input = readInput(process.argv.slice(2));
  if (Array.isArray(input)) {
    const outs = [];
    for (const one of input) outs.push(await verifyOne(one));
    return outs;
  }
  return verifyOne(input);
}

async function verifyOne(input) {
  if (!input || typeof input !== 'object') usage('each input must be a JSON object');
  let jwks = input.jwks;
  if (typeof jwks === 'string') {
    try {
      jwks = JSON.parse(jwks);
    } catch (e) {
      usage(`JWKS is not JSON: ${e.message}`);
    }
  }
  if (!jwks || !Array.isArray(jwks.keys)) usage('no JWKS with keys given');
  if (typeof input.credential !== 'string' || input.credential.trim() === '') usage('no credential given');

  const keySet = jose.createLocalJWKSet(jwks);
  const out = { verifier: `jose ${JOSE_VERSION}`, verified: false, revoked: null, statusChecked: false };

  let cred;
  try {
    cred = await jose.jwtVerify(input.credential.trim(), keySet, { algorithms: ALGORITHMS, typ: TYP });
  } catch (e) {
    out.error = errorOf(e);
    return out;
  }
  const p = cred.payload;
  out.verified = true;
  out.header = cred.protectedHeader;
  out.kid = cred.protectedHeader.kid;
  out.iss = p.iss;
  out.jti = p.jti;
  out.identifier = p.credentialSubject && p.credentialSubject.identifier;
  out.holderName = p.credentialSubject && p.credentialSubject.holderName;
  // huitong's kid is "<issuer USCC>-<thumbprint prefix>": the key must be
  // one of the issuer the credential names.
  out.kidMatchesIssuer = typeof p.iss === 'string' && typeof out.kid === 'string' &&
    p.iss.startsWith('urn:uscc:') && out.kid.startsWith(p.iss.slice('urn:uscc:'.length) + '-');

  const entry = p.credentialStatus;
  if (!entry) return out;
  out.statusListCredential = entry.statusListCredential;
  out.statusListIndex = Number(entry.statusListIndex);
  if (typeof input.statusList !== 'string' || input.statusList.trim() === '') return out;

  let list;
  try {
    list = await jose.jwtVerify(input.statusList.trim(), keySet, { algorithms: ALGORITHMS, typ: TYP });
  } catch (e) {
    out.statusError = errorOf(e);
    return out;
  }
  const lp = list.payload;
  const problems = [];
  if (lp.id !== entry.statusListCredential) problems.push(`status list is ${lp.id}, the credential names ${entry.statusListCredential}`);
  if (lp.iss !== p.iss) problems.push(`status list issuer ${lp.iss} is not the credential's ${p.iss}`);
  const subject = lp.credentialSubject || {};
  if (subject.type !== 'BitstringStatusList') problems.push(`status list type ${subject.type}`);
  if (subject.statusPurpose !== entry.statusPurpose) problems.push(`status purpose ${subject.statusPurpose}, entry has ${entry.statusPurpose}`);
  if (!Number.isInteger(out.statusListIndex) || out.statusListIndex < 0) problems.push(`bad statusListIndex ${entry.statusListIndex}`);
  if (problems.length > 0) {
    out.statusError = { code: 'STATUS_LIST_MISMATCH', message: problems.join('; ') };
    return out;
  }
  try {
    const bits = decodeList(subject.encodedList);
    out.statusListBits = bits.length * 8;
    out.revoked = bitAt(bits, out.statusListIndex);
    out.statusChecked = true;
    out.statusPurpose = subject.statusPurpose;
  } catch (e) {
    out.statusError = errorOf(e);
  }
  return out;
}

function joseVersion() {
  try {
    const pkg = JSON.parse(readFileSync(new URL('./node_modules/jose/package.json', import.meta.url), 'utf8'));
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

main().then(
  (out) => process.stdout.write(JSON.stringify(out) + '\n'),
  (e) => {
    process.stderr.write(`verify.mjs: ${e && e.stack ? e.stack : e}\n`);
    process.exit(2);
  },
);

// litcompute's threshold encryption in JavaScript, written from SCHEME.md alone (not from the C++).
//
// DESIGN. This is the second implementation of one written scheme (the first is the lead's C++ in
// crypto/threshold); threshold_interop.test.mjs drives both, so a place where the text can be read
// two ways shows up as a failing test rather than as a silent fork. It follows the text literally
// and marks each choice the text leaves open with "Spec reading:".
//
// What it guarantees:
//  - A function that takes input a peer could have sent never throws. It returns
//    `{ ok: true, ... }` or `{ ok: false, error: { code, message } }`, with threshold_tool's codes
//    (invalid_ciphertext, invalid_blinding, invalid_key_share, invalid_share, quorum_unavailable)
//    plus invalid_network, invalid_identity and invalid_argument for inputs outside that list.
//  - Encoding hygiene: points are 64 lowercase hex digits holding a canonical ristretto255
//    encoding; the identity is refused for P, X_i, U, V, D_i (SCHEME.md's list) and also for the
//    Feldman commitments C_j and the proof commitments A, A1, A2 (see the "Spec reading" notes);
//    scalars are 32 bytes little-endian and refused when ≥ ℓ; a failing scalar multiplication
//    (libsodium.js throws where C returns -1) becomes a refusal.
//  - A node releases D_i only after its key share matches the commitments, the envelope's label
//    proof holds for this L, and the blinding proof holds for this envelope's U.
//  - combine refuses (invalid_share) if ANY share given fails its DLEQ, then needs T distinct
//    indices (quorum_unavailable), and returns only plaintext whose SHA-256 is the hash in L.
//
// Not here: access-condition evaluation and authSig (threshold_tool's ops do not carry them).

import './webcrypto_global.mjs'; // before libsodium: Node 18 has no globalThis.crypto
import sodium from 'libsodium-wrappers-sumo';

await sodium.ready;

// The order ℓ of the ristretto255 group (RFC 9496).
export const GROUP_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;

export const ENVELOPE_VERSION = 1;
export const NETWORK_VERSION = 1;
export const KEY_SHARE_VERSION = 1;

export const TAG_KEM = 'litc/kem/v1';
export const TAG_BLIND = 'litc/blind/v1';
export const TAG_DLEQ = 'litc/dleq/v1';
export const TAG_KEY = 'litc/key/v1';

export const ErrorCode = Object.freeze({
  InvalidNetwork: 'invalid_network',
  InvalidKeyShare: 'invalid_key_share',
  InvalidIdentity: 'invalid_identity',
  InvalidCiphertext: 'invalid_ciphertext',
  InvalidBlinding: 'invalid_blinding',
  InvalidShare: 'invalid_share',
  QuorumUnavailable: 'quorum_unavailable',
  InvalidArgument: 'invalid_argument',
});

const POINT_BYTES = 32;
const SCALAR_BYTES = 32;
const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES; // 24
const TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES; // 16
// Envelope = 0x01 ‖ U ‖ A ‖ z ‖ nonce ‖ box.
const OFFSET_U = 1;
const OFFSET_A = OFFSET_U + POINT_BYTES;
const OFFSET_Z = OFFSET_A + POINT_BYTES;
const OFFSET_NONCE = OFFSET_Z + SCALAR_BYTES;
const OFFSET_BOX = OFFSET_NONCE + NONCE_BYTES;
export const MIN_ENVELOPE_BYTES = OFFSET_BOX + TAG_BYTES; // 137: the envelope of an empty plaintext

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

// ---------------------------------------------------------------------------------------------
// Results, bytes, hex, base64

export function fail(code, message) {
  return { ok: false, error: { code, message } };
}

export function toHex(bytes) {
  return sodium.to_hex(bytes);
}

// Strict: exactly `bytes` bytes as lowercase hex, else null.
export function fromHex(text, bytes) {
  if (typeof text !== 'string' || text.length !== 2 * bytes || !/^[0-9a-f]*$/.test(text)) {
    return null;
  }
  return sodium.from_hex(text);
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function asBytes(part) {
  return typeof part === 'string' ? utf8.encode(part) : part;
}

export function u32le(n) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

function equalBytes(a, b) {
  return a.length === b.length && sodium.memcmp(a, b);
}

function isAllZero(bytes) {
  return bytes.every((b) => b === 0);
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Standard alphabet with padding. libsodium's decoder refuses stray characters, missing padding
// and non-zero trailing bits; comparing the re-encoding makes the accepted spelling unique.
function fromBase64Strict(text) {
  if (typeof text !== 'string') return null;
  let bytes;
  try {
    bytes = sodium.from_base64(text, sodium.base64_variants.ORIGINAL);
  } catch {
    return null;
  }
  return toBase64(bytes) === text ? bytes : null;
}

function toBase64(bytes) {
  return sodium.to_base64(bytes, sodium.base64_variants.ORIGINAL);
}

export function sha256Hex(data) {
  return toHex(sodium.crypto_hash_sha256(asBytes(data)));
}

export function blake2b256(bytes) {
  return sodium.crypto_generichash(32, bytes, null);
}

// ---------------------------------------------------------------------------------------------
// Scalars and points

export function scalarToBigInt(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

export function bigIntToScalar(n) {
  const out = new Uint8Array(SCALAR_BYTES);
  let v = n;
  for (let i = 0; i < SCALAR_BYTES; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

// libsodium.js 0.8.4 exposes no canonical-scalar check, so compare with ℓ here.
export function isCanonicalScalar(bytes) {
  return bytes.length === SCALAR_BYTES && scalarToBigInt(bytes) < GROUP_ORDER;
}

export function scalarFromU32(n) {
  return concat(u32le(n), new Uint8Array(SCALAR_BYTES - 4));
}

// A scalar from 64 lowercase hex digits: canonical (< ℓ), and non-zero unless allowZero.
export function decodeScalar(text, { allowZero = false } = {}) {
  const bytes = fromHex(text, SCALAR_BYTES);
  if (bytes === null || !isCanonicalScalar(bytes)) return null;
  if (!allowZero && isAllZero(bytes)) return null;
  return bytes;
}

// A point from 64 lowercase hex digits: a canonical ristretto255 encoding, and not the identity
// unless allowIdentity. is_valid_point accepts the identity (all zeros, its only canonical
// encoding), in 1.0.18 and in the 1.0.22 inside libsodium.js 0.8.4 alike.
export function decodePoint(text, { allowIdentity = false } = {}) {
  const bytes = fromHex(text, POINT_BYTES);
  if (bytes === null || !sodium.crypto_core_ristretto255_is_valid_point(bytes)) return null;
  if (!allowIdentity && isAllZero(bytes)) return null;
  return bytes;
}

// scalar·point, or null where libsodium refuses (invalid point, identity result).
export function mul(scalar, point) {
  try {
    return sodium.crypto_scalarmult_ristretto255(scalar, point);
  } catch {
    return null;
  }
}

// scalar·B, or null where libsodium refuses (zero scalar).
export function mulBase(scalar) {
  try {
    return sodium.crypto_scalarmult_ristretto255_base(scalar);
  } catch {
    return null;
  }
}

// p + q, or null for an invalid input encoding.
export function add(p, q) {
  try {
    return sodium.crypto_core_ristretto255_add(p, q);
  } catch {
    return null;
  }
}

const scalarAdd = (a, b) => sodium.crypto_core_ristretto255_scalar_add(a, b);
const scalarSub = (a, b) => sodium.crypto_core_ristretto255_scalar_sub(a, b);
const scalarMul = (a, b) => sodium.crypto_core_ristretto255_scalar_mul(a, b);
const scalarInvert = (a) => sodium.crypto_core_ristretto255_scalar_invert(a);

// Fresh and non-zero. libsodium already loops until non-zero; the check keeps that a local fact.
export function randomScalar() {
  for (;;) {
    const s = sodium.crypto_core_ristretto255_scalar_random();
    if (!isAllZero(s)) return s;
  }
}

// H(tag, parts…) = scalar_reduce(BLAKE2b-512(tag ‖ 0x00 ‖ (u32-LE length ‖ part)…)).
// Parts are byte arrays, or strings hashed as their UTF-8 bytes.
export function H(tag, ...parts) {
  const pieces = [utf8.encode(tag), new Uint8Array([0])];
  for (const part of parts) {
    const bytes = asBytes(part);
    pieces.push(u32le(bytes.length), bytes);
  }
  const digest = sodium.crypto_generichash(64, concat(...pieces), null);
  return sodium.crypto_core_ristretto255_scalar_reduce(digest);
}

// z·G = A + c·Y (G = null means the base point B): the check shared by all three proofs.
function schnorrHolds(z, G, A, c, Y) {
  const lhs = G === null ? mulBase(z) : mul(z, G);
  const cY = mul(c, Y);
  if (lhs === null || cY === null) return false;
  const rhs = add(A, cY);
  return rhs !== null && equalBytes(lhs, rhs);
}

// ---------------------------------------------------------------------------------------------
// Identity L

// L = "lit-accesscontrolcondition://" + hashOfConditions + "/" + SHA-256 hex of the plaintext.
export function makeIdentity(hashOfConditions, plaintext) {
  return `lit-accesscontrolcondition://${hashOfConditions}/${sha256Hex(plaintext)}`;
}

// Spec reading: both hashes are SHA-256 hex and dataToEncryptHash is "lowercase hex"; lowercase is
// required for both, so one L has one spelling. Returns { ok, dataToEncryptHash, bytes }.
export function parseIdentity(identity) {
  const m = typeof identity === 'string' &&
    /^lit-accesscontrolcondition:\/\/([0-9a-f]{64})\/([0-9a-f]{64})$/.exec(identity);
  if (!m) {
    return fail(ErrorCode.InvalidIdentity,
      'identity is not lit-accesscontrolcondition://<64 hex>/<64 hex>');
  }
  const bytes = utf8.encode(identity);
  return { ok: true, hashOfConditions: m[1], dataToEncryptHash: m[2], bytes };
}

// ---------------------------------------------------------------------------------------------
// Network key: dealer keygen, network.json, key shares

// Horner: f(i) = a_0 + i·(a_1 + i·(a_2 + …)).
function evaluatePolynomial(coefficients, index) {
  const x = scalarFromU32(index);
  let acc = coefficients[coefficients.length - 1];
  for (let j = coefficients.length - 2; j >= 0; j--) {
    acc = scalarAdd(scalarMul(acc, x), coefficients[j]);
  }
  return acc;
}

// Σ_j i^j·C_j: the public value the share with index i must have.
function commitmentAt(commitments, index) {
  const i = scalarFromU32(index);
  let power = scalarFromU32(1);
  let acc = null;
  for (const C of commitments) {
    const term = mul(power, C);
    acc = term === null ? null : acc === null ? term : add(acc, term);
    if (acc === null) return null;
    power = scalarMul(power, i);
  }
  return acc;
}

function validCounts(T, N) {
  return Number.isInteger(T) && Number.isInteger(N) && T >= 2 && T <= N && N <= 0xffffffff;
}

// Dealer: a random polynomial f of degree T−1 with f(0) = x; shares x_i = f(i) for i = 1..N,
// redrawn when any x_i is zero. Returns network.json's object and the share-<i>.key objects.
export function keygen(threshold, shares) {
  if (!validCounts(threshold, shares)) {
    return fail(ErrorCode.InvalidArgument, 'need integers 2 <= threshold <= shares');
  }
  for (;;) {
    const coefficients = Array.from({ length: threshold }, randomScalar);
    const secrets = [];
    for (let i = 1; i <= shares; i++) secrets.push(evaluatePolynomial(coefficients, i));
    if (secrets.some(isAllZero)) continue;
    const commitments = coefficients.map(mulBase);
    const sharePublicKeys = {};
    secrets.forEach((x, k) => {
      sharePublicKeys[String(k + 1)] = toHex(mulBase(x));
    });
    return {
      ok: true,
      network: {
        version: NETWORK_VERSION,
        threshold,
        shares,
        publicKey: toHex(commitments[0]),
        sharePublicKeys,
        commitments: commitments.map(toHex),
      },
      shares: secrets.map((x, k) => ({
        version: KEY_SHARE_VERSION, index: k + 1, secret: toHex(x),
      })),
    };
  }
}

// Functions accept network.json's object or parseNetwork's result (parsed once, checked once).
const PARSED = Symbol('litc.parsedNetwork');

// Parses and checks network.json: shapes, encodings, C_0 = P, and X_i = Σ_j i^j·C_j for every i
// (so P = Σ λ_i·X_i over every T-subset follows). Returns { ok, T, N, P, X: Map, C: [] }.
// Spec reading: the identity is refused for every C_j, not only C_0 = P: C_{T−1} = identity would
// mean a polynomial of lower degree, i.e. fewer than T shares suffice.
export function parseNetwork(network) {
  const bad = (message) => fail(ErrorCode.InvalidNetwork, message);
  if (!isObject(network)) return bad('network is not an object');
  if (network.version !== NETWORK_VERSION) return bad('network version is not 1');
  const T = network.threshold;
  const N = network.shares;
  if (!validCounts(T, N)) return bad('need integers 2 <= threshold <= shares');
  const P = decodePoint(network.publicKey);
  if (P === null) return bad('publicKey is not a valid non-identity point');
  const spk = network.sharePublicKeys;
  if (!isObject(spk)) return bad('sharePublicKeys is not an object');
  const keys = Object.keys(spk);
  if (keys.length !== N) return bad(`sharePublicKeys has ${keys.length} entries for ${N} shares`);
  const X = new Map();
  for (const key of keys) {
    if (!/^[1-9][0-9]*$/.test(key) || Number(key) > N) {
      return bad(`sharePublicKeys key "${key}" is not an index in 1..N`);
    }
    const Xi = decodePoint(spk[key]);
    if (Xi === null) return bad(`sharePublicKeys["${key}"] is not a valid non-identity point`);
    X.set(Number(key), Xi);
  }
  if (!Array.isArray(network.commitments) || network.commitments.length !== T) {
    return bad('commitments is not an array of threshold points');
  }
  const C = [];
  for (const [j, text] of network.commitments.entries()) {
    const Cj = decodePoint(text);
    if (Cj === null) return bad(`commitments[${j}] is not a valid non-identity point`);
    C.push(Cj);
  }
  if (!equalBytes(C[0], P)) return bad('commitments[0] is not publicKey');
  for (const [i, Xi] of X) {
    const expected = commitmentAt(C, i);
    if (expected === null || !equalBytes(expected, Xi)) {
      return bad(`sharePublicKeys["${i}"] does not match the commitments`);
    }
  }
  return { ok: true, [PARSED]: true, T, N, P, X, C };
}

function networkOrFail(network) {
  return isObject(network) && network[PARSED] === true ? network : parseNetwork(network);
}

// Checks a share-<i>.key object: x_i·B = Σ_j i^j·C_j (and so = X_i). Returns { ok, index, x }.
export function verifyKeyShare(network, share) {
  const net = networkOrFail(network);
  if (!net.ok) return net;
  const bad = (message) => fail(ErrorCode.InvalidKeyShare, message);
  if (!isObject(share)) return bad('key share is not an object');
  if (share.version !== KEY_SHARE_VERSION) return bad('key share version is not 1');
  const { index } = share;
  if (!Number.isInteger(index) || index < 1 || index > net.N) return bad('index is not in 1..N');
  const x = decodeScalar(share.secret);
  if (x === null) return bad('key share secret is not a canonical non-zero scalar');
  const Xi = mulBase(x);
  const expected = commitmentAt(net.C, index);
  if (Xi === null || expected === null || !equalBytes(Xi, expected)) {
    return bad('key share does not match the commitments');
  }
  if (!equalBytes(Xi, net.X.get(index))) return bad('key share does not match sharePublicKeys');
  return { ok: true, index, x };
}

// λ_i = Π_{j≠i} j·(j−i)⁻¹ (mod ℓ): the Lagrange coefficient at 0 over the DISTINCT indices given.
export function lagrangeAtZero(index, indices) {
  let lambda = scalarFromU32(1);
  const i = scalarFromU32(index);
  for (const other of indices) {
    if (other === index) continue;
    const j = scalarFromU32(other);
    lambda = scalarMul(lambda, scalarMul(j, scalarInvert(scalarSub(j, i))));
  }
  return lambda;
}

// Σ λ_i·Q_i over [{ index, point }] with distinct indices; null if an operation fails.
export function interpolateAtZero(items) {
  const indices = items.map((it) => it.index);
  let acc = null;
  for (const { index, point } of items) {
    const term = mul(lagrangeAtZero(index, indices), point);
    acc = term === null ? null : acc === null ? term : add(acc, term);
    if (acc === null) return null;
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------
// Envelope: encrypt, parse, label proof

// key = BLAKE2b-256("litc/key/v1" ‖ P ‖ U ‖ r·P ‖ L), a plain concatenation.
function deriveKey(P, U, rP, L) {
  return blake2b256(concat(utf8.encode(TAG_KEY), P, U, rP, L));
}

function labelChallenge(P, U, A, L, nonce, box) {
  return H(TAG_KEM, P, U, A, L, blake2b256(concat(nonce, box)));
}

// Encrypts to the network key P under identity L; returns { ok, ciphertext: base64 envelope }.
// Spec reading: SCHEME.md defines dataToEncryptHash as SHA-256 of the plaintext, so encrypt
// refuses an L that names another hash, unless { allowHashMismatch: true } (for tests only).
export function encrypt(network, identity, plaintext, { allowHashMismatch = false } = {}) {
  const net = networkOrFail(network);
  if (!net.ok) return net;
  const id = parseIdentity(identity);
  if (!id.ok) return id;
  const message = asBytes(plaintext);
  if (!(message instanceof Uint8Array)) {
    return fail(ErrorCode.InvalidArgument, 'plaintext is neither bytes nor a string');
  }
  if (!allowHashMismatch && sha256Hex(message) !== id.dataToEncryptHash) {
    return fail(ErrorCode.InvalidIdentity, 'SHA-256(plaintext) is not the dataToEncryptHash in L');
  }
  const r = randomScalar();
  const U = mulBase(r);
  const rP = mul(r, net.P);
  const key = deriveKey(net.P, U, rP, id.bytes);
  const nonce = sodium.randombytes_buf(NONCE_BYTES);
  const box = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    message, id.bytes, null, nonce, key);
  const k = randomScalar();
  const A = mulBase(k);
  const c = labelChallenge(net.P, U, A, id.bytes, nonce, box);
  const z = scalarAdd(k, scalarMul(c, r));
  const envelope = concat(new Uint8Array([ENVELOPE_VERSION]), U, A, z, nonce, box);
  return { ok: true, ciphertext: toBase64(envelope) };
}

// Splits a base64 envelope into its fields and checks version, length and encodings (not the
// proof). Returns { ok, U, A, z, nonce, box }.
// Spec reading: SCHEME.md's identity list names P, X_i, U, V, D_i but not the proof commitments
// (A here, A of the blinding proof, A1/A2 of the DLEQ). An identity commitment means the prover's
// nonce k was 0, which scalar_random never yields, so refusing it costs an honest prover nothing;
// the C++ side refuses it too (tested). SCHEME.md should add A, A1, A2 to its list.
export function parseEnvelope(ciphertext) {
  const bad = (message) => fail(ErrorCode.InvalidCiphertext, message);
  const bytes = fromBase64Strict(ciphertext);
  if (bytes === null) return bad('ciphertext is not canonical padded standard base64');
  if (bytes.length < MIN_ENVELOPE_BYTES) {
    return bad(`envelope is ${bytes.length} bytes, shorter than ${MIN_ENVELOPE_BYTES}`);
  }
  if (bytes[0] !== ENVELOPE_VERSION) return bad(`envelope version byte is ${bytes[0]}, not 1`);
  const U = bytes.slice(OFFSET_U, OFFSET_A);
  const A = bytes.slice(OFFSET_A, OFFSET_Z);
  const z = bytes.slice(OFFSET_Z, OFFSET_NONCE);
  if (decodePoint(toHex(U)) === null) return bad('U is not a valid non-identity point');
  if (decodePoint(toHex(A)) === null) return bad('A is not a valid non-identity point');
  if (!isCanonicalScalar(z)) return bad('z is not a canonical scalar');
  const nonce = bytes.slice(OFFSET_NONCE, OFFSET_BOX);
  return { ok: true, U, A, z, nonce, box: bytes.slice(OFFSET_BOX) };
}

// Parses the envelope and checks its label proof z·B = A + c·U for this network and L.
// Returns { ok, net, id, envelope }.
export function verifyEnvelope(network, identity, ciphertext) {
  const net = networkOrFail(network);
  if (!net.ok) return net;
  const id = parseIdentity(identity);
  if (!id.ok) return id;
  const envelope = parseEnvelope(ciphertext);
  if (!envelope.ok) return envelope;
  const c = labelChallenge(net.P, envelope.U, envelope.A, id.bytes, envelope.nonce, envelope.box);
  if (!schnorrHolds(envelope.z, null, envelope.A, c, envelope.U)) {
    return fail(ErrorCode.InvalidCiphertext, 'label proof does not hold for this identity');
  }
  return { ok: true, net, id, envelope };
}

// ---------------------------------------------------------------------------------------------
// Requester: blind

// Returns the blinded request { V = s·U, A = k·U, z = k + c·s } and s (hex, kept by the requester).
export function blind(network, identity, ciphertext) {
  const checked = verifyEnvelope(network, identity, ciphertext);
  if (!checked.ok) return checked;
  const { U } = checked.envelope;
  const s = randomScalar();
  const k = randomScalar();
  const V = mul(s, U);
  const A = mul(k, U);
  const c = H(TAG_BLIND, U, V, A, checked.id.bytes);
  const z = scalarAdd(k, scalarMul(c, s));
  return { ok: true, blinded: { V: toHex(V), A: toHex(A), z: toHex(z) }, s: toHex(s) };
}

// Checks a blinded request against U and L: z·U = A + c·V. Returns { ok, V }.
export function verifyBlinding(U, identityBytes, blinded) {
  const bad = (message) => fail(ErrorCode.InvalidBlinding, message);
  if (!isObject(blinded)) return bad('blinded request is not an object');
  const V = decodePoint(blinded.V);
  if (V === null) return bad('V is not a valid non-identity point');
  const A = decodePoint(blinded.A);
  if (A === null) return bad('A is not a valid non-identity point');
  const z = decodeScalar(blinded.z, { allowZero: true });
  if (z === null) return bad('z is not a canonical scalar');
  const c = H(TAG_BLIND, U, V, A, identityBytes);
  if (!schnorrHolds(z, U, A, c, V)) return bad('blinding proof does not hold for this ciphertext');
  return { ok: true, V };
}

// ---------------------------------------------------------------------------------------------
// Node: decryption share with DLEQ

// The share index is one 4-byte part (u32 LE), so H puts the length 04 00 00 00 before it.
function dleqChallenge(index, Xi, V, D, A1, A2) {
  return H(TAG_DLEQ, u32le(index), Xi, V, D, A1, A2);
}

// A node's answer, in this order: key share against the commitments (invalid_key_share), label
// proof for L (invalid_ciphertext), blinding proof for this U (invalid_blinding); only then
// { index, D = x_i·V, A1 = k·B, A2 = k·V, z = k + c·x_i }.
export function decryptionShare(network, keyShare, identity, ciphertext, blinded) {
  const net = networkOrFail(network);
  if (!net.ok) return net;
  const share = verifyKeyShare(net, keyShare);
  if (!share.ok) return share;
  const checked = verifyEnvelope(net, identity, ciphertext);
  if (!checked.ok) return checked;
  const request = verifyBlinding(checked.envelope.U, checked.id.bytes, blinded);
  if (!request.ok) return request;
  const { V } = request;
  const D = mul(share.x, V);
  const k = randomScalar();
  const A1 = mulBase(k);
  const A2 = mul(k, V);
  if (D === null || A1 === null || A2 === null) {
    return fail(ErrorCode.InvalidBlinding, 'scalar multiplication by V failed');
  }
  const c = dleqChallenge(share.index, net.X.get(share.index), V, D, A1, A2);
  const z = scalarAdd(k, scalarMul(c, share.x));
  const hex = toHex;
  const { index } = share;
  return { ok: true, share: { index, D: hex(D), A1: hex(A1), A2: hex(A2), z: hex(z) } };
}

// Parses a decryption share and checks its DLEQ for V (hex or bytes): z·B = A1 + c·X_i and
// z·V = A2 + c·D_i. Returns { ok, index, D }.
export function checkDecryptionShare(network, V, share) {
  const net = networkOrFail(network);
  if (!net.ok) return net;
  const bad = (message) => fail(ErrorCode.InvalidShare, message);
  const Vb = decodePoint(typeof V === 'string' ? V : V instanceof Uint8Array ? toHex(V) : null);
  if (Vb === null) return bad('V is not a valid non-identity point');
  if (!isObject(share)) return bad('share is not an object');
  const { index } = share;
  if (!Number.isInteger(index) || !net.X.has(index)) return bad('share index is not in 1..N');
  const D = decodePoint(share.D);
  if (D === null) return bad(`share ${index}: D is not a valid non-identity point`);
  const A1 = decodePoint(share.A1);
  const A2 = decodePoint(share.A2);
  if (A1 === null || A2 === null) return bad(`share ${index}: A1 or A2 is not a valid point`);
  const z = decodeScalar(share.z, { allowZero: true });
  if (z === null) return bad(`share ${index}: z is not a canonical scalar`);
  const Xi = net.X.get(index);
  const c = dleqChallenge(index, Xi, Vb, D, A1, A2);
  if (!schnorrHolds(z, null, A1, c, Xi) || !schnorrHolds(z, Vb, A2, c, D)) {
    return bad(`share ${index}: DLEQ proof does not hold`);
  }
  return { ok: true, index, D };
}

export function verifyDecryptionShare(network, V, share) {
  return checkDecryptionShare(network, V, share).ok;
}

// ---------------------------------------------------------------------------------------------
// Requester: combine, unblind, open

// Y = Σ λ_i·D_i, r·P = s⁻¹·Y, key, open, SHA-256 check. No quorum or DLEQ check: combine does
// those; this is exported so a test can show that T−1 shares give a wrong key.
// `checked` is verifyEnvelope's result, `verified` checkDecryptionShare's results (distinct).
export function recoverAndOpen(checked, s, verified) {
  const { net, id, envelope } = checked;
  const Y = interpolateAtZero(verified.map(({ index, D }) => ({ index, point: D })));
  const rP = Y === null ? null : mul(scalarInvert(s), Y);
  if (rP === null) return fail(ErrorCode.InvalidCiphertext, 'combined share is not a valid point');
  const key = deriveKey(net.P, envelope.U, rP, id.bytes);
  let plaintext;
  try {
    plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null, envelope.box, id.bytes, envelope.nonce, key);
  } catch {
    return fail(ErrorCode.InvalidCiphertext, 'ciphertext does not open with the combined key');
  }
  if (sha256Hex(plaintext) !== id.dataToEncryptHash) {
    return fail(ErrorCode.InvalidCiphertext, 'SHA-256(plaintext) is not the hash in L');
  }
  return { ok: true, plaintext };
}

// Returns { ok, plaintext: Uint8Array }.
// Spec reading: (1) the requester checks the label proof too; SCHEME.md lists only the share
// checks, the open and the hash, but a tampered A or z would otherwise decrypt here although every
// node refuses it. (2) ANY share failing its DLEQ refuses the call (invalid_share), as the tool's
// contract words it, even when T good shares come with it. (3) A repeated index counts once; the
// first T distinct indices are combined.
export function combine(network, identity, ciphertext, sHex, shares) {
  const checked = verifyEnvelope(network, identity, ciphertext);
  if (!checked.ok) return checked;
  const s = decodeScalar(sHex);
  if (s === null) return fail(ErrorCode.InvalidArgument, 's is not a canonical non-zero scalar');
  if (!Array.isArray(shares)) return fail(ErrorCode.InvalidArgument, 'shares is not an array');
  const V = mul(s, checked.envelope.U);
  const distinct = new Map();
  for (const share of shares) {
    const verified = checkDecryptionShare(checked.net, V, share);
    if (!verified.ok) return verified;
    if (!distinct.has(verified.index)) distinct.set(verified.index, verified);
  }
  const { T } = checked.net;
  if (distinct.size < T) {
    return fail(ErrorCode.QuorumUnavailable,
      `${distinct.size} valid shares from distinct indices, ${T} needed`);
  }
  return recoverAndOpen(checked, s, [...distinct.values()].slice(0, T));
}

// The UTF-8 text of combine's plaintext, strictly decoded (null if it is not UTF-8).
export function plaintextText(bytes) {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return null;
  }
}

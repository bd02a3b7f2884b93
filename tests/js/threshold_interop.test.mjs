// Threshold encryption: the JS implementation (lib/litc_threshold.mjs) against itself, published
// vectors, and the lead's C++ through $LITC_BIN_DIR/threshold_tool, in every pairing of roles.
//
// Two implementations of one SCHEME.md: every test that involves C++ runs each role (dealer,
// encryptor, requester, node, verifier) on both sides, so a spec sentence the two read differently
// fails here. Tests that need threshold_tool skip (with the reason) only while it is not built.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import './lib/webcrypto_global.mjs'; // before libsodium: Node 18 has no globalThis.crypto
import sodium from 'libsodium-wrappers-sumo';

import * as lt from './lib/litc_threshold.mjs';

// ---------------------------------------------------------------------------------------------
// Fixed inputs

const HASH_OF_CONDITIONS = '53b01f820c82e86d7e4cd804b8a6f68682221eeb7df76fd43ee777c8caab5628';
const OTHER_CONDITIONS = lt.sha256Hex('some other access control conditions');
const PLAINTEXT = 'the quick brown fox — 秘密 🦊';

// H("litc/test/v1", "abc", ""): pinned here and in the lead's C++ unit test.
const H_KAT = 'caa59972c33a0b88f54540524b88f44d89f2102a2586710add00881906cad40f';

const ELL = lt.GROUP_ORDER;
const ELL_HEX = lt.toHex(lt.bigIntToScalar(ELL));
const FF_HEX = 'ff'.repeat(32);
const ZERO_HEX = '00'.repeat(32);
const ZERO_SCALAR = lt.bigIntToScalar(0n);

// RFC 9496 Appendix A.1: encodings of 0·B … 15·B.
const MULTIPLES_OF_B = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76',
  '6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919',
  '94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259',
  'da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57',
  'e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e',
  'f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403',
  '44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d',
  '903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c',
  '02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031',
  '20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f',
  'bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42',
  'e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460',
  'aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f',
  '46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e',
  'e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e',
];
const B_HEX = MULTIPLES_OF_B[1];

// RFC 9496 Appendix A.2: encodings every decoder must refuse (a selection).
const BAD_ENCODINGS = [
  // Non-canonical field encodings.
  '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  // Negative field elements.
  '0100000000000000000000000000000000000000000000000000000000000000',
  '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20',
  'c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562',
  // Non-square x^2.
  '26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371',
  '4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f',
  'de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b',
];

// Envelope layout: 0x01 ‖ U(32) ‖ A(32) ‖ z(32) ‖ nonce(24) ‖ box.
const AT = { U: 1, A: 33, z: 65, nonce: 97, box: 121 };

// ---------------------------------------------------------------------------------------------
// Small helpers

const utf8 = (text) => new TextEncoder().encode(text);

function identity(plaintext, hashOfConditions = HASH_OF_CONDITIONS) {
  return lt.makeIdentity(hashOfConditions, plaintext);
}

const RELABELLED = identity(PLAINTEXT, OTHER_CONDITIONS);

function subsets(items, size) {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, size - 1).map((s) => [first, ...s]), ...subsets(rest, size)];
}

const indicesUpTo = (n) => Array.from({ length: n }, (_, i) => i + 1);
const scalarOf = (hex) => lt.scalarToBigInt(lt.fromHex(hex, 32));
const scalarHexPlus = (hex, n) => lt.toHex(lt.bigIntToScalar((scalarOf(hex) + n) % ELL));
// Same residue, non-canonical encoding: a verifier that skips the < ℓ check would accept it.
const scalarHexPlusEll = (hex) => lt.toHex(lt.bigIntToScalar(scalarOf(hex) + ELL));
const pointHexPlusB = (hex) => lt.toHex(lt.add(lt.fromHex(hex, 32), lt.fromHex(B_HEX, 32)));

const envelopeBytes = (ciphertext) => new Uint8Array(Buffer.from(ciphertext, 'base64'));
const envelopeText = (bytes) => Buffer.from(bytes).toString('base64');
const truncated = (ciphertext, length) => envelopeText(envelopeBytes(ciphertext).slice(0, length));

function withBytes(ciphertext, at, replacementHex) {
  const bytes = envelopeBytes(ciphertext);
  bytes.set(lt.fromHex(replacementHex, replacementHex.length / 2), at);
  return envelopeText(bytes);
}

function flipByte(ciphertext, at) {
  const bytes = envelopeBytes(ciphertext);
  bytes[at < 0 ? bytes.length + at : at] ^= 0x01;
  return envelopeText(bytes);
}

function fieldHex(ciphertext, name) {
  return lt.toHex(envelopeBytes(ciphertext).slice(AT[name], AT[name] + 32));
}

// ---------------------------------------------------------------------------------------------
// Proofs built by hand from SCHEME.md's formulas with a chosen nonce k: with a random k they are
// honest (a control both sides must accept, and a third reading of the formulas), with k = 0 their
// commitment is the identity, which no honest prover makes.

const kPlusCx = (k, c, x) =>
  lt.bigIntToScalar((lt.scalarToBigInt(k) + lt.scalarToBigInt(c) * lt.scalarToBigInt(x)) % ELL);

function commit(k, G) {
  if (lt.scalarToBigInt(k) === 0n) return new Uint8Array(32);
  return G === null ? lt.mulBase(k) : lt.mul(k, G);
}

function handmadeEnvelope(network, L, plaintext, k) {
  const P = lt.fromHex(network.publicKey, 32);
  const r = lt.randomScalar();
  const U = lt.mulBase(r);
  const key = lt.blake2b256(lt.concat(utf8(lt.TAG_KEY), P, U, lt.mul(r, P), utf8(L)));
  const nonce = sodium.randombytes_buf(24);
  const box = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    utf8(plaintext), utf8(L), null, nonce, key);
  const A = commit(k, null);
  const c = lt.H(lt.TAG_KEM, P, U, A, utf8(L), lt.blake2b256(lt.concat(nonce, box)));
  return envelopeText(lt.concat(new Uint8Array([1]), U, A, kPlusCx(k, c, r), nonce, box));
}

// A blinding proof for U and s, hashed with identity L.
function handmadeBlinding(U, s, L, k = lt.randomScalar()) {
  const V = lt.mul(s, U);
  const A = commit(k, U);
  const c = lt.H(lt.TAG_BLIND, U, V, A, utf8(L));
  return { V: lt.toHex(V), A: lt.toHex(A), z: lt.toHex(kPlusCx(k, c, s)) };
}

function handmadeShare(network, keyShare, Vhex, k) {
  const x = lt.fromHex(keyShare.secret, 32);
  const V = lt.fromHex(Vhex, 32);
  const D = lt.mul(x, V);
  const Xi = lt.fromHex(network.sharePublicKeys[String(keyShare.index)], 32);
  const [A1, A2] = [commit(k, null), commit(k, V)];
  const c = lt.H(lt.TAG_DLEQ, lt.u32le(keyShare.index), Xi, V, D, A1, A2);
  const hex = lt.toHex;
  return { index: keyShare.index, D: hex(D), A1: hex(A1), A2: hex(A2), z: hex(kPlusCx(k, c, x)) };
}

// ---------------------------------------------------------------------------------------------
// The two implementations behind one interface. Every call returns { ok: true, value } or
// { ok: false, code, message }.

function fromLib(result, pick) {
  return result.ok ? { ok: true, value: pick(result) } : { ok: false, ...result.error };
}

// The node takes the blinded request without s (the requester keeps s).
const request = (blinded) => ({ V: blinded.V, A: blinded.A, z: blinded.z });

const JS = {
  name: 'JS',
  keygen: (T, N) => fromLib(lt.keygen(T, N), (r) => ({ network: r.network, shares: r.shares })),
  encrypt: (network, L, plaintext) =>
    fromLib(lt.encrypt(network, L, plaintext), (r) => r.ciphertext),
  blind: (network, L, ciphertext) =>
    fromLib(lt.blind(network, L, ciphertext), (r) => ({ ...r.blinded, s: r.s })),
  share: (network, keyShare, L, ciphertext, blinded) =>
    fromLib(lt.decryptionShare(network, keyShare, L, ciphertext, request(blinded)), (r) => r.share),
  verifyShare: (network, V, share) =>
    ({ ok: true, value: lt.verifyDecryptionShare(network, V, share) }),
  combine: (network, L, ciphertext, s, shares) =>
    fromLib(lt.combine(network, L, ciphertext, s, shares), (r) => lt.plaintextText(r.plaintext)),
};

const BIN_DIR = process.env.LITC_BIN_DIR;
const TOOL = BIN_DIR ? path.join(BIN_DIR, 'threshold_tool') : null;
const TOOL_PRESENT = TOOL !== null && existsSync(TOOL);
const SKIP_REASON = TOOL === null
  ? 'LITC_BIN_DIR is not set, so there is no threshold_tool to test against'
  : `${TOOL} does not exist yet (the C++ side is not built)`;

// One JSON object in, one out; exit 0 on success, exit 1 with { error: { code, message } }.
function callTool(req) {
  const run = spawnSync(TOOL, [], { input: JSON.stringify(req), encoding: 'utf8', timeout: 60e3 });
  if (run.error) throw run.error;
  const where = `threshold_tool ${req.op} (exit ${run.status})`;
  const output = `stdout: ${run.stdout.slice(0, 300)} stderr: ${run.stderr.slice(0, 300)}`;
  let body;
  try {
    body = JSON.parse(run.stdout);
  } catch {
    assert.fail(`${where}: stdout is not one JSON object; ${output}`);
  }
  if (run.status === 0) return { ok: true, body };
  assert.equal(run.status, 1, `${where}: a refusal exits 1; ${output}`);
  assert.equal(typeof body?.error?.code, 'string', `${where}: refusal without a code; ${output}`);
  assert.equal(typeof body.error.message, 'string', `${where}: refusal without error.message`);
  return { ok: false, code: body.error.code, message: body.error.message };
}

function fromTool(req, pick) {
  const result = callTool(req);
  return result.ok ? { ok: true, value: pick(result.body) } : result;
}

const CPP = {
  name: 'C++',
  keygen: (T, N) => fromTool({ op: 'keygen', threshold: T, shares: N }, (b) => b),
  encrypt: (network, L, plaintext) =>
    fromTool({ op: 'encrypt', network, identity: L, plaintext }, (b) => b.ciphertext),
  blind: (network, L, ciphertext) =>
    fromTool({ op: 'blind', network, identity: L, ciphertext }, (b) => b),
  share: (network, keyShare, L, ciphertext, blinded) => fromTool(
    { op: 'share', network, share: keyShare, identity: L, ciphertext, blinded: request(blinded) },
    (b) => b),
  verifyShare: (network, V, share) =>
    fromTool({ op: 'verify_share', network, V, share }, (b) => b.valid),
  combine: (network, L, ciphertext, s, shares) =>
    fromTool({ op: 'combine', network, identity: L, ciphertext, s, shares }, (b) => b.plaintext),
};

const IMPLS = [JS, CPP];

function value(result, what) {
  assert.ok(result.ok, `${what} was refused: ${result.code}: ${result.message}`);
  return result.value;
}

function assertRefused(result, codes, what) {
  const want = Array.isArray(codes) ? codes : [codes];
  assert.equal(result.ok, false, `${what} was accepted: ${JSON.stringify(result.value)}`);
  assert.ok(want.includes(result.code),
    `${what}: got ${result.code} (${result.message}), want ${want.join(' or ')}`);
}

// A share verifier may answer "not valid" or refuse the malformed input; both are refusals.
function assertShareRejected(result, what) {
  if (result.ok) assert.equal(result.value, false, `${what} was accepted as valid`);
}

// A test that needs the C++ side skips while threshold_tool is absent, and only then.
function implTest(name, impls, fn) {
  test(name, (t) => {
    if (impls.includes(CPP) && !TOOL_PRESENT) {
      t.skip(SKIP_REASON);
      return undefined;
    }
    return fn(t);
  });
}

// ---------------------------------------------------------------------------------------------
// Fixtures, memoised per producer so the refusal tables do not regenerate keys for every row.

const memo = new Map();
function once(key, make) {
  if (!memo.has(key)) memo.set(key, make());
  return memo.get(key);
}

// T=2, N=3 keys and two envelopes of PLAINTEXT under the same L, all made by `maker`.
function base(maker) {
  return once(`base/${maker.name}`, () => {
    const { network, shares } = value(maker.keygen(2, 3), `${maker.name} keygen`);
    const L = identity(PLAINTEXT);
    const ciphertext = value(maker.encrypt(network, L, PLAINTEXT), `${maker.name} encrypt`);
    const other = value(maker.encrypt(network, L, PLAINTEXT), `${maker.name} encrypt`);
    return { network, keyShares: shares, L, ciphertext, other };
  });
}

// base(maker) plus a blinded request for its ciphertext and every node's share, all by `maker`.
function session(maker) {
  return once(`session/${maker.name}`, () => {
    const b = base(maker);
    const blinded = value(maker.blind(b.network, b.L, b.ciphertext), `${maker.name} blind`);
    const shares = b.keyShares.map((k) => value(
      maker.share(b.network, k, b.L, b.ciphertext, blinded), `${maker.name} share ${k.index}`));
    return { ...b, blinded, shares };
  });
}

// ---------------------------------------------------------------------------------------------
// Published vectors and primitives

test('H() frames tag and parts as SCHEME.md says (checked with node:crypto BLAKE2b-512)', () => {
  const expected = (tag, parts) => {
    const chunks = [Buffer.from(tag), Buffer.from([0])];
    for (const p of parts) {
      const bytes = Buffer.from(p);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(bytes.length);
      chunks.push(len, bytes);
    }
    const digest = createHash('blake2b512').update(Buffer.concat(chunks)).digest();
    return lt.toHex(lt.bigIntToScalar(lt.scalarToBigInt(digest) % ELL));
  };
  assert.equal(lt.toHex(lt.H('litc/test/v1', 'abc', '')), H_KAT);
  assert.equal(expected('litc/test/v1', ['abc', '']), H_KAT);
  for (const parts of [[], [''], ['a', 'bc'], ['ab', 'c'], [Buffer.alloc(1000, 7)]]) {
    const bytes = parts.map((p) => new Uint8Array(Buffer.from(p)));
    assert.equal(lt.toHex(lt.H('litc/x', ...bytes)), expected('litc/x', parts));
  }
  // The length prefixes keep part boundaries apart.
  assert.notEqual(lt.toHex(lt.H('t', 'a', 'bc')), lt.toHex(lt.H('t', 'ab', 'c')));
  assert.notEqual(lt.toHex(lt.H('t', 'a')), lt.toHex(lt.H('t', 'a', '')));
  console.log(`# H("litc/test/v1", "abc", "") = ${H_KAT}`);
});

test('ristretto255 matches RFC 9496 A.1 multiples of B and refuses the A.2 bad encodings', () => {
  for (let i = 1; i < MULTIPLES_OF_B.length; i++) {
    assert.equal(lt.toHex(lt.mulBase(lt.scalarFromU32(i))), MULTIPLES_OF_B[i], `${i}·B`);
    assert.equal(lt.toHex(lt.mul(lt.scalarFromU32(i), lt.fromHex(B_HEX, 32))), MULTIPLES_OF_B[i]);
  }
  for (const bad of BAD_ENCODINGS) {
    assert.equal(lt.decodePoint(bad), null, bad);
    assert.equal(lt.decodePoint(bad, { allowIdentity: true }), null, bad);
  }
  assert.equal(lt.decodePoint(ZERO_HEX), null, 'the identity is refused');
  assert.notEqual(lt.decodePoint(ZERO_HEX, { allowIdentity: true }), null, 'unless asked for');
  assert.equal(lt.decodePoint(B_HEX.toUpperCase()), null, 'uppercase hex');
  assert.equal(lt.decodePoint(B_HEX.slice(2)), null, 'short hex');
  const identityPoint = lt.fromHex(ZERO_HEX, 32);
  assert.equal(lt.mul(lt.scalarFromU32(1), identityPoint), null, 'scalarmult by the identity');
  assert.equal(lt.mulBase(ZERO_SCALAR), null, 'scalarmult_base by zero');
});

test('scalars: canonical (< ℓ) 32-byte little-endian only; Lagrange coefficients', () => {
  assert.equal(lt.decodeScalar(ELL_HEX), null, 'ℓ');
  assert.equal(lt.decodeScalar(scalarHexPlusEll(lt.toHex(lt.scalarFromU32(1)))), null, 'ℓ + 1');
  assert.equal(lt.decodeScalar(FF_HEX), null, '2^256 − 1');
  assert.equal(lt.decodeScalar(ZERO_HEX), null, 'zero refused by default');
  assert.notEqual(lt.decodeScalar(ZERO_HEX, { allowZero: true }), null);
  assert.notEqual(lt.decodeScalar(lt.toHex(lt.bigIntToScalar(ELL - 1n))), null, 'ℓ − 1');
  assert.equal(lt.decodeScalar(`0A${'00'.repeat(31)}`), null, 'uppercase hex');
  assert.equal(lt.decodeScalar('0a'), null, 'short');
  // For {1, 2}: λ1 = 2 and λ2 = −1, since 2·f(1) − f(2) = f(0) for any line f.
  assert.equal(lt.scalarToBigInt(lt.lagrangeAtZero(1, [1, 2])), 2n);
  assert.equal(lt.scalarToBigInt(lt.lagrangeAtZero(2, [1, 2])), ELL - 1n);
});

// ---------------------------------------------------------------------------------------------
// Keys

for (const [T, N] of [[2, 3], [3, 5]]) {
  for (const dealer of IMPLS) {
    const name = `${dealer.name} keygen T=${T} N=${N}: ` +
      'JS checks every share against the commitments and P = Σλ_i·X_i';
    implTest(name, [dealer], () => {
      const { network, shares } = value(dealer.keygen(T, N), 'keygen');
      assert.equal(network.version, 1);
      assert.equal(network.threshold, T);
      assert.equal(network.shares, N);
      assert.deepEqual(Object.keys(network.sharePublicKeys).sort(), indicesUpTo(N).map(String));
      assert.equal(network.commitments.length, T);
      assert.equal(network.commitments[0], network.publicKey, 'C_0 = P');
      const X = network.sharePublicKeys;
      for (const hex of [network.publicKey, ...Object.values(X), ...network.commitments]) {
        assert.match(hex, /^[0-9a-f]{64}$/);
      }
      const net = lt.parseNetwork(network);
      assert.ok(net.ok, net.error?.message);
      assert.deepEqual(shares.map((s) => s.index), indicesUpTo(N));
      for (const share of shares) {
        assert.equal(share.version, 1);
        assert.match(share.secret, /^[0-9a-f]{64}$/);
        const checked = lt.verifyKeyShare(net, share);
        assert.ok(checked.ok, `share ${share.index}: ${checked.error?.message}`);
      }
      const interpolate = (subset) =>
        lt.toHex(lt.interpolateAtZero(subset.map((i) => ({ index: i, point: net.X.get(i) }))));
      for (const subset of subsets(indicesUpTo(N), T)) {
        assert.equal(interpolate(subset), network.publicKey, `Σλ_i·X_i over {${subset}}`);
      }
      for (const subset of subsets(indicesUpTo(N), T - 1)) {
        assert.notEqual(interpolate(subset), network.publicKey, `T−1 points {${subset}} give P`);
      }
    });
  }
}

for (const impl of IMPLS) {
  implTest(`${impl.name} keygen refuses T < 2 and T > N`, [impl], () => {
    for (const [T, N] of [[1, 3], [0, 3], [4, 3]]) {
      assert.equal(impl.keygen(T, N).ok, false, `keygen T=${T} N=${N} was accepted`);
    }
  });
}

test('JS refuses a network.json that is inconsistent or badly encoded', () => {
  const { network } = value(JS.keygen(3, 5), 'keygen');
  const X = network.sharePublicKeys;
  const C = network.commitments;
  const cases = {
    'version 2': { ...network, version: 2 },
    'threshold 1': { ...network, threshold: 1, commitments: C.slice(0, 1) },
    'threshold above shares': { ...network, threshold: 6 },
    'swapped X_1 and X_2': { ...network, sharePublicKeys: { ...X, 1: X['2'], 2: X['1'] } },
    'missing X_5': { ...network, sharePublicKeys: { ...X, 5: undefined } },
    'index 0': { ...network, sharePublicKeys: { ...X, 0: X['1'], 1: undefined } },
    'identity X_3': { ...network, sharePublicKeys: { ...X, 3: ZERO_HEX } },
    'identity P': { ...network, publicKey: ZERO_HEX, commitments: [ZERO_HEX, ...C.slice(1)] },
    'C_0 is not P': { ...network, commitments: [C[1], ...C.slice(1)] },
    'identity C_2': { ...network, commitments: [...C.slice(0, 2), ZERO_HEX] },
    'too few commitments': { ...network, commitments: C.slice(0, 2) },
    'bad encoding for P': { ...network, publicKey: BAD_ENCODINGS[4] },
    'uppercase hex': { ...network, publicKey: network.publicKey.toUpperCase() },
  };
  for (const [name, bad] of Object.entries(cases)) {
    const parsed = lt.parseNetwork(JSON.parse(JSON.stringify(bad))); // drops the undefined keys
    assert.equal(parsed.ok, false, name);
    assert.equal(parsed.error.code, 'invalid_network', name);
  }
});

// ---------------------------------------------------------------------------------------------
// Round trips inside JS: every T-subset decrypts, no T−1 subset does

for (const [T, N] of [[2, 3], [3, 5]]) {
  test(`JS round trip T=${T} N=${N}: every ${T}-subset decrypts, no ${T - 1}-subset does`, () => {
    const { network, shares: keyShares } = value(JS.keygen(T, N), 'keygen');
    for (const plaintext of [PLAINTEXT, '']) {
      const L = identity(plaintext);
      const ciphertext = value(JS.encrypt(network, L, plaintext), 'encrypt');
      const length = lt.MIN_ENVELOPE_BYTES + utf8(plaintext).length;
      assert.equal(envelopeBytes(ciphertext).length, length);
      const blinded = value(JS.blind(network, L, ciphertext), 'blind');
      const shares = keyShares.map((k) =>
        value(JS.share(network, k, L, ciphertext, blinded), `share ${k.index}`));
      for (const share of shares) assert.ok(lt.verifyDecryptionShare(network, blinded.V, share));
      const combine = (subset) => JS.combine(network, L, ciphertext, blinded.s, subset);
      for (const subset of subsets(shares, T)) {
        assert.equal(value(combine(subset), 'combine'), plaintext);
        assert.equal(value(combine([...subset].reverse()), 'combine reversed'), plaintext);
      }
      assert.equal(value(combine(shares), 'combine all N'), plaintext);
      const checked = lt.verifyEnvelope(network, L, ciphertext);
      for (const subset of subsets(shares, T - 1)) {
        assertRefused(combine(subset), 'quorum_unavailable', 'T−1 shares');
        // Past the quorum check, T−1 shares interpolate to a wrong point and the box stays shut.
        const verified = subset.map((s) => lt.checkDecryptionShare(network, blinded.V, s));
        const forced = lt.recoverAndOpen(checked, lt.fromHex(blinded.s, 32), verified);
        assertRefused(fromLib(forced, () => null), 'invalid_ciphertext', 'T−1 shares forced');
      }
      assertRefused(combine(Array(T).fill(shares[0])), 'quorum_unavailable', 'one index T times');
    }
  });
}

test('JS encrypt refuses an L with another SHA-256(plaintext), and a malformed L', () => {
  const { network } = base(JS);
  assertRefused(JS.encrypt(network, identity('something else'), PLAINTEXT), 'invalid_identity',
    'hash mismatch');
  const L = identity(PLAINTEXT);
  for (const bad of ['', 'lit-accesscontrolcondition://abc/def', L.toUpperCase(), `${L}/`]) {
    assertRefused(JS.encrypt(network, bad, PLAINTEXT), 'invalid_identity', JSON.stringify(bad));
  }
});

test('JS refuses non-canonical base64 spellings of a valid envelope', () => {
  const { network, L, ciphertext } = base(JS);
  const spellings = {
    'padding removed': ciphertext.replace(/=+$/, ''),
    'newline appended': `${ciphertext}\n`,
    'space inside': `${ciphertext.slice(0, 8)} ${ciphertext.slice(8)}`,
    'url-safe alphabet': ciphertext.replace(/\+/g, '-').replace(/\//g, '_'),
  };
  for (const [name, text] of Object.entries(spellings)) {
    if (text === ciphertext) continue; // this envelope happens not to contain the character
    assertRefused(JS.blind(network, L, text), 'invalid_ciphertext', name);
  }
});

// ---------------------------------------------------------------------------------------------
// Round trips across implementations: every assignment of dealer, encryptor, requester and nodes

for (const dealer of IMPLS) {
  for (const encryptor of IMPLS) {
    for (const requester of IMPLS) {
      for (const node of IMPLS) {
        const roles = [dealer, encryptor, requester, node];
        const name = `round trip: dealer ${dealer.name}, encryptor ${encryptor.name}, ` +
          `requester ${requester.name}, nodes ${node.name}`;
        implTest(name, roles, () => {
          const { network, shares: keyShares } = value(dealer.keygen(2, 3), 'keygen');
          const L = identity(PLAINTEXT);
          const ciphertext = value(encryptor.encrypt(network, L, PLAINTEXT), 'encrypt');
          const blinded = value(requester.blind(network, L, ciphertext), 'blind');
          const shares = keyShares.map((k) =>
            value(node.share(network, k, L, ciphertext, blinded), `share ${k.index}`));
          for (const share of shares) {
            for (const verifier of roles.includes(CPP) ? IMPLS : [JS]) {
              assert.equal(value(verifier.verifyShare(network, blinded.V, share), 'verify'), true,
                `${verifier.name} verifies ${node.name} share ${share.index}`);
            }
          }
          for (const subset of subsets(shares, 2)) {
            const plaintext = requester.combine(network, L, ciphertext, blinded.s, subset);
            assert.equal(value(plaintext, 'combine'), PLAINTEXT);
          }
        });
      }
    }
  }
}

implTest('T=3 N=5, C++ keys and envelope: every 3-subset of mixed JS/C++ shares decrypts in ' +
  'both combiners, no 2-subset does', [CPP], () => {
  const { network, shares: keyShares } = value(CPP.keygen(3, 5), 'keygen');
  const L = identity(PLAINTEXT);
  const ciphertext = value(CPP.encrypt(network, L, PLAINTEXT), 'encrypt');
  for (const requester of IMPLS) {
    const blinded = value(requester.blind(network, L, ciphertext), 'blind');
    // Odd indices answered by JS nodes, even ones by C++ nodes.
    const shares = keyShares.map((k) =>
      value((k.index % 2 ? JS : CPP).share(network, k, L, ciphertext, blinded), 'share'));
    for (const combiner of IMPLS) {
      const combine = (subset) => combiner.combine(network, L, ciphertext, blinded.s, subset);
      const what = (subset) => `${combiner.name} combines {${subset.map((s) => s.index)}} ` +
        `blinded by ${requester.name}`;
      for (const subset of subsets(shares, 3)) {
        assert.equal(value(combine(subset), what(subset)), PLAINTEXT);
      }
      for (const subset of subsets(shares, 2)) {
        assertRefused(combine(subset), 'quorum_unavailable', what(subset));
      }
    }
  }
});

implTest('JS and C++ agree that a share made for another V does not verify', [CPP], () => {
  for (const node of IMPLS) {
    const s = session(node);
    const other = value(CPP.blind(s.network, s.L, s.ciphertext), 'second blind');
    for (const verifier of IMPLS) {
      assertShareRejected(verifier.verifyShare(s.network, other.V, s.shares[0]),
        `${verifier.name}: ${node.name} share against another V`);
      const good = verifier.verifyShare(s.network, s.blinded.V, s.shares[0]);
      assert.equal(value(good, 'verify'), true);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Refusals: each malformed input, made by either side, refused by both with the stated code

// Envelope mutations. `changesU` marks the rows where a combiner may notice the fault first as
// shares that no longer verify for s·U' (invalid_share) rather than as invalid_ciphertext.
const ENVELOPE_CASES = [
  { name: 'box first byte flipped', make: (c) => flipByte(c, AT.box) },
  { name: 'box tag last byte flipped', make: (c) => flipByte(c, -1) },
  { name: 'nonce byte flipped', make: (c) => flipByte(c, AT.nonce + 5) },
  { name: 'U byte flipped', make: (c) => flipByte(c, AT.U + 3), changesU: true },
  { name: 'U replaced by B', make: (c) => withBytes(c, AT.U, B_HEX), changesU: true },
  { name: 'U is the identity', make: (c) => withBytes(c, AT.U, ZERO_HEX), changesU: true },
  { name: 'U bad encoding', make: (c) => withBytes(c, AT.U, BAD_ENCODINGS[6]), changesU: true },
  { name: 'A byte flipped', make: (c) => flipByte(c, AT.A + 7) },
  { name: 'A replaced by A + B', make: (c) => withBytes(c, AT.A, pointHexPlusB(fieldHex(c, 'A'))) },
  { name: 'A is the identity', make: (c) => withBytes(c, AT.A, ZERO_HEX) },
  { name: 'z + 1', make: (c) => withBytes(c, AT.z, scalarHexPlus(fieldHex(c, 'z'), 1n)) },
  {
    name: 'z + ℓ (same residue)',
    make: (c) => withBytes(c, AT.z, scalarHexPlusEll(fieldHex(c, 'z'))),
  },
  { name: 'z = ℓ', make: (c) => withBytes(c, AT.z, ELL_HEX) },
  { name: 'z = 0xff…ff', make: (c) => withBytes(c, AT.z, FF_HEX) },
  { name: 'version byte 0x02', make: (c) => withBytes(c, 0, '02') },
  { name: 'version byte 0x00', make: (c) => withBytes(c, 0, '00') },
  { name: 'truncated by one byte', make: (c) => truncated(c, envelopeBytes(c).length - 1) },
  { name: 'truncated below 137 bytes', make: (c) => truncated(c, lt.MIN_ENVELOPE_BYTES - 1) },
  { name: 'truncated after z', make: (c) => truncated(c, AT.nonce) },
  { name: 'empty', make: () => '' },
  { name: 'not base64', make: (c) => `*${c.slice(1)}` },
];

for (const maker of IMPLS) {
  for (const checker of IMPLS) {
    const name = `envelope refusals: made by ${maker.name}, refused by ${checker.name} ` +
      '(blind, share, combine)';
    implTest(name, [maker, checker], () => {
      const s = session(maker);
      const rows = [
        ...ENVELOPE_CASES.map((row) => ({ ...row, L: s.L, ciphertext: row.make(s.ciphertext) })),
        { name: 're-labelled (other conditions)', L: RELABELLED, ciphertext: s.ciphertext },
      ];
      const twoShares = s.shares.slice(0, 2);
      for (const { name: what, L, ciphertext, changesU } of rows) {
        assertRefused(checker.blind(s.network, L, ciphertext), 'invalid_ciphertext',
          `blind: ${what}`);
        assertRefused(checker.share(s.network, s.keyShares[0], L, ciphertext, s.blinded),
          'invalid_ciphertext', `share: ${what}`);
        const codes = changesU ? ['invalid_ciphertext', 'invalid_share'] : 'invalid_ciphertext';
        assertRefused(checker.combine(s.network, L, ciphertext, s.blinded.s, twoShares), codes,
          `combine: ${what}`);
      }
      // Control: the untouched envelope goes through the same checker.
      const plaintext = checker.combine(s.network, s.L, s.ciphertext, s.blinded.s, twoShares);
      assert.equal(value(plaintext, 'combine the untouched envelope'), PLAINTEXT);
    });
  }
}

// Blinded-request mutations; ctx has a request for another envelope and one hashed with another L.
const BLINDING_CASES = [
  { name: 'blinding proof over another envelope\'s U', make: (b, ctx) => ctx.otherEnvelope },
  { name: 'proof made for another identity L', make: (b, ctx) => ctx.otherIdentity },
  { name: 'V is the identity', make: (b) => ({ ...b, V: ZERO_HEX }) },
  { name: 'V is a bad encoding', make: (b) => ({ ...b, V: BAD_ENCODINGS[5] }) },
  { name: 'V replaced by V + B', make: (b) => ({ ...b, V: pointHexPlusB(b.V) }) },
  { name: 'A replaced by A + B', make: (b) => ({ ...b, A: pointHexPlusB(b.A) }) },
  { name: 'A is the identity', make: (b) => ({ ...b, A: ZERO_HEX }) },
  { name: 'z + 1', make: (b) => ({ ...b, z: scalarHexPlus(b.z, 1n) }) },
  { name: 'z + ℓ (same residue)', make: (b) => ({ ...b, z: scalarHexPlusEll(b.z) }) },
  { name: 'z = ℓ', make: (b) => ({ ...b, z: ELL_HEX }) },
  { name: 'z = 0xff…ff', make: (b) => ({ ...b, z: FF_HEX }) },
];

for (const requester of IMPLS) {
  for (const node of IMPLS) {
    const name = `blinding refusals: request by ${requester.name}, refused by node ${node.name} ` +
      'with invalid_blinding';
    implTest(name, [requester, node], () => {
      const s = session(requester);
      const U = lt.fromHex(fieldHex(s.ciphertext, 'U'), 32);
      const sScalar = lt.fromHex(s.blinded.s, 32);
      const ctx = {
        otherEnvelope: value(requester.blind(s.network, s.L, s.other), 'blind the other envelope'),
        otherIdentity: handmadeBlinding(U, sScalar, RELABELLED),
      };
      for (const row of BLINDING_CASES) {
        const bad = row.make(s.blinded, ctx);
        assertRefused(node.share(s.network, s.keyShares[1], s.L, s.ciphertext, bad),
          'invalid_blinding', row.name);
      }
      // Controls: the untouched request, and the hand-made one with the true L, are answered.
      value(node.share(s.network, s.keyShares[1], s.L, s.ciphertext, s.blinded), 'untouched');
      const honest = handmadeBlinding(U, sScalar, s.L);
      value(node.share(s.network, s.keyShares[1], s.L, s.ciphertext, honest), 'hand-made');
    });
  }
}

// Decryption-share mutations (on share 1 of T=2, N=3); ctx has every share and one for another V.
const SHARE_CASES = [
  { name: 'D replaced by D + B', make: (sh) => ({ ...sh, D: pointHexPlusB(sh.D) }) },
  { name: 'D of another index', make: (sh, ctx) => ({ ...sh, D: ctx.shares[1].D }) },
  { name: 'D is the identity', make: (sh) => ({ ...sh, D: ZERO_HEX }) },
  { name: 'D is a bad encoding', make: (sh) => ({ ...sh, D: BAD_ENCODINGS[8] }) },
  { name: 'A1 replaced by A1 + B', make: (sh) => ({ ...sh, A1: pointHexPlusB(sh.A1) }) },
  { name: 'A1 and A2 swapped', make: (sh) => ({ ...sh, A1: sh.A2, A2: sh.A1 }) },
  { name: 'A2 is the identity', make: (sh) => ({ ...sh, A2: ZERO_HEX }) },
  { name: 'z + 1', make: (sh) => ({ ...sh, z: scalarHexPlus(sh.z, 1n) }) },
  { name: 'z + ℓ (same residue)', make: (sh) => ({ ...sh, z: scalarHexPlusEll(sh.z) }) },
  { name: 'z = ℓ', make: (sh) => ({ ...sh, z: ELL_HEX }) },
  { name: 'z = 0xff…ff', make: (sh) => ({ ...sh, z: FF_HEX }) },
  { name: 'index changed to another share\'s', make: (sh) => ({ ...sh, index: 3 }) },
  { name: 'index N + 1', make: (sh) => ({ ...sh, index: 4 }) },
  { name: 'index 0', make: (sh) => ({ ...sh, index: 0 }) },
  { name: 'share made for another V', make: (sh, ctx) => ctx.forOtherV },
];

for (const node of IMPLS) {
  for (const verifier of IMPLS) {
    const name = `share refusals: share by node ${node.name}, refused by ${verifier.name} ` +
      '(verify_share, combine)';
    implTest(name, [node, verifier], () => {
      const s = session(node);
      const otherRequest = value(node.blind(s.network, s.L, s.ciphertext), 'second blind');
      const ctx = {
        shares: s.shares,
        forOtherV: value(node.share(s.network, s.keyShares[0], s.L, s.ciphertext, otherRequest),
          'share for another V'),
      };
      const verify = (V, share) => verifier.verifyShare(s.network, V, share);
      for (const row of SHARE_CASES) {
        const bad = row.make(s.shares[0], ctx);
        assertShareRejected(verify(s.blinded.V, bad), `verify: ${row.name}`);
        // T = 2 shares given, one of which fails its DLEQ.
        const withGood = [bad, s.shares[1]];
        assertRefused(verifier.combine(s.network, s.L, s.ciphertext, s.blinded.s, withGood),
          'invalid_share', `combine: ${row.name}`);
      }
      assertShareRejected(verify(ZERO_HEX, s.shares[0]), 'verify against V = identity');
      assertShareRejected(verify(BAD_ENCODINGS[0], s.shares[0]), 'verify against a bad V');
      assert.equal(value(verify(s.blinded.V, s.shares[0]), 'verify'), true, 'control');
    });
  }
}

for (const combiner of IMPLS) {
  implTest(`${combiner.name} combine: a bad share refuses even beside T good ones; ` +
    'fewer than T distinct indices is quorum_unavailable', [combiner], () => {
    const s = session(combiner);
    const combine = (shares) => combiner.combine(s.network, s.L, s.ciphertext, s.blinded.s, shares);
    const [s1, s2, s3] = s.shares;
    const bad = { ...s3, D: pointHexPlusB(s3.D) };
    assertRefused(combine([s1, s2, bad]), 'invalid_share', 'T good + 1 bad');
    assertRefused(combine([s1]), 'quorum_unavailable', 'T − 1 shares');
    assertRefused(combine([s1, s1]), 'quorum_unavailable', 'one index twice');
    assertRefused(combine([]), 'quorum_unavailable', 'no shares');
    assert.equal(value(combine([s1, s1, s2]), 'a repeated index beside T distinct'), PLAINTEXT);
  });
}

function badKeyShares([k1, k2]) {
  return {
    'secret + 1': { ...k1, secret: scalarHexPlus(k1.secret, 1n) },
    'secret + ℓ (same residue)': { ...k1, secret: scalarHexPlusEll(k1.secret) },
    'secret of share 2 under index 1': { ...k1, secret: k2.secret },
    'secret zero': { ...k1, secret: ZERO_HEX },
    'index 4 of 3': { ...k1, index: 4 },
    'version 2': { ...k1, version: 2 },
  };
}

for (const dealer of IMPLS) {
  for (const node of IMPLS) {
    const name = `key share refusals: keys by ${dealer.name}, refused by node ${node.name} ` +
      'with invalid_key_share';
    implTest(name, [dealer, node], () => {
      const s = session(dealer);
      const share = (keyShare) => node.share(s.network, keyShare, s.L, s.ciphertext, s.blinded);
      for (const [what, bad] of Object.entries(badKeyShares(s.keyShares))) {
        assertRefused(share(bad), 'invalid_key_share', what);
      }
      // Control: this node accepts the dealer's untouched shares.
      for (const k of s.keyShares) value(share(k), `share ${k.index}`);
    });
  }
}

for (const requester of IMPLS) {
  for (const node of IMPLS) {
    const name = 'SHA-256 check: a JS envelope whose L carries another plaintext\'s hash is ' +
      `refused by ${requester.name} combine (nodes ${node.name})`;
    implTest(name, [requester, node], () => {
      const { network, keyShares } = base(JS);
      const L = identity('not the plaintext');
      const made = lt.encrypt(network, L, PLAINTEXT, { allowHashMismatch: true });
      // Nodes cannot see the plaintext, so they answer; only the requester can catch it.
      const blinded = value(requester.blind(network, L, made.ciphertext), 'blind');
      const shares = keyShares.slice(0, 2).map((k) =>
        value(node.share(network, k, L, made.ciphertext, blinded), 'share'));
      assertRefused(requester.combine(network, L, made.ciphertext, blinded.s, shares),
        'invalid_ciphertext', 'hash mismatch');
    });
  }
}

for (const checker of IMPLS) {
  implTest(`${checker.name} refuses proofs whose commitment is the identity (nonce k = 0) and ` +
    'accepts the same hand-made proofs with a random k', [checker], () => {
    const { network, keyShares, L } = base(JS);
    // Label proof.
    const honest = handmadeEnvelope(network, L, PLAINTEXT, lt.randomScalar());
    const degenerate = handmadeEnvelope(network, L, PLAINTEXT, ZERO_SCALAR);
    assert.equal(fieldHex(degenerate, 'A'), ZERO_HEX);
    const blinded = value(checker.blind(network, L, honest), 'blind the hand-made envelope');
    assertRefused(checker.blind(network, L, degenerate), 'invalid_ciphertext', 'blind: A = 0');
    assertRefused(checker.share(network, keyShares[0], L, degenerate, blinded),
      'invalid_ciphertext', 'share: label proof with A = identity');
    // Blinding proof.
    const U = lt.fromHex(fieldHex(honest, 'U'), 32);
    const s = lt.fromHex(blinded.s, 32);
    const zeroBlinding = handmadeBlinding(U, s, L, ZERO_SCALAR);
    assert.equal(zeroBlinding.A, ZERO_HEX);
    assertRefused(checker.share(network, keyShares[0], L, honest, zeroBlinding),
      'invalid_blinding', 'blinding proof with A = identity');
    value(checker.share(network, keyShares[0], L, honest, handmadeBlinding(U, s, L)), 'hand-made');
    // DLEQ proof.
    const good = keyShares.slice(0, 2).map((k) =>
      handmadeShare(network, k, blinded.V, lt.randomScalar()));
    const zeroShare = handmadeShare(network, keyShares[0], blinded.V, ZERO_SCALAR);
    assert.equal(zeroShare.A1, ZERO_HEX);
    assertShareRejected(checker.verifyShare(network, blinded.V, zeroShare), 'DLEQ with A1 = 0');
    const combine = (envelope, shares) => checker.combine(network, L, envelope, blinded.s, shares);
    assertRefused(combine(honest, [zeroShare, good[1]]), 'invalid_share', 'combine: A1 = A2 = 0');
    assert.equal(value(checker.verifyShare(network, blinded.V, good[0]), 'verify'), true);
    assert.equal(value(combine(honest, good), 'combine hand-made shares'), PLAINTEXT);
    // Another envelope, so another U: a combiner may notice the label proof or the shares first.
    assertRefused(combine(degenerate, good), ['invalid_ciphertext', 'invalid_share'],
      'combine: label proof with A = identity');
  });
}

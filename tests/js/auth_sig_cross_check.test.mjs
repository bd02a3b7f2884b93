// authSig cross-check: authSigs made with npm siwe (SiweMessage.prepareMessage) and ethers
// (Wallet.signMessage) against lc::ethereum's verdicts, through $LITC_BIN_DIR/auth_sig_check.
//
// Three independent views of one message must agree: ethers' verifyMessage and our recovered
// address; siwe's parser and ours on every field (and our times against Date.parse); our writer
// and siwe's (format_siwe_message(parse(m)) === m). Where we differ from siwe on purpose — we
// accept all-lowercase addresses, siwe insists on EIP-55; we accept high-s signatures, ethers v6
// refuses them — a test pins the difference.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import test from 'node:test';

import { Wallet, verifyMessage } from 'ethers';
import { SiweMessage } from 'siwe';

const BIN = `${process.env.LITC_BIN_DIR}/auth_sig_check`;
const WILDCARD = 'lit-accesscontrolcondition://*';
const IDENTITY = 'lit-accesscontrolcondition://5b1e9a0c3d7f';
const VIA = 'web3.eth.personal.sign';
const HOUR = 3_600_000;
const NOW = Date.UTC(2031, 4, 6, 12, 0, 0); // every verdict is asked "as of" this instant
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n; // secp256k1 order

// One auth_sig_check run: one request object per line in, one answer per line out.
function runChecker(requests) {
  assert.ok(process.env.LITC_BIN_DIR, 'LITC_BIN_DIR must name the build\'s bin directory');
  assert.ok(existsSync(BIN), `${BIN} is missing: build the auth_sig_check target`);
  const run = spawnSync(BIN, {
    input: requests.map((r) => JSON.stringify(r)).join('\n') + '\n',
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `auth_sig_check exited ${run.status}: ${run.stderr}`);
  const answers = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
  assert.equal(answers.length, requests.length, 'one answer per request');
  return answers;
}

const iso = (ms) => new Date(ms).toISOString();

// `ms` written at `offset` ('Z', or minutes east of UTC: 0 is "+00:00") with `fractionDigits`
// digits of fraction (digits past milliseconds are filler). Returns the text and the instant it
// names once the fraction is truncated to milliseconds, as RFC 3339 readers do.
function rfc3339(ms, offset, fractionDigits) {
  const unit = [1000, 100, 10][fractionDigits] ?? 1;
  const instant = Math.floor(ms / unit) * unit;
  const minutes = offset === 'Z' ? 0 : offset;
  const local = new Date(instant + minutes * 60_000).toISOString();
  let text = local.slice(0, 19);
  if (fractionDigits > 0) text += '.' + (local.slice(20, 23) + '999999').slice(0, fractionDigits);
  if (offset === 'Z') return { text: text + 'Z', ms: instant };
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return { text: `${text}${minutes < 0 ? '-' : '+'}${hh}:${mm}`, ms: instant };
}

function prepare(wallet, fields = {}) {
  return new SiweMessage({
    domain: 'localhost:3000',
    address: wallet.address,
    statement: 'Sign in to decrypt with litcompute.',
    uri: 'http://localhost:3000',
    version: '1',
    chainId: 1,
    issuedAt: iso(NOW - HOUR),
    expirationTime: iso(NOW + HOUR),
    resources: [WILDCARD],
    ...fields,
  }).prepareMessage();
}

async function authSig(signer, message, address = signer.address) {
  const sig = await signer.signMessage(message);
  return { sig, derivedVia: VIA, signedMessage: message, address };
}

const withV = (sig, v) => sig.slice(0, 130) + v;
const highSTwin = (sig) => {
  const s = BigInt('0x' + sig.slice(66, 130));
  const v = sig.slice(130) === '1b' ? '1c' : '1b';
  return sig.slice(0, 66) + (N - s).toString(16).padStart(64, '0') + v;
};
const replaceAddressLine = (message, address) => {
  const lines = message.split('\n');
  lines[1] = address;
  return lines.join('\n');
};
const upperDigits = (address) => '0x' + address.slice(2).toUpperCase();

const IPFS = 'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const RECAP = 'urn:recap:eyJhdHQiOnt9LCJwcmYiOltdfQ';
const DID = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

// Every case: a request for auth_sig_check and the verdict we expect.
async function fixedCases() {
  const alice = Wallet.createRandom();
  const bob = Wallet.createRandom();
  const cases = [];
  const ok = (name, request, extra = {}) =>
    cases.push({ name, request, expect: { ok: true }, ...extra });
  const refused = (name, request, code, message) =>
    cases.push({ name, request, expect: { ok: false, code, message } });
  const ask = (a, fields = {}) => ({ authSig: a, identity: IDENTITY, nowMs: NOW, ...fields });
  const signed = async (fields) => ask(await authSig(alice, prepare(alice, fields)));

  ok('statement, wildcard, Z times', await signed({}));
  ok('no statement', await signed({ statement: undefined }));
  ok('empty statement', await signed({ statement: '' }));
  ok('this identity among other resources', await signed({ resources: [IPFS, IDENTITY] }));
  const frac = rfc3339(NOW + HOUR + 123, 'Z', 6);
  ok('fractional seconds (6 digits)', {
    ...(await signed({
      issuedAt: rfc3339(NOW - HOUR + 7, 'Z', 3).text,
      expirationTime: frac.text,
    })),
    nowMs: frac.ms - 1,
  });
  for (const offset of [330, -480, 0]) {
    const exp = rfc3339(NOW + HOUR, offset, 0);
    const a = await authSig(alice, prepare(alice, { expirationTime: exp.text }));
    ok(`Expiration Time at ${exp.text}, 1 ms before`, ask(a, { nowMs: exp.ms - 1 }));
    refused(`Expiration Time at ${exp.text}, exactly`, ask(a, { nowMs: exp.ms }),
      'auth_sig_expired', /expired at/);
  }
  ok('explicit https scheme', await signed({ scheme: 'https' }));
  ok('port, Request ID, Not Before in the past', await signed({
    domain: 'app.example.com:8443', requestId: 'req-7f3a', notBefore: iso(NOW - 60_000),
  }));
  ok('chain 137, URI with path, query and fragment', await signed({
    chainId: 137, uri: 'https://app.example.com/decrypt?cid=bafy#top',
  }));
  const lower = alice.address.toLowerCase();
  ok('all-lowercase address in message and authSig',
    ask(await authSig(alice, replaceAddressLine(prepare(alice), lower), lower)));
  ok('lowercase authSig.address, checksummed message',
    ask(await authSig(alice, prepare(alice), lower)));
  ok('uppercase-digit address in the message',
    ask(await authSig(alice, replaceAddressLine(prepare(alice), upperDigits(alice.address)))));
  {
    const a = await authSig(alice, prepare(alice));
    const invalid = (name, request, message) => refused(name, request, 'invalid_auth_sig', message);
    ok('v written as 0/1', ask({ ...a, sig: withV(a.sig, a.sig.endsWith('1b') ? '00' : '01') }));
    ok('high-s twin (accepted; ethers refuses)', ask({ ...a, sig: highSTwin(a.sig) }),
      { highS: true });
    ok('domain on the allowlist', ask(a, { allowedDomains: ['example.com', 'localhost:3000'] }));
    invalid('domain not on the allowlist', ask(a, { allowedDomains: ['example.com'] }),
      /domain "localhost:3000" is not one this node accepts/);
    invalid('wrong derivedVia', ask({ ...a, derivedVia: 'web3.eth.sign' }), /derivedVia/);
    invalid('truncated sig', ask({ ...a, sig: a.sig.slice(0, 128) }), /130 hex digits/);
    invalid('non-hex sig', ask({ ...a, sig: a.sig.slice(0, 10) + 'zz' + a.sig.slice(12) }),
      /non-hex/);
    invalid('v = 29', ask({ ...a, sig: withV(a.sig, '1d') }), /v byte is 29/);
    const flipped = alice.address.replace(/[a-f]/, (c) => c.toUpperCase());
    if (flipped !== alice.address) {
      invalid('broken EIP-55 checksum in authSig.address', ask({ ...a, address: flipped }),
        /EIP-55/);
    }
    invalid('tampered message (nonce changed after signing)',
      ask({ ...a, signedMessage: a.signedMessage.replace(/Nonce: \w+/, 'Nonce: tampered0') }),
      /was made by .*changed after signing/);
  }
  refused('expired an hour ago', await signed({ expirationTime: iso(NOW - HOUR) }),
    'auth_sig_expired', /expired at/);
  refused('not yet valid', await signed({ notBefore: iso(NOW + 60_000) }),
    'auth_sig_expired', /not valid before/);
  refused('no Expiration Time', await signed({ expirationTime: undefined }),
    'invalid_auth_sig', /no Expiration Time/);
  refused('another identity only',
    await signed({ resources: ['lit-accesscontrolcondition://other'] }),
    'invalid_auth_sig', /Resources grant neither/);
  refused('no Resources', await signed({ resources: undefined }),
    'invalid_auth_sig', /Resources grant neither/);
  refused('signed by bob, claimed by alice', ask(await authSig(bob, prepare(alice), alice.address)),
    'invalid_auth_sig', /was made by/);
  refused('message names alice, signed and claimed by bob', ask(await authSig(bob, prepare(alice))),
    'invalid_auth_sig', /is not the address the signed message names/);
  refused('authSig.address is bob, message and signature alice',
    ask(await authSig(alice, prepare(alice), bob.address)), 'invalid_auth_sig',
    /is not the address the signed message names/);
  refused('signed message ends with a line break', ask(await authSig(alice, prepare(alice) + '\n')),
    'invalid_auth_sig', /line \d+: the message ends with a line break/);
  refused('CRLF line ends', ask(await authSig(alice, prepare(alice).replaceAll('\n', '\r\n'))),
    'invalid_auth_sig', /line 1: carriage return/);
  return cases;
}

test('authSig verdicts agree with siwe and ethers', async () => {
  const cases = await fixedCases();
  assert.ok(cases.length >= 20, `only ${cases.length} cases`);
  const answers = runChecker(cases.map((c) => c.request));
  cases.forEach((c, i) => {
    const got = answers[i];
    const { sig, signedMessage } = c.request.authSig;
    assert.equal(got.ok, c.expect.ok, `${c.name}: ${JSON.stringify(got)}`);
    if (c.expect.ok) {
      const claimed = c.request.authSig.address.toLowerCase();
      assert.equal(got.address, claimed, c.name);
      if (c.highS) {
        assert.throws(() => verifyMessage(signedMessage, sig), /non-canonical s/, c.name);
      } else {
        assert.equal(got.address, verifyMessage(signedMessage, sig).toLowerCase(), c.name);
      }
    } else {
      assert.equal(got.code, c.expect.code, `${c.name}: ${got.message}`);
      assert.match(got.message, c.expect.message, c.name);
      assert.equal(got.address, undefined, c.name);
    }
  });
  // The signer cases: ethers agrees that the claimed address did not sign.
  for (const c of cases.filter((c) => /was made by/.test(String(c.expect.message)))) {
    const { sig, signedMessage, address } = c.request.authSig;
    assert.notEqual(verifyMessage(signedMessage, sig).toLowerCase(), address.toLowerCase(), c.name);
  }
});

// Compares one message's fields as siwe's parser and ours read them.
function assertSameFields(text, ours, name) {
  assert.equal(ours.ok, true, `${name}: ours refused: ${ours.message}\n${text}`);
  const theirs = new SiweMessage(text);
  const f = ours.fields;
  for (const key of ['scheme', 'domain', 'address', 'statement', 'uri', 'version', 'chainId',
    'nonce', 'issuedAt', 'expirationTime', 'notBefore', 'requestId', 'resources']) {
    assert.deepEqual(f[key], theirs[key], `${name}: field ${key}\n${text}`);
  }
  for (const key of ['issuedAt', 'expirationTime', 'notBefore']) {
    if (f[key] !== undefined) assert.equal(f[`${key}Ms`], Date.parse(f[key]), `${name}: ${key}Ms`);
  }
  assert.equal(ours.formatted, text, `${name}: format(parse(m)) !== m`);
}

test('our EIP-4361 parser reads every field as siwe does', async () => {
  const cases = (await fixedCases()).filter(
    (c) => c.expect.ok || c.expect.code === 'auth_sig_expired');
  const texts = [...new Set(cases.map((c) => c.request.authSig.signedMessage))];
  const answers = runChecker(texts.map((siweMessage) => ({ siweMessage })));
  texts.forEach((text, i) => {
    const address = text.split('\n')[1];
    if (/[a-f]/.test(address.slice(2)) && /[A-F]/.test(address.slice(2))) {
      assertSameFields(text, answers[i], `message ${i}`);
    } else {
      // A single-case address carries no checksum: we accept it (as the spec says), siwe does not.
      assert.equal(answers[i].ok, true, answers[i].message);
      assert.throws(() => new SiweMessage(text), /EIP-55/);
    }
  });
});

// A small seeded PRNG so a failing random case can be replayed with AUTH_SIG_SEED.
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('random messages: siwe and we agree on fields and verdicts', async () => {
  const seed = Number(process.env.AUTH_SIG_SEED ?? Date.now() % 1e9);
  const rnd = mulberry32(seed);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const wallet = Wallet.createRandom();
  const time = (ms) => rfc3339(ms, pick(['Z', 'Z', 0, 330, -480, 60]), pick([0, 1, 3, 3, 6, 9]));
  const generated = [];
  for (let i = 0; i < 40; ++i) {
    const issued = time(NOW - Math.floor(rnd() * 48 * HOUR));
    const exp = rnd() < 0.8 ? time(NOW + Math.floor((rnd() - 0.3) * 10 * HOUR)) : undefined;
    const nbf = rnd() < 0.3 ? time(NOW + Math.floor((rnd() - 0.7) * 4 * HOUR)) : undefined;
    const resources = pick([undefined, [], [WILDCARD], [IDENTITY],
      [IPFS, 'https://example.com/claim.json'], [WILDCARD, RECAP]]);
    const text = prepare(wallet, {
      scheme: pick([undefined, 'https', 'http']),
      domain: pick(['localhost:3000', 'example.com', 'app.example.org:8443', '[::1]:8080',
        'login.example.net']),
      statement: pick([undefined, '', 'Sign in.',
        "I accept the ToS: https://example.com/tos (v2) & that's it!"]),
      uri: pick(['http://localhost:3000', 'https://example.com/login?x=1#frag', DID]),
      chainId: pick([1, 137, 8453, 11155111]),
      issuedAt: issued.text,
      expirationTime: exp?.text,
      notBefore: nbf?.text,
      requestId: pick([undefined, 'req-42', 'a:b@c']),
      resources,
    });
    const refused = (code, message) => ({ ok: false, code, message });
    let expect = { ok: true };
    if (!exp) expect = refused('invalid_auth_sig', /no Expiration Time/);
    else if (!resources?.some((r) => r === WILDCARD || r === IDENTITY)) {
      expect = refused('invalid_auth_sig', /Resources grant neither/);
    } else if (NOW >= exp.ms) expect = refused('auth_sig_expired', /expired at/);
    else if (nbf && NOW < nbf.ms) expect = refused('auth_sig_expired', /not valid before/);
    generated.push({ text, expect, authSig: await authSig(wallet, text) });
  }
  const answers = runChecker(generated.flatMap((g) => [
    { siweMessage: g.text },
    { authSig: g.authSig, identity: IDENTITY, nowMs: NOW },
  ]));
  generated.forEach((g, i) => {
    const name = `seed ${seed}, message ${i}`;
    assertSameFields(g.text, answers[2 * i], name);
    const verdict = answers[2 * i + 1];
    assert.equal(verdict.ok, g.expect.ok, `${name}: ${JSON.stringify(verdict)}\n${g.text}`);
    if (g.expect.ok) {
      assert.equal(verdict.address, verifyMessage(g.text, g.authSig.sig).toLowerCase(), name);
    } else {
      assert.equal(verdict.code, g.expect.code, `${name}: ${verdict.message}`);
      assert.match(verdict.message, g.expect.message, name);
    }
  });
  // The batch must exercise both sides of the verdict, or it tests little.
  assert.ok(generated.some((g) => g.expect.ok), `seed ${seed}: no accepted case`);
  assert.ok(generated.some((g) => !g.expect.ok), `seed ${seed}: no refused case`);
});

test('auth_sig_check answers malformed requests and keeps going', () => {
  const answers = runChecker(['not json', [1, 2], { authSig: {} }, { siweMessage: 'hello' },
    { authSig: 'x', nowMs: NOW }]);
  assert.equal(answers[0].code, 'bad_input');
  assert.equal(answers[1].code, 'bad_input');
  assert.equal(answers[2].code, 'bad_input');
  assert.deepEqual([answers[3].ok, answers[3].line], [false, 1]);
  assert.equal(answers[4].code, 'invalid_auth_sig');
  assert.match(answers[4].message, /JSON object/);
});

// Threshold decryption through the whole network, driven from JavaScript with real wallets:
// ethers signs npm siwe sign-in messages; envelopes are made by the independent JS implementation
// of the scheme (lib/litc_threshold.mjs) and by `litc encrypt`; the JS requester blinds, submits a
// decrypt job over HTTP, gets T shares from the C++ share holders and combines them itself.
// So an envelope made by another correct implementation decrypts through our network, and ours
// verifies and decrypts in that implementation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import { Wallet } from 'ethers';
import { SiweMessage } from 'siwe';

import * as litc from './lib/litc_threshold.mjs';
import { startNetwork, waitForJob } from './lib/litc_network.mjs';

const sha256Hex = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

// Lit's canonical evmBasic condition for ":userAddress = address", keys in Lit's order.
function userIs(address) {
  return [{
    contractAddress: '', chain: 'ethereum', standardContractType: '', method: '',
    parameters: [':userAddress'], returnValueTest: { comparator: '=', value: address },
  }];
}

async function authSigOf(wallet, { expiresInMs = 600_000 } = {}) {
  const message = new SiweMessage({
    domain: 'localhost', address: wallet.address, statement: 'Decrypt through litcompute.',
    uri: 'http://localhost/', version: '1', chainId: 1, nonce: 'abcdefgh1234',
    issuedAt: new Date(Date.now() - 1000).toISOString(),
    expirationTime: new Date(Date.now() + expiresInMs).toISOString(),
    resources: ['lit-accesscontrolcondition://*'],
  }).prepareMessage();
  return { sig: await wallet.signMessage(message), derivedVia: 'web3.eth.personal.sign',
    signedMessage: message, address: wallet.address };
}

async function post(url, path, body) {
  const r = await fetch(`${url}${path}`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

// The JS requester: blind, one decrypt job over HTTP, combine the shares it returns.
async function decryptAsRequester(net, envelope, authSig) {
  const identity = `lit-accesscontrolcondition://${envelope.hashOfConditions}/${envelope.dataToEncryptHash}`;
  const blinding = litc.blind(net.network, identity, envelope.ciphertext);
  assert.ok(blinding.ok, JSON.stringify(blinding.error));
  const input = { ciphertext: envelope.ciphertext, dataToEncryptHash: envelope.dataToEncryptHash,
    accessControlConditions: envelope.accessControlConditions, chain: 'ethereum', authSig,
    blinded: blinding.blinded };
  const submitted = await post(net.url, '/jobs/submit',
    { operation: 'decrypt', input: JSON.stringify(input) });
  assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
  const job = await waitForJob(net.url, submitted.body.jobId);
  if (job.status !== 'completed') return { job };
  const { shares } = JSON.parse(job.output);
  const opened = litc.combine(net.network, identity, envelope.ciphertext, blinding.s, shares);
  assert.ok(opened.ok, JSON.stringify(opened.error));
  return { job, plaintext: litc.plaintextText(opened.plaintext ?? opened.bytes ?? opened.data) };
}

test('threshold decryption through the network with real wallets', async (t) => {
  const net = await startNetwork({ bridgeNetworkKey: true });
  t.after(() => net.stop());
  const wallet = Wallet.createRandom();
  const stranger = Wallet.createRandom();
  const conditions = userIs(wallet.address);
  const hashOfConditions = sha256Hex(JSON.stringify(conditions));
  // An envelope made by the JavaScript implementation, as a Lit SDK user would hold it.
  const seal = (plaintext) => {
    const sealed = litc.encrypt(net.network, litc.makeIdentity(hashOfConditions, plaintext),
      plaintext);
    assert.ok(sealed.ok, JSON.stringify(sealed.error));
    return { ciphertext: sealed.ciphertext, dataToEncryptHash: sha256Hex(plaintext),
      hashOfConditions, accessControlConditions: conditions };
  };

  await t.test('an envelope made in JavaScript decrypts through the C++ share holders', async () => {
    const plaintext = 'made by the other implementation';
    const { job, plaintext: opened } = await decryptAsRequester(net, seal(plaintext),
      await authSigOf(wallet));
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.equal(opened, plaintext);
  });

  await t.test('an envelope made by litc encrypt verifies and decrypts in JavaScript', async () => {
    const file = join(net.dir, 'conditions.json');
    writeFileSync(file, JSON.stringify(conditions));
    const enc = spawnSync(`${process.env.LITC_BIN_DIR}/litc`, ['encrypt', '--network-key',
      join(net.keys, 'network.json'), '--conditions', file, '--input', 'made by litc'],
    { encoding: 'utf8' });
    assert.equal(enc.status, 0, enc.stderr);
    const envelope = JSON.parse(enc.stdout);
    assert.equal(envelope.hashOfConditions, hashOfConditions, 'the same canonical hash as Lit');
    const checked = litc.verifyEnvelope(net.network, envelope.identity, envelope.ciphertext);
    assert.ok(checked.ok, 'our label proof verifies in the other implementation');
    const { job, plaintext } = await decryptAsRequester(net, envelope, await authSigOf(wallet));
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.equal(plaintext, 'made by litc');
  });

  await t.test('POST /lit-compute/decrypt opens a JavaScript envelope (the bridge as requester)',
    async () => {
      const { ciphertext, dataToEncryptHash } = seal('opened by the bridge');
      const request = { ciphertext, dataToEncryptHash, accessControlConditions: conditions,
        chain: 'ethereum' };
      const answer = await post(net.url, '/decrypt',
        { ...request, authSig: await authSigOf(wallet) });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body, { decryptedData: 'opened by the bridge' });
      const denied = await post(net.url, '/decrypt',
        { ...request, authSig: await authSigOf(stranger) });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error.code, 'access_denied');
    });

  await t.test('another wallet is refused by every node: access_denied', async () => {
    const { job } = await decryptAsRequester(net, seal('not for strangers'),
      await authSigOf(stranger));
    assert.equal(job.status, 'failed');
    assert.equal(job.error?.code ?? job.errorCode ?? job.error, 'access_denied',
      JSON.stringify(job));
  });

  await t.test('an expired sign-in is auth_sig_expired', async () => {
    const { job } = await decryptAsRequester(net, seal('too late'),
      await authSigOf(wallet, { expiresInMs: -60_000 }));
    assert.equal(job.status, 'failed');
    assert.equal(job.error?.code ?? job.errorCode ?? job.error, 'auth_sig_expired',
      JSON.stringify(job));
  });
});

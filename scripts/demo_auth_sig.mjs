// For scripts/up's decrypt demo: a fresh random wallet (npm ethers) signs an EIP-4361 sign-in
// message (npm siwe) valid for 10 minutes, and this prints {"address","authSig"} — what a web app
// gets from MetaMask's personal_sign. Packages come from tests/js/node_modules (scripts/node-deps).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '../tests/js/'));
const { Wallet } = require('ethers');
const { SiweMessage } = require('siwe');

const wallet = Wallet.createRandom();
const signedMessage = new SiweMessage({
  domain: 'localhost', address: wallet.address, statement: 'Decrypt the litcompute demo.',
  uri: 'http://localhost/', version: '1', chainId: 1, nonce: 'litcdemo' + Date.now(),
  issuedAt: new Date().toISOString(),
  expirationTime: new Date(Date.now() + 600_000).toISOString(),
  resources: ['lit-accesscontrolcondition://*'],
}).prepareMessage();
const sig = await wallet.signMessage(signedMessage);
console.log(JSON.stringify({ address: wallet.address,
  authSig: { sig, derivedVia: 'web3.eth.personal.sign', signedMessage, address: wallet.address } }));

// Node.js 18 (Debian 12's) has Web Crypto only as node:crypto's `webcrypto`, not as
// globalThis.crypto, which libsodium-wrappers-sumo's ESM build needs at import time. Imported
// first by every module that imports libsodium, so its evaluation comes before libsodium's.
import { webcrypto } from 'node:crypto';

if (globalThis.crypto === undefined) globalThis.crypto = webcrypto;

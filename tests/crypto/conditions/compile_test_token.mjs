// Compiles TestToken.sol with the pinned solc-js (tests/js/node_modules/solc) and writes the
// creation bytecode as hex (no 0x) to a file: chain_rpc_integration_test deploys it on anvil.
// Usage: node compile_test_token.mjs <solc package dir> <TestToken.sol> <out file>
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';

const [solcDir, sourcePath, outPath] = process.argv.slice(2);
if (!solcDir || !sourcePath || !outPath) {
  console.error('usage: node compile_test_token.mjs <solc dir> <TestToken.sol> <out file>');
  process.exit(2);
}
const solc = createRequire(import.meta.url)(solcDir);
const input = {
  language: 'Solidity',
  sources: { 'TestToken.sol': { content: readFileSync(sourcePath, 'utf8') } },
  // A fixed EVM version so the bytecode does not depend on what solc or anvil default to.
  settings: { evmVersion: 'cancun', outputSelection: { '*': { '*': ['evm.bytecode.object'] } } },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const bytecode = output.contracts['TestToken.sol'].TestToken.evm.bytecode.object;
if (!/^[0-9a-f]+$/.test(bytecode)) {
  console.error('solc produced no bytecode');
  process.exit(1);
}
writeFileSync(outPath, bytecode);
console.log(`solc ${solc.version()}: ${bytecode.length / 2} bytes`);

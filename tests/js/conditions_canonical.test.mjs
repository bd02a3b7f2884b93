// Cross-checks lc::conditions' canonical bytes with V8's own JSON.stringify: an independent
// JavaScript re-implementation of Lit's canonical formatter (the rules of js-sdk
// packages/access-control-conditions canonicalFormatter.ts / hashing.ts) is run on the same params
// text as our conditions_canonical_tool, for fixed cases and a seeded random corpus (escapes,
// non-ASCII, numbers in Solana params, array-index object keys, shuffled keys, extras, groups).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

const TOOL = path.join(process.env.LITC_BIN_DIR || 'build/bin', 'conditions_canonical_tool');

// ---- Lit's canonical forms, written from the formatter's rules --------------------------------
const rvtV1 = (t) => ({ comparator: t.comparator, value: t.value });
const rvtV2 = (t) => ({ key: t.key, comparator: t.comparator, value: t.value });
const abiParams = (ps) => ps.map((p) => ({ name: p.name, type: p.type }));

function evmBasic(c) {
  return {
    contractAddress: c.contractAddress, chain: c.chain,
    standardContractType: c.standardContractType, method: c.method,
    parameters: c.parameters, returnValueTest: rvtV1(c.returnValueTest),
  };
}
function evmContract(c) {
  const abi = c.functionAbi;
  return {
    contractAddress: c.contractAddress, functionName: c.functionName,
    functionParams: c.functionParams,
    functionAbi: {
      name: abi.name, inputs: abiParams(abi.inputs), outputs: abiParams(abi.outputs),
      constant: abi.constant === undefined ? false : abi.constant,
      stateMutability: abi.stateMutability,
    },
    chain: c.chain, returnValueTest: rvtV2(c.returnValueTest),
  };
}
function solRpc(c, v2) {
  if (v2 || 'pdaParams' in c) {
    return {
      method: c.method, params: c.params, pdaParams: c.pdaParams,
      pdaInterface: { offset: c.pdaInterface.offset, fields: c.pdaInterface.fields },
      pdaKey: c.pdaKey, chain: c.chain, returnValueTest: rvtV2(c.returnValueTest),
    };
  }
  return { method: c.method, params: c.params, chain: c.chain, returnValueTest: rvtV2(c.returnValueTest) };
}
function cosmos(c) {
  return {
    path: c.path, chain: c.chain, method: c.method, parameters: c.parameters,
    returnValueTest: rvtV2(c.returnValueTest),
  };
}
function unified(c) {
  switch (c.conditionType) {
    case 'evmBasic': return evmBasic(c);
    case 'evmContract': return evmContract(c);
    case 'solRpc': return solRpc(c, true);
    case 'cosmos': return cosmos(c);
    default: throw new Error('bad conditionType');
  }
}
const FORMATTERS = {
  accessControlConditions: evmBasic,
  evmContractConditions: evmContract,
  solRpcConditions: (c) => solRpc(c, false),
  unifiedAccessControlConditions: unified,
};
function canonicalList(list, format) {
  return list.map((item) => {
    if (Array.isArray(item)) return canonicalList(item, format);
    if ('operator' in item) return { operator: item.operator };
    if ('returnValueTest' in item) return format(item);
    throw new Error('not a condition');
  });
}
function expected(paramsText) {
  const params = JSON.parse(paramsText);
  const key = Object.keys(FORMATTERS).find((k) => k in params);
  const canonical = JSON.stringify(canonicalList(params[key], FORMATTERS[key]));
  return { canonical, hash: createHash('sha256').update(canonical, 'utf8').digest('hex') };
}

function runTool(docs) {
  const r = spawnSync(TOOL, [], { input: docs.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

// ---- cases ----------------------------------------------------------------------------------
let seed = 20240611;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(rand() * a.length)];
const CHARS = ['a', 'Z', '0', ' ', '"', '\\', '/', '\u0000', '\u0001', '\b', '\t', '\n', '\f', '\r',
  '\u001f', '\u007f', '\u0080', '\u00e9', '\u2028', '\u2029', '\ufeff', '\uffff', '\u{1f600}', '\u{10ffff}', ':'];
const randString = () => Array.from({ length: Math.floor(rand() * 8) }, () => pick(CHARS)).join('');
const NUMBER_TEXTS = ['0', '-0', '1', '-1', '0.1', '1.0', '1e21', '1E+21', '1e20', '123e-20', '1e-7',
  '0.000001', '5e-324', '1.7976931348623157e308', '9007199254740993', '18446744073709551615',
  '123456789012345678901234567890', '2.5e-6', '100.000', '-1.5e-10', '0.30000000000000004'];
const digits = (n) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
function randNumberText() {
  if (rand() < 0.4) return pick(NUMBER_TEXTS);
  // JSON number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, exponents kept in
  // ±300 so that no value overflows or underflows a double (our parser refuses those).
  const int = rand() < 0.2 ? '0' : String(1 + Math.floor(rand() * 9)) + digits(Math.floor(rand() * 22));
  const frac = rand() < 0.5 ? '.' + digits(1 + Math.floor(rand() * 20)) : '';
  const exp = rand() < 0.5 ? pick(['e', 'E']) + pick(['', '+', '-']) + Math.floor(rand() * 280) : '';
  return (rand() < 0.3 ? '-' : '') + int + frac + exp;
}
const KEYS = ['0', '1', '10', '2', '01', '4294967294', '4294967295', '-1', 'a', 'b', '\u00e9', 'x y'];
// A free-form JSON value as text (object keys unique, as JSON.parse and our parser agree only then).
function randValueText(depth = 0) {
  const r = rand();
  if (depth > 2 || r < 0.3) return randNumberText();
  if (r < 0.5) return JSON.stringify(randString());
  if (r < 0.55) return pick(['true', 'false', 'null']);
  if (r < 0.75) return `[${Array.from({ length: Math.floor(rand() * 4) }, () => randValueText(depth + 1)).join(',')}]`;
  const keys = [...new Set(Array.from({ length: Math.floor(rand() * 5) }, () => pick(KEYS)))];
  return `{${keys.map((k) => `${JSON.stringify(k)}:${randValueText(depth + 1)}`).join(',')}}`;
}
// An object's members in random order, with an extra member sometimes.
function shuffledObject(members) {
  const entries = Object.entries(members).filter(([, v]) => v !== undefined);
  if (rand() < 0.5) entries.push(['extra' + Math.floor(rand() * 3), JSON.stringify(randString())]);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [entries[i], entries[j]] = [entries[j], entries[i]];
  }
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}
const s = (v) => JSON.stringify(v);
const rvt = (v2) => shuffledObject({ key: v2 || rand() < 0.3 ? s(randString()) : undefined,
  comparator: s(pick(['=', '>=', '<', 'contains'])), value: s(randString()) });
function randCondition(kind) {
  const type = kind === 'unifiedAccessControlConditions'
    ? pick(['evmBasic', 'evmContract', 'solRpc', 'cosmos'])
    : { accessControlConditions: 'evmBasic', evmContractConditions: 'evmContract', solRpcConditions: 'solRpc' }[kind];
  const ct = kind === 'unifiedAccessControlConditions' ? s(type) : (rand() < 0.2 ? s('evmBasic') : undefined);
  const strings = () => `[${Array.from({ length: Math.floor(rand() * 3) }, () => s(randString())).join(',')}]`;
  switch (type) {
    case 'evmBasic':
      return shuffledObject({ conditionType: ct, contractAddress: s(randString()), chain: s(randString()),
        standardContractType: s(randString()), method: s(randString()), parameters: strings(), returnValueTest: rvt(false) });
    case 'evmContract': {
      const param = () => shuffledObject({ name: s(randString()), type: s(pick(['address', 'uint256'])),
        internalType: rand() < 0.5 ? s('x') : undefined });
      const params = () => `[${Array.from({ length: Math.floor(rand() * 3) }, param).join(',')}]`;
      const abi = shuffledObject({ name: s(randString()), inputs: params(), outputs: params(),
        constant: rand() < 0.5 ? pick(['true', 'false']) : undefined,
        stateMutability: rand() < 0.5 ? s(pick(['view', 'pure'])) : undefined, type: s('function') });
      return shuffledObject({ conditionType: ct, contractAddress: s(randString()), functionName: s(randString()),
        functionParams: strings(), functionAbi: abi, chain: s(randString()), returnValueTest: rvt(true) });
    }
    case 'solRpc': {
      const v2 = kind === 'unifiedAccessControlConditions' || rand() < 0.5;
      const fields = [...new Set(Array.from({ length: Math.floor(rand() * 4) }, () => pick(KEYS)))];
      return shuffledObject({ conditionType: ct, method: s(randString()),
        params: `[${Array.from({ length: Math.floor(rand() * 4) }, () => randValueText()).join(',')}]`,
        pdaParams: v2 ? strings() : undefined,
        pdaInterface: v2 ? shuffledObject({ offset: String(Math.floor(rand() * 100)),
          fields: `{${fields.map((k) => `${s(k)}:${Math.floor(rand() * 9)}`).join(',')}}` }) : undefined,
        pdaKey: v2 ? s(randString()) : undefined, chain: s(randString()), returnValueTest: rvt(true) });
    }
    default:
      return shuffledObject({ conditionType: ct, path: s(randString()), chain: s(randString()),
        method: rand() < 0.5 ? s(randString()) : undefined,
        parameters: rand() < 0.5 ? strings() : undefined, returnValueTest: rvt(true) });
  }
}
function randList(kind, depth = 0) {
  const n = 1 + Math.floor(rand() * 3);
  const items = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) items.push(shuffledObject({ operator: s(pick(['and', 'or'])) }));
    items.push(depth < 2 && rand() < 0.25 ? randList(kind, depth + 1) : randCondition(kind));
  }
  return `[${items.join(',')}]`;
}

const VECTOR = '[{"contractAddress":"","chain":"ethereum","standardContractType":"","method":"eth_getBalance","parameters":[":userAddress","latest"],"returnValueTest":{"comparator":">=","value":"0"}}]';

test('the conditions tool is built', () => {
  assert.ok(existsSync(TOOL), `${TOOL} missing: build the conditions_canonical_tool target`);
});

test('this JavaScript formatter reproduces the published Lit vector', () => {
  const e = expected(`{"accessControlConditions":${VECTOR},"chain":"ethereum"}`);
  assert.equal(e.hash, '53b01f820c82e86d7e4cd804b8a6f68682221eeb7df76fd43ee777c8caab5628');
});

test('canonical bytes and hashes match JSON.stringify on a random corpus', () => {
  const docs = [`{"accessControlConditions":${VECTOR},"chain":"ethereum"}`];
  for (const kind of Object.keys(FORMATTERS)) {
    for (let i = 0; i < 150; i++) docs.push(`{${s(kind)}:${randList(kind)},"chain":"ethereum"}`);
  }
  const results = runTool(docs);
  assert.equal(results.length, docs.length);
  docs.forEach((doc, i) => {
    const want = expected(doc);
    assert.equal(results[i].error, undefined, `doc ${i} refused: ${JSON.stringify(results[i].error)}\n${doc}`);
    assert.equal(results[i].canonical, want.canonical, `doc ${i}: ${doc}`);
    assert.equal(results[i].hash, want.hash, `doc ${i}`);
  });
});

test('the tool refuses what JSON.parse would silently resolve', () => {
  const [dup] = runTool([`{"chain":"a","accessControlConditions":${VECTOR},"chain":"b"}`]);
  assert.equal(dup.error.code, 'invalid_argument');
  assert.match(dup.error.message, /duplicate key "chain"/);
});

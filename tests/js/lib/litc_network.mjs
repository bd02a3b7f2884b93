// A whole litcompute network for JavaScript tests, on loopback: `litc keygen --network`, a real
// redis-server, litc-broker (with the network key), share-holding litc-workers and litc-bridge,
// each on a port the OS picked. stop() ends every process it started.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.LITC_BIN_DIR;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function readKeyValues(path) {
  if (!existsSync(path)) return null;
  const out = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

export async function startNetwork({ threshold = 2, shares = 3, holders = 3, bridgeArgs = [],
  brokerArgs = [], bridgeNetworkKey = false } = {}) {
  if (!BIN) throw new Error('LITC_BIN_DIR must name the build\'s bin directory');
  const dir = mkdtempSync(join(tmpdir(), 'litc-js-net-'));
  const children = [];
  const run = (name, argv) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.log = '';
    child.stdout.on('data', (d) => { child.log += d; });
    child.stderr.on('data', (d) => { child.log += d; });
    child.name = name;
    children.push(child);
    return child;
  };
  const stop = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const keys = join(dir, 'keys');
    const keygen = spawnSync(`${BIN}/litc`, ['keygen', '--network', '--threshold', String(threshold),
      '--shares', String(shares), '--out', keys], { encoding: 'utf8' });
    if (keygen.status !== 0) throw new Error(`litc keygen failed: ${keygen.stderr}`);
    const network = JSON.parse(readFileSync(join(keys, 'network.json'), 'utf8'));

    const redisPort = await freePort();
    run('redis', ['redis-server', '--port', String(redisPort), '--bind', '127.0.0.1', '--save', '',
      '--appendonly', 'no', '--dir', dir]);

    const brokerFile = join(dir, 'broker.endpoints');
    run('broker', [`${BIN}/litc-broker`, '--clients', 'tcp://127.0.0.1:*', '--workers',
      'tcp://127.0.0.1:*', '--events', 'tcp://127.0.0.1:*', '--snapshot', 'tcp://127.0.0.1:*',
      '--endpoints-file', brokerFile, '--network-key', join(keys, 'network.json'),
      '--heartbeat-ms', '100', ...brokerArgs]);
    const ep = await waitFor('the broker endpoints file', () => {
      const kv = readKeyValues(brokerFile);
      return kv && kv.clients && kv.workers && kv.events && kv.snapshot ? kv : null;
    });
    for (let i = 1; i <= holders; ++i) {
      run(`holder-${i}`, [`${BIN}/litc-worker`, '--broker', ep.workers, '--node-id', `holder-${i}`,
        '--ops', 'echo,encrypt,decrypt', '--max-concurrent', '2', '--heartbeat-ms', '100',
        '--network-key', join(keys, 'network.json'), '--key-share', join(keys, `share-${i}.key`),
        '--rpc', 'ethereum=http://127.0.0.1:9']);
    }
    const bridgeFile = join(dir, 'bridge.endpoints');
    run('bridge', [`${BIN}/litc-bridge`, '--broker', ep.clients, '--events', ep.events,
      '--snapshot', ep.snapshot, '--workers', ep.workers, '--redis',
      `redis://127.0.0.1:${redisPort}`, '--listen', '127.0.0.1:0', '--endpoints-file', bridgeFile,
      '--log-level', 'warn', '--blob-dir', join(dir, 'blobs'),
      ...(bridgeNetworkKey ? ['--network-key', join(keys, 'network.json')] : []), ...bridgeArgs]);
    const http = await waitFor('the bridge endpoints file', () => readKeyValues(bridgeFile)?.http);
    const url = `http://${http}/lit-compute`;
    await waitFor('a healthy bridge', async () => {
      try {
        return (await fetch(`http://${http}/healthz`)).status === 200;
      } catch {
        return false;
      }
    });
    await waitFor(`${holders} holders online`, async () => {
      const r = await fetch(`${url}/jobs/stats`);
      if (r.status !== 200) return false;
      const stats = await r.json();
      return JSON.stringify(stats).includes(`"workers_online":${holders}`) ||
        stats.workersOnline === holders || stats.broker?.workers_online === holders;
    });
    return { dir, keys, network, url, stop, logs: () => children.map((c) => `--- ${c.name}\n${c.log}`).join('\n') };
  } catch (e) {
    const logs = children.map((c) => `--- ${c.name}\n${c.log}`).join('\n');
    stop();
    throw new Error(`${e.message}\n${logs}`);
  }
}

// Polls GET jobs/:id until the job is finished; returns its JSON.
export async function waitForJob(url, jobId, timeoutMs = 15000) {
  return waitFor(`job ${jobId} to finish`, async () => {
    const r = await fetch(`${url}/jobs/${encodeURIComponent(jobId)}`);
    if (r.status !== 200) return null;
    const job = await r.json();
    return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : null;
  }, timeoutMs);
}

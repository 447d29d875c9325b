// The edge's cold start: a second edge is started straight on workerd (as `cargo xtask bench`
// starts the first), and the first request it serves, which instantiates the Worker's wasm,
// is timed against the requests after it. Its state is its own and thrown away.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { stateDir } from './cpu.mjs';

const root = new URL('../../', import.meta.url).pathname;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function timedGet(url) {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

/**
 * Starts `rounds` fresh edges one after another; for each, in ms: from the spawn to
 * Miniflare's "ready" (Node, workerd and the Worker's script loaded), the first
 * `GET /health`, and the median of the next `warm` ones.
 */
export async function coldStarts(rounds, warm = 20) {
  const state = stateDir();
  const d1 = process.env.LIPA_D1_URL;
  if (!d1) throw new Error('LIPA_D1_URL is not set: the bench system serves its D1 apart');
  const varsFile = readdirSync(state).find((f) => /^edge-\d+\.vars\.json$/.test(f));
  if (!varsFile) throw new Error('no edge variables beside the bench state: was the system started on workerd?');
  const results = [];
  for (let r = 0; r < rounds; r++) {
    const port = await freePort();
    const spawned = performance.now();
    const persist = mkdtempSync(join(tmpdir(), 'lipa-cold-'));
    const child = spawn('node', ['xtask/js/serve-worker.mjs', 'edge', String(port), persist, join(state, varsFile), d1], {
      cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true,
    });
    try {
      await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('ready on')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`the second edge exited (${code})`)));
      });
      const ready = performance.now() - spawned;
      const first = await timedGet(`http://127.0.0.1:${port}/health`);
      if (first.status !== 200) throw new Error(`the second edge's /health answered ${first.status}`);
      const after = [];
      for (let i = 0; i < warm; i++) after.push((await timedGet(`http://127.0.0.1:${port}/health`)).ms);
      after.sort((a, b) => a - b);
      results.push({ ready, first: first.ms, warm: after[Math.floor(after.length / 2)] });
    } finally {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 500));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(persist, { recursive: true, force: true });
    }
  }
  return results;
}

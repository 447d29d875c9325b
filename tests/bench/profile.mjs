// `cargo xtask profile [rounds]`: where the edge's CPU per request goes. The same rounds as the
// bench's "CPU per request" (cost.mjs), with Linux's `perf` sampling the edge's workerd
// (call stacks, stamped on the monotonic clock as the rounds' request windows are), so every
// sample is given to the request it fell in and sorted by what workerd was doing:
// - storage: SQLite under a Durable Object's storage or D1, with its fsync beside it;
// - the edge's code: JIT-compiled code (the edge's wasm, and JS once V8 has compiled it);
// - garbage collection;
// - V8 compiling: the wasm and JS a request runs, compiled again, optimized, once hot (mostly on
//   V8's worker threads);
// - the V8 and binding runtime: the JS glue run by V8's interpreter, calls between JS, wasm and
//   workerd's APIs, object and promise machinery;
// - the kernel: system calls, the network, scheduling;
// - workerd's own I/O and the rest (HTTP, its event loop, memory allocation).
// Shares of each request type's samples, scaled to its measured CPU (schedstat, as the bench).
// Needs `perf` (Debian's linux-perf) and the right to attach to the edge's process.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { requestCosts, percentile } from './cost.mjs';
import { edgeWorkerd, stateDir } from './cpu.mjs';

const data = () => `${stateDir()}/edge.perf.data`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `perf` with `args`; its exit, or why it could not start. */
function perf(args, options = {}) {
  const child = spawn('perf', args, { stdio: ['ignore', options.stdout ?? 'ignore', 'pipe'], ...options });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`perf could not start (${e.message}): install Debian's linux-perf`)));
    child.on('exit', (code, signal) => resolve({ code, signal, err }));
  });
  return { child, exited };
}

/**
 * A frame that names an alarm's start (workerd's `runAlarmImpl`, or a lambda of it): samples
 * under it are a lower bound of an alarm's first run. Where the wasm's future is first polled
 * (a microtask) and every later step (from the event loop) may run under no frame that names
 * the alarm, and inlining can drop the frame.
 */
const ALARM_START = /runAlarmImpl/;

/** Frames of a garbage collection (V8's heap, its collectors, cppgc's sweeping). */
const GC_FRAME = /v8::internal::(Heap::|MarkCompact|Scavenge|MinorMarkSweep)|cppgc::/;
/** Frames of a young-generation collection; a pause without one is the old generation's. */
const MINOR_GC_FRAME = /Scaveng|MinorGC|MinorMarkSweep/;
/** Frames that destroy workerd's own API objects (Request, Response, Headers, streams …). */
const API_OBJECT_DESTRUCTION = /workerd::api::[\w:<>]*~|Wrappable::detachWrapper|CppgcShim::~|HeapDisposer<workerd::api::/;
/** Samples of one thread farther apart than this (µs) belong to two pauses (perf samples each ~1 ms). */
const PAUSE_GAP_US = 1500;

/** What one sample's stack (leaf first: `[{ sym, dso }]`) was doing. */
function category(stack) {
  const has = (re) => stack.some((f) => re.test(f.sym));
  if (has(/^(sqlite3|workerd::SqliteDatabase|workerd::ActorSqlite)/)) return has(/fsync/) ? 'storage: fsync' : 'storage: SQLite';
  const leaf = stack[0] ?? { sym: '', dso: '' };
  if (/JIT|perf-\d+\.map|unknown/.test(leaf.dso) && !/workerd|kernel|libc/.test(leaf.dso)) return "the edge's code (JIT: wasm, compiled JS)";
  if (has(GC_FRAME)) return 'garbage collection';
  if (has(/v8::internal::(compiler::|maglev::|baseline::|wasm::(WasmFullDecoder|LiftoffCompiler|WasmCompilationUnit))/)) return 'V8 compiling (tier-up of the wasm and JS)';
  if (leaf.dso.includes('kernel')) return 'kernel (system calls, network, scheduling)';
  if (/^(v8::|Builtins_|workerd::jsg::)/.test(leaf.sym)) return 'V8 and binding runtime (JS glue, API calls)';
  return "workerd's I/O and the rest (HTTP, event loop, allocation)";
}

/**
 * Samples per request type and category, read from `perf script`; per window (the same
 * objects as `windows`), its own counts by category; and the garbage-collection pauses on
 * the request thread (workerd's main thread, whose id is its process's, one of `mainTids`).
 */
async function attribute(windows, mainTids) {
  const sorted = [...windows].sort((a, b) => a.from - b.from);
  const counts = new Map();
  const alarmStarts = new Map();
  const perWindow = new Map(windows.map((w) => [w, new Map()]));
  const pauses = [];
  let pause = null;
  const script = perf(['script', '-i', data(), '-F', 'tid,time,ip,sym,dso'], { stdout: 'pipe' });
  const lines = createInterface({ input: script.child.stdout, crlfDelay: Infinity });
  let at = null;
  let tid = null;
  let stack = [];
  let w = 0;
  const flush = () => {
    if (at === null) return;
    while (w < sorted.length && sorted[w].to < at) w++;
    const window = sorted[w];
    const inWindow = Boolean(window && window.from <= at);
    if (mainTids.has(tid) && stack.some((f) => GC_FRAME.test(f.sym))) {
      if (!pause || pause.tid !== tid || at - pause.last > PAUSE_GAP_US) {
        pause = { tid, samples: 0, minor: 0, destroying: 0, inWindow: false, last: at };
        pauses.push(pause);
      }
      pause.samples += 1;
      pause.last = at;
      pause.inWindow ||= inWindow;
      if (stack.some((f) => MINOR_GC_FRAME.test(f.sym))) pause.minor += 1;
      if (stack.some((f) => API_OBJECT_DESTRUCTION.test(f.sym))) pause.destroying += 1;
    } else if (mainTids.has(tid)) {
      pause = null;
    }
    if (inWindow) {
      const type = counts.get(window.type) ?? new Map();
      counts.set(window.type, type);
      const c = category(stack);
      type.set(c, (type.get(c) ?? 0) + 1);
      const own = perWindow.get(window);
      own.set(c, (own.get(c) ?? 0) + 1);
      if (stack.some((f) => ALARM_START.test(f.sym))) alarmStarts.set(window.type, (alarmStarts.get(window.type) ?? 0) + 1);
    }
    at = null;
    tid = null;
    stack = [];
  };
  for await (const line of lines) {
    const header = /^\s*(\d+)\s+(\d+\.\d+):/.exec(line);
    if (header) {
      flush();
      tid = Number(header[1]);
      at = Math.round(Number(header[2]) * 1e6);
      continue;
    }
    const frame = /^\s+[0-9a-f]+\s+(.*)\s+\((.*)\)$/.exec(line);
    if (frame) stack.push({ sym: frame[1], dso: frame[2] });
  }
  flush();
  const { code, err } = await script.exited;
  if (code !== 0) throw new Error(`perf script failed: ${err}`);
  return { counts, perWindow, alarmStarts, pauses };
}

/**
 * `rounds` of the bench's request rounds under `perf`: per request type, its mean CPU (ms)
 * split by the shares of perf's samples in each category.
 */
export async function activityProfile(rounds, warmUp) {
  const pids = edgeWorkerd();
  if (pids.length === 0) throw new Error('no workerd in the edge\'s process group');
  const record = perf(['record', '-k', 'CLOCK_MONOTONIC', '-F', '999', '-g', '-p', pids.join(','), '-o', data()]);
  await sleep(1000);
  const { costs, lost, windows } = await requestCosts(rounds, warmUp);
  record.child.kill('SIGINT');
  const recorded = await record.exited;
  if (recorded.code !== 0 && recorded.signal === null && recorded.code !== 130) throw new Error(`perf record failed: ${recorded.err}`);
  const { counts, perWindow, alarmStarts, pauses } = await attribute(windows, new Set(pids.map(Number)));
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  const categories = [...new Set([...counts.values()].flatMap((m) => [...m.keys()]))].sort();
  const rows = Object.entries(costs).map(([name, values]) => {
    const type = counts.get(name) ?? new Map();
    const samples = [...type.values()].reduce((a, b) => a + b, 0);
    const cpu = mean(values);
    const parts = Object.fromEntries(categories.map((c) => [c, samples ? (cpu * (type.get(c) ?? 0)) / samples : null]));
    const alarmStart = samples ? (cpu * (alarmStarts.get(name) ?? 0)) / samples : null;
    return { name, n: values.length, samples, cpu, parts, alarmStart };
  });
  // Each type's highest readings, with their own samples: what a tail is made of.
  const highest = Object.keys(costs).map((name) => ({
    name,
    windows: windows.filter((w) => w.type === name).sort((a, b) => b.cpu - a.cpu).slice(0, HIGHEST)
      .map((w) => ({ round: w.round, cpu: w.cpu, thread: w.thread / 1e6, samples: perWindow.get(w) })),
  }));
  // The tail with and without the windows perf caught collecting garbage.
  const GC = 'garbage collection';
  const tails = Object.entries(costs).map(([name]) => {
    const own = windows.filter((w) => w.type === name);
    const clean = own.filter((w) => !(perWindow.get(w).get(GC) > 0));
    const p = (ws, q) => percentile(ws.map((w) => w.cpu), q);
    return { name, n: own.length, withGc: own.length - clean.length, p50: p(own, 50), p99: p(own, 99), cleanP50: p(clean, 50), cleanP99: p(clean, 99) };
  });
  return { rounds, lost, categories, rows, highest, tails, pauses };
}

/** The lengths (ms at 999 Hz: samples) {@link pauseTable} groups pauses by. */
const PAUSE_LENGTHS = [[1, 1], [2, 4], [5, 9], [10, Infinity]];

/**
 * The garbage-collection pauses perf caught on the request thread, by length: how many, how
 * many fell in a measured request's window, their samples, and what share of those were
 * young-generation collections and destroying workerd's own API objects.
 */
export function pauseTable({ pauses }) {
  const share = (part, whole) => (whole ? `${Math.round((100 * part) / whole)}%` : '–');
  const rows = PAUSE_LENGTHS.map(([from, to]) => {
    const own = pauses.filter((p) => p.samples >= from && p.samples <= to);
    const sum = (key) => own.reduce((a, p) => a + p[key], 0);
    const label = to === Infinity ? `${from} ms or more` : from === to ? `${from} ms` : `${from}–${to} ms`;
    return `| ${label} | ${own.length} | ${own.filter((p) => p.inWindow).length} | ${sum('samples')} | ${share(sum('minor'), sum('samples'))} | ${share(sum('destroying'), sum('samples'))} |`;
  });
  return [
    '| pause (samples ≈ ms) | pauses | in a measured window | samples | young generation (scavenge) | destroying workerd\'s API objects |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** Each type's p50/p99, over every window and over those without a garbage collection sample. */
export function tailTable({ tails }) {
  const cell = (v) => (v === undefined ? '–' : v.toFixed(2));
  return [
    '| request | n | windows with GC | p50 / p99 ms, all | p50 / p99 ms, without GC |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...tails.map((t) => `| ${t.name} | ${t.n} | ${t.withGc} | ${cell(t.p50)} / ${cell(t.p99)} | ${cell(t.cleanP50)} / ${cell(t.cleanP99)} |`),
  ].join('\n');
}

/** How many of each type's highest readings {@link highestTable} shows. */
const HIGHEST = 5;

/** Each type's highest readings: CPU ms (all threads, request thread) and samples by category. */
export function highestTable({ categories, highest }) {
  return [
    `| request | round | CPU ms | request thread ms | ${categories.join(' | ')} |`,
    `| --- | ---: | ---: | ---: | ${categories.map(() => '---:').join(' | ')} |`,
    ...highest.flatMap(({ name, windows }) => windows.map((w) => `| ${name} | ${w.round} | ${w.cpu.toFixed(2)} | ${w.thread.toFixed(2)} | ${categories.map((c) => w.samples.get(c) ?? 0).join(' | ')} |`)),
  ].join('\n');
}

/** {@link activityProfile}'s result as a Markdown table. */
export function activityTable({ categories, rows }) {
  const cell = (v) => (v === null ? '–' : v.toFixed(2));
  return [
    `| request | n | samples | CPU ms | of it, under a frame naming an alarm's start (a lower bound) | ${categories.join(' | ')} |`,
    `| --- | ---: | ---: | ---: | ---: | ${categories.map(() => '---:').join(' | ')} |`,
    ...rows.map((r) => `| ${r.name} | ${r.n} | ${r.samples} | ${r.cpu.toFixed(2)} | ${cell(r.alarmStart)} | ${categories.map((c) => cell(r.parts[c])).join(' | ')} |`),
  ].join('\n');
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const rounds = Number(process.env.LIPA_PROFILE_ROUNDS ?? 40);
  const result = await activityProfile(rounds);
  console.log(`# Edge CPU per request, by what workerd was doing (${rounds} rounds, ${result.lost} left out; perf at 999 Hz)\n`);
  console.log('Mean ms of CPU per request (schedstat), split by the shares of perf\'s samples in the request\'s window.\n');
  console.log(activityTable(result));
  console.log('\nThe tail with and without the windows in which perf caught garbage collection:\n');
  console.log(tailTable(result));
  console.log('\nGarbage-collection pauses on the request thread (runs of samples in a collection, at most 1.5 ms apart):\n');
  console.log(pauseTable(result));
  console.log(`\nEach type's ${HIGHEST} highest readings, with the number of perf samples in each category in that window:\n`);
  console.log(highestTable(result));
}

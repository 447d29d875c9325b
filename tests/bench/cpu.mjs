// CPU time of the system's processes, read from Linux's /proc: each server's process group
// (its runner and workerd, named by `cargo xtask` in LIPA_PROCESS_GROUPS: the sandbox, the
// edge, and the edge's D1 database, served apart as on Cloudflare), this driver, and
// the whole machine. Thread run time comes from `schedstat` (nanoseconds), so a single
// request's cost can be read; the machine's from `/proc/stat` (clock ticks).
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Where the system keeps its state and logs (`cargo xtask` says, in LIPA_STATE_DIR). */
export function stateDir() {
  const dir = process.env.LIPA_STATE_DIR;
  if (!dir) throw new Error('LIPA_STATE_DIR is not set: run this through cargo xtask');
  return dir;
}

/** `{ sandbox: pgid, edge: pgid, d1: pgid }` from LIPA_PROCESS_GROUPS (`name=pgid,…`). */
export function processGroups() {
  const spec = process.env.LIPA_PROCESS_GROUPS ?? '';
  const groups = Object.fromEntries(spec.split(',').filter(Boolean).map((kv) => {
    const [name, pgid] = kv.split('=');
    return [name, Number(pgid)];
  }));
  if (!groups.edge || !groups.sandbox || !groups.d1) throw new Error(`LIPA_PROCESS_GROUPS names no edge, sandbox and d1: "${spec}"`);
  return groups;
}

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // a process or thread that ended meanwhile
  }
}

/** The processes whose process group is `pgid`. */
function members(pgid) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    // Fields after the command name (which may hold spaces) : state ppid pgrp …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) pids.push(entry);
  }
  return pids;
}

/** CPU nanoseconds run so far by the live threads of the processes in `pids`. */
function runNs(pids) {
  let total = 0;
  for (const pid of pids) {
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      const s = read(`/proc/${pid}/task/${tid}/schedstat`);
      if (s) total += Number(s.split(' ')[0]);
    }
  }
  return total;
}

/** Busy and total CPU time of the machine, in nanoseconds (`/proc/stat`, 100 ticks/s). */
function machine() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line;
  const tick = 1e7;
  return { busy: (user + nice + system + irq + softirq + steal) * tick, total: (user + nice + system + idle + iowait + irq + softirq + steal) * tick };
}

/** The edge's workerd processes (their pids), for a profiler to attach to. */
export function edgeWorkerd() {
  return members(processGroups().edge).filter((pid) => (read(`/proc/${pid}/comm`) ?? '').trim() === 'workerd');
}

/**
 * CPU nanoseconds so far of each process in the edge's group, by its command name (workerd, and
 * the Node runner that started it and carries its log).
 */
export function edgeByProcess() {
  const totals = {};
  for (const pid of members(processGroups().edge)) {
    const name = (read(`/proc/${pid}/comm`) ?? '?').trim();
    totals[name] = (totals[name] ?? 0) + runNs([pid]);
  }
  return totals;
}

/**
 * A meter over the edge's workerd, cheap enough to read around one request: the process is
 * looked up once (workerd keeps its threads). Not the Node runner beside it in its group
 * (Miniflare, which reads workerd's log from a pipe and writes it on): Cloudflare runs no such
 * process. {@link edgeByProcess} still shows what it costs.
 */
export function edgeMeter() {
  const pids = edgeWorkerd();
  return () => runNs(pids);
}

/**
 * A meter over the thread that runs the edge's requests alone: workerd's main thread (its
 * thread id is the process id), without V8's background threads (`V8 DefaultWorke…`:
 * compiling, concurrent garbage collection) and workerd's I/O threads.
 */
export function edgeRequestThreadMeter() {
  const threads = edgeWorkerd().map((pid) => `/proc/${pid}/task/${pid}/schedstat`);
  return () => threads.reduce((sum, path) => sum + Number((read(path) ?? '0').split(' ')[0]), 0);
}

/** The same meter over another server's process group (`d1`, `sandbox`). */
export function groupMeter(name) {
  const pids = members(processGroups()[name]);
  return () => runNs(pids);
}

/** A snapshot of every process's CPU so far, for {@link split}. */
export function snapshot() {
  const groups = processGroups();
  const driver = process.cpuUsage();
  return {
    at: process.hrtime.bigint(),
    edge: runNs(members(groups.edge)),
    d1: runNs(members(groups.d1)),
    sandbox: runNs(members(groups.sandbox)),
    driver: (driver.user + driver.system) * 1000,
    machine: machine(),
  };
}

/**
 * Where the machine's CPU went between two snapshots: CPU seconds and shares of the machine's
 * capacity (cores × wall time) for the edge, its D1 database, the sandbox, this driver, and
 * everything else.
 */
export function split(before, after) {
  const wallNs = Number(after.at - before.at);
  const capacity = wallNs * cpus().length;
  const part = (ns) => ({ s: ns / 1e9, share: ns / capacity });
  const edge = after.edge - before.edge;
  const d1 = after.d1 - before.d1;
  const sandbox = after.sandbox - before.sandbox;
  const driver = after.driver - before.driver;
  const busy = after.machine.busy - before.machine.busy;
  return {
    wallS: wallNs / 1e9,
    cores: cpus().length,
    edge: part(edge),
    d1: part(d1),
    sandbox: part(sandbox),
    driver: part(driver),
    other: part(Math.max(0, busy - edge - d1 - sandbox - driver)),
    idle: part(Math.max(0, capacity - busy)),
  };
}

/**
 * D1 queries the edge has sent so far, by database (`lipa`, `lipa_events`) and kind, and each
 * database's own execution time for them in ms, counted from its log (the benchmark runner
 * serves the D1 databases through `xtask/js/serve-d1.mjs`, which logs one line per query).
 * `all` sums the databases.
 */
export function d1Queries() {
  const log = read(`${stateDir()}/d1.log`) ?? '';
  const counts = { all: { reads: 0, writes: 0, ms: 0 } };
  for (const [, database, kind, ms] of log.matchAll(/lipa-d1 (\S+) (read|write) ([0-9.]+)/g)) {
    counts[database] ??= { reads: 0, writes: 0, ms: 0 };
    for (const count of [counts[database], counts.all]) {
      count[kind === 'read' ? 'reads' : 'writes'] += 1;
      count.ms += Number(ms);
    }
  }
  return counts;
}

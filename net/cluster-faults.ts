// Faults on a running local cluster (`samsa cluster --faults`), in the scenario file's words: link
// faults through its fault proxies, process faults (crash, power-loss, stop, restart, pause, resume) on its broker
// processes, selectors (controller-leader, leader-of, random) resolved from the brokers' own Metadata
// when the fault fires, and a fault's `for` undone when it ends.

import { FaultCommandError, milliseconds, parseFaultCommand, type FaultCommand, type FaultNetwork } from './fault-network.ts';
import type { FileCrashOutcome } from '../core/trace/schema.ts';
import type { LocalCluster } from './local-cluster.ts';
import { wireRequests } from './wire-request.ts';

export type ProcessFaultKind = 'crash' | 'power-loss' | 'stop' | 'restart' | 'pause' | 'resume';
const PROCESS_FAULTS: readonly ProcessFaultKind[] = ['crash', 'power-loss', 'stop', 'restart', 'pause', 'resume'];

export interface ProcessCommand {
  kind: ProcessFaultKind;
  nodes: number[];
}

/** A fault as it was applied: selectors resolved, with the nodes it struck. */
export interface AppliedFault {
  /** What `{"undo": id}` names. */
  id: number;
  /** The id of the fault this undid (a `for` that ended, or an undo asked for). */
  undoes?: number;
  fault: FaultCommand | ProcessCommand;
  /** The nodes it struck (for a process fault, those whose process it changed). */
  nodes: number[];
  forMs: number | null;
  /** Selectors that matched no node when the fault fired (no leader known, say). */
  unmatched: string[];
  /** Nothing was done: a selector it needed matched no node. */
  noop?: true;
  /** A power loss: what it did to each struck node's files (only files that lost bytes). */
  disk?: Record<number, FileCrashOutcome[]>;
}

const HOST = '127.0.0.1';
/** How long a selector waits for a broker's Metadata. */
const METADATA_TIMEOUT_MS = 1500;

export class ClusterFaults {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The undo of every applied fault that has one and is not undone yet, by fault id. */
  private readonly undos = new Map<number, () => Promise<AppliedFault>>();
  private nextId = 1;
  /** Told of every fault applied and every undo (with the fault it undoes), in order: the log, the trace. */
  readonly listeners: Array<(applied: AppliedFault, undoes: AppliedFault | null) => void> = [];

  constructor(
    readonly cluster: LocalCluster,
    readonly network: FaultNetwork,
  ) {}

  get nodeCount(): number {
    return this.cluster.brokers.length;
  }

  /**
   * Applies one fault given as JSON text: one fault key, optionally `for` (undone after that long),
   * or `{"undo": id}` (undoes the fault of that id now) or `{"recover": "all"}`. Throws
   * FaultCommandError for bad input.
   */
  async apply(text: string): Promise<AppliedFault> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new FaultCommandError(`not JSON: ${text.trim()}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new FaultCommandError('expected an object with one fault, and optionally "for"');
    const { for: forValue, ...rest } = value as Record<string, unknown>;
    const forMs = forValue === undefined ? null : milliseconds(forValue, 'for');
    const keys = Object.keys(rest);
    if (keys.length !== 1) throw new FaultCommandError(`expected one fault per command, got ${keys.length === 0 ? 'none' : keys.join(', ')}`);
    const kind = keys[0]!;
    const id = this.nextId++;
    if (kind === 'recover') {
      if (rest[kind] !== 'all') throw new FaultCommandError('recover: expected "all"');
      return (await this.recover()).at(-1)!;
    }
    if (kind === 'undo') {
      const undo = typeof rest[kind] === 'number' ? this.undos.get(rest[kind]) : undefined;
      if (undo === undefined) throw new FaultCommandError(`undo: expected the id of a fault not undone yet, got ${JSON.stringify(rest[kind])}`);
      return undo();
    }
    const unmatched: string[] = [];
    const arg = await this.resolveSelectors(rest[kind], unmatched);
    let applied: AppliedFault;
    let undo: (() => Promise<Omit<AppliedFault, 'id' | 'undoes'>>) | null = null;
    if ((PROCESS_FAULTS as readonly string[]).includes(kind)) {
      const command: ProcessCommand = { kind: kind as ProcessFaultKind, nodes: this.nodeList(arg, kind, unmatched.length > 0) };
      const disk: Record<number, FileCrashOutcome[]> = {};
      const nodes = await this.applyProcess(command, disk);
      applied = { id, fault: command, nodes, forMs, unmatched, ...(command.kind === 'power-loss' ? { disk } : {}) };
      const undoKind = PROCESS_UNDO[command.kind];
      if (undoKind !== null) {
        undo = async () => ({
          fault: { kind: undoKind, nodes },
          nodes: await this.applyProcess({ kind: undoKind, nodes }),
          forMs: null,
          unmatched: [],
          undoes: id,
        });
      }
    } else {
      let command: FaultCommand;
      try {
        command = parseFaultCommand(JSON.stringify({ [kind]: arg }), this.nodeCount);
      } catch (err) {
        // A link whose end matched no node (a slow link to a leader there is none of) is no link to fault.
        if (unmatched.length > 0 && err instanceof FaultCommandError) {
          const noop: AppliedFault = { id, fault: { kind: 'heal' }, nodes: [], forMs: null, unmatched, noop: true };
          this.tell(noop, null);
          return noop;
        }
        throw err;
      }
      const lift = this.network.apply(command);
      applied = { id, fault: command, nodes: linkNodes(command), forMs, unmatched };
      if (command.kind !== 'heal') {
        undo = async () => {
          lift();
          return { fault: { kind: 'heal' }, nodes: applied.nodes, forMs: null, unmatched: [] };
        };
      }
    }
    this.tell(applied, null);
    if (undo !== null) {
      const once = undo;
      this.undos.set(id, async () => {
        this.undos.delete(id);
        const undone: AppliedFault = { ...(await once()), id: this.nextId++, undoes: id };
        this.tell(undone, applied);
        return undone;
      });
      if (forMs !== null) this.after(forMs, () => this.undos.get(id)?.());
    }
    return applied;
  }

  /** Undoes every fault: resumes paused brokers, heals every link and restarts every broker that is down; returns those three faults as applied. */
  async recover(): Promise<AppliedFault[]> {
    this.cancelTimers();
    this.undos.clear();
    return [await this.apply('{"resume": "all"}'), await this.apply('{"heal": "all"}'), await this.apply('{"restart": "all"}')];
  }

  private tell(applied: AppliedFault, undoes: AppliedFault | null): void {
    for (const listener of this.listeners) listener(applied, undoes);
  }

  /** Stops the timers of pending undos (a shutdown). */
  cancelTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private after(ms: number, action: () => unknown): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void Promise.resolve(action()).catch(() => {});
    }, ms);
    this.timers.add(timer);
  }

  /** Applies a process fault to each node it changes; returns those. A power loss notes what it did to the files in `disk`. */
  private async applyProcess(command: ProcessCommand, disk: Record<number, FileCrashOutcome[]> = {}): Promise<number[]> {
    const c = this.cluster;
    const running = (id: number) => c.brokers.find((b) => b.id === id)!.process !== null;
    const struck = command.nodes.filter((id) => {
      switch (command.kind) {
        case 'crash':
        case 'power-loss':
        case 'stop':
          return running(id);
        case 'restart':
          return !running(id);
        case 'pause':
          return c.isServing(id);
        case 'resume':
          return running(id) && !c.isServing(id);
      }
    });
    await Promise.all(
      struck.map(async (id) => {
        if (command.kind === 'crash') await c.crash(id);
        else if (command.kind === 'power-loss') {
          const report = await c.powerLoss(id);
          disk[id] = report.files.filter((f) => f.kept < f.size).map(({ file, size, synced, kept, torn }) => ({ file, size, synced, kept, torn }));
        } else if (command.kind === 'stop') await c.stop(id);
        else if (command.kind === 'restart') c.startBroker(id);
        else await c.signal(id, command.kind === 'pause' ? 'SIGSTOP' : 'SIGCONT');
      }),
    );
    return struck;
  }

  /** A process fault's nodes: b1.., a node number, "all", or a list of them. */
  private nodeList(arg: unknown, kind: string, someUnmatched: boolean): number[] {
    const items = arg === null ? [] : Array.isArray(arg) ? arg : [arg];
    if (items.length === 0 && !someUnmatched) throw new FaultCommandError(`${kind}: expected nodes, e.g. ["b1"] or "all"`);
    const ids = items.flatMap((v, i): number[] => {
      if (v === 'all') return this.cluster.brokers.map((b) => b.id);
      const m = typeof v === 'string' ? /^b(\d+)$/.exec(v) : null;
      const id = typeof v === 'number' ? v : m !== null ? Number(m[1]) : NaN;
      if (!Number.isInteger(id) || id < 1 || id > this.nodeCount) {
        throw new FaultCommandError(
          `${kind}[${i}]: expected b1..b${this.nodeCount}, all, controller-leader, random or {"leader-of": "topic/partition"}, got ${JSON.stringify(v)}`,
        );
      }
      return [id];
    });
    return [...new Set(ids)];
  }

  /** Replaces every selector in a fault's argument with the node it names now ("bN", or null when none). */
  private async resolveSelectors(arg: unknown, unmatched: string[]): Promise<unknown> {
    const memo = new Map<string, string | null>();
    const resolve = async (label: string, find: () => Promise<number | null>) => {
      if (!memo.has(label)) {
        const id = await find();
        if (id === null) unmatched.push(label);
        memo.set(label, id === null ? null : `b${id}`);
      }
      return memo.get(label)!;
    };
    const walk = async (v: unknown): Promise<unknown> => {
      if (v === 'controller-leader') return resolve('controller-leader', () => this.controllerLeader());
      if (v === 'random') return resolve('random', async () => 1 + Math.floor(Math.random() * this.nodeCount));
      // A selector that matches no node drops out of its list (as in the simulator: the fault strikes the others).
      if (Array.isArray(v)) return (await Promise.all(v.map(walk))).filter((x) => x !== null);
      if (typeof v === 'object' && v !== null && Object.keys(v).length === 1 && Object.hasOwn(v, 'leader-of')) {
        const ref = (v as Record<string, unknown>)['leader-of'];
        const m = typeof ref === 'string' ? /^(.+)\/(\d+)$/.exec(ref) : null;
        if (m === null) throw new FaultCommandError(`leader-of: expected "topic/partition" like "orders/0", got ${JSON.stringify(ref)}`);
        return resolve(`leader-of: ${ref as string}`, () => this.leaderOf(m[1]!, Number(m[2])));
      }
      if (typeof v === 'object' && v !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = await walk(x);
        return out;
      }
      return v;
    };
    return walk(arg);
  }

  /** Metadata (v7: leader epochs) from every broker that is serving. */
  private async metadata(topics: string[] | null): Promise<Array<Record<string, unknown>>> {
    const serving = this.cluster.brokers.filter((b) => this.cluster.isServing(b.id));
    const answers = await Promise.all(
      serving.map((b) =>
        wireRequests(
          HOST,
          this.cluster.directPort(b.id),
          [{ apiKey: 3, version: 7, body: { topics: topics === null ? [] : topics.map((name) => ({ name })), allowAutoTopicCreation: false } }],
          METADATA_TIMEOUT_MS,
        ).then(
          ([m]) => m as Record<string, unknown>,
          () => null,
        ),
      ),
    );
    return answers.filter((a): a is Record<string, unknown> => a !== null);
  }

  /** The active controller most serving brokers name. */
  private async controllerLeader(): Promise<number | null> {
    const votes = new Map<number, number>();
    for (const m of await this.metadata(null)) {
      const id = m.controllerId as number;
      if (id >= 0) votes.set(id, (votes.get(id) ?? 0) + 1);
    }
    return [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? null;
  }

  /** The leader of `topic`/`partition` in the newest leader epoch any serving broker knows. */
  private async leaderOf(topic: string, partition: number): Promise<number | null> {
    let best: { epoch: number; leader: number } | null = null;
    for (const m of await this.metadata([topic])) {
      const t = (m.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number; leaderId: number; leaderEpoch: number }> }>).find(
        (x) => x.name === topic,
      );
      const p = t?.partitions.find((x) => x.partitionIndex === partition);
      if (p === undefined || p.leaderId < 0) continue;
      if (best === null || p.leaderEpoch > best.epoch) best = { epoch: p.leaderEpoch, leader: p.leaderId };
    }
    return best?.leader ?? null;
  }
}

/** The fault that ends a process fault's `for` (a restart, a resume), or null for those without one. */
const PROCESS_UNDO: Record<ProcessFaultKind, ProcessFaultKind | null> = {
  crash: 'restart',
  'power-loss': 'restart',
  stop: 'restart',
  pause: 'resume',
  restart: null,
  resume: null,
};

/** The nodes a link fault names. */
function linkNodes(command: FaultCommand): number[] {
  const ends =
    command.kind === 'partition'
      ? command.groups.flat()
      : command.kind === 'partition-oneway'
        ? [...command.from, ...command.to]
        : command.kind === 'heal'
          ? []
          : command.between;
  return [...new Set(ends.filter((e): e is number => e !== 'clients'))];
}

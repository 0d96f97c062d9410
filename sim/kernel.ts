// The deterministic simulation kernel: a virtual clock, one event queue ordered by
// (time, sequence), seeded randomness, and nodes that start, crash and restart over their
// surviving storage. It delivers one event at a time to the node classes of core/ through an
// Env, so a seed fixes the whole run, and it writes every step to the trace.

import type { Env, Node, NodeFactory, NodeId, TimerTag } from '../core/env.ts';
import type { Session } from '../core/security/session.ts';
import { StorageError } from '../core/storage.ts';
import type { NodeEvent, ObservedEvent, TraceSetup, RecordedNodeEvent, RunEvent, TraceObserver, TraceSummary } from '../core/trace/schema.ts';
import type { TraceSink } from '../trace/sink.ts';
import { quoteNode, TraceWriter, type QuotedNode } from '../trace/writer.ts';
import { NO_DISK_FAULTS, SimStorage, type DiskFaults } from './disk.ts';
import { EventQueue } from './event-queue.ts';
import { deepFreeze, freezeMessagesByDefault } from './freeze.ts';
import { Fate, Network, type LinkConfig } from './network.ts';
import { RandomStreams, type Rng } from './random.ts';
import type { BuggifySite } from '../core/buggify.ts';

export interface SimulationOptions<M> {
  seed: number;
  network?: Partial<LinkConfig>;
  disk?: Partial<DiskFaults>;
  /** Where trace lines go; null (the default) skips formatting them altogether. */
  trace?: TraceSink | null;
  /** The setup that produced this run, written as the trace's header so it can be replayed. */
  header?: { scenario: string; config: TraceSetup };
  /** How a message is shown in the trace; by default the message itself. */
  describe?: (msg: M) => unknown;
  /** Deep-freeze every message handed to `send`, so that a later change throws (default: SAMSA_FREEZE_MESSAGES=1, as in tests). */
  freezeMessages?: boolean;
  /**
   * Builds, once, a function every sent message goes through before it is frozen and queued: what
   * it returns is what the receiver gets and the trace shows. The codec switch (sim/wire-transit.ts)
   * sends each message through Kafka's wire codec this way. Absent (the default), messages travel
   * as they are and `send` pays one null check.
   */
  transit?: (sim: Simulation<M>) => (from: NodeId, to: NodeId, msg: M) => M;
  /** BUGGIFY on (core/buggify.ts): each site is active in a quarter of runs and then fires at a quarter of its visits. */
  buggify?: boolean;
}

/** Running counts of what the kernel did, for summaries (cheap enough for the hot path). */
export class SimStats {
  messagesSent = 0;
  messagesDelivered = 0;
  duplicated = 0;
  reordered = 0;
  dropped = { partition: 0, loss: 0, down: 0, restarted: 0 };
  timersFired = 0;
  starts = 0;
  crashes = 0;
  partitions = 0;
  heals = 0;
  diskFaults = 0;
}

/** What a finished run reports. */
export interface RunSummary {
  traceHash: string | null;
  steps: number;
  simMs: number;
  events: number;
}

/** FoundationDB's odds: a site is active in a quarter of runs, and fires at a quarter of its visits. */
const BUGGIFY_ACTIVE = 0.25;
const BUGGIFY_FIRES = 0.25;

const DELIVER = 0;
const TIMER = 1;
const ACTION = 2;
/** A delivery held while its receiver was paused: it reached the receiver's socket then, so no cut drops it later. */
const HELD_DELIVER = 3;

class SimEvent<M> {
  cancelled = false;
  constructor(
    public t: number,
    public seq: number,
    public type: number,
    public target: NodeSlot<M> | null,
    public from: NodeSlot<M> | null,
    public msg: M | undefined,
    public messageId: number,
    public incarnation: number,
    public tag: TimerTag,
    public action: (() => void) | null,
  ) {}
}

/**
 * Recycles delivery events: nothing outside the queue holds one, so after dispatch it can carry
 * the next message. Reuse keeps events in old space and spares the GC most of the churn.
 */
class DeliveryPool<M> {
  private readonly free: SimEvent<M>[] = [];

  take(t: number, seq: number, to: NodeSlot<M>, from: NodeSlot<M>, msg: M, messageId: number): SimEvent<M> {
    const ev = this.free.pop();
    if (ev === undefined) return new SimEvent<M>(t, seq, DELIVER, to, from, msg, messageId, to.incarnation, '', null);
    ev.t = t;
    ev.seq = seq;
    ev.target = to;
    ev.from = from;
    ev.msg = msg;
    ev.messageId = messageId;
    ev.incarnation = to.incarnation;
    return ev;
  }

  release(ev: SimEvent<M>): void {
    ev.msg = undefined;
    ev.type = DELIVER;
    if (this.free.length < 65536) this.free.push(ev);
  }
}

class NodeSlot<M> {
  node: Node<M> | null = null;
  env: SimEnv<M> | null = null;
  incarnation = 0;
  clockOffsetUs = 0;
  /** SIGSTOP: the process is frozen; the deliveries and timers that come due meanwhile wait in `held`. */
  paused = false;
  held: SimEvent<M>[] = [];
  /** A graceful stop asked of the node while it was paused: it handles it once it resumes. */
  stopWhenResumed = false;
  readonly timers = new Map<TimerTag, SimEvent<M>>();
  readonly quoted: QuotedNode;
  /** Who the node's messages come from, as the transport authenticates it; absent without security. */
  session: Session | undefined = undefined;

  constructor(
    readonly index: number,
    readonly id: NodeId,
    readonly factory: NodeFactory<M>,
    readonly storage: SimStorage,
    readonly rng: Rng,
  ) {
    this.quoted = quoteNode(id);
  }
}

/** The Env of one incarnation of a node; inert once that incarnation has crashed. */
class SimEnv<M> implements Env<M> {
  constructor(
    private readonly sim: Simulation<M>,
    private readonly slot: NodeSlot<M>,
    private readonly incarnation: number,
  ) {}

  get self(): NodeId {
    return this.slot.id;
  }

  get storage(): SimStorage {
    return this.slot.storage;
  }

  get alive(): boolean {
    return this.slot.incarnation === this.incarnation && this.slot.node !== null;
  }

  now(): number {
    return (this.sim.nowUs + this.slot.clockOffsetUs) / 1000;
  }

  random(): number {
    return this.slot.rng.float();
  }

  buggify(site: BuggifySite): boolean {
    return this.alive && this.sim.buggify(this.slot, site);
  }

  send(to: NodeId, msg: M): void {
    if (this.alive) this.sim.send(this.slot, to, msg);
  }

  setTimer(delayMs: number, tag: TimerTag): void {
    if (this.alive) this.sim.setTimer(this.slot, delayMs, tag);
  }

  cancelTimer(tag: TimerTag): void {
    if (this.alive) this.sim.cancelTimer(this.slot, tag);
  }

  trace(event: NodeEvent): void {
    if (this.alive) this.sim.traceNode(this.slot, event);
  }

  exit(): void {
    if (this.alive) this.sim.exitAfterEvent(this.slot, this.incarnation);
  }
}

/** A node threw something other than a storage error: a bug in the core, reported with context. */
export class NodeFailure extends Error {
  constructor(
    readonly node: NodeId,
    readonly step: number,
    readonly simMs: number,
    override readonly cause: unknown,
  ) {
    super(`node ${node} failed at step ${step} (t=${simMs}ms): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NodeFailure';
  }
}

export class Simulation<M> {
  /** The virtual clock in microseconds. */
  nowUs = 0;
  /** Kernel events processed so far (deliveries, timer firings, actions). */
  events = 0;

  readonly stats = new SimStats();
  readonly streams: RandomStreams;
  readonly network: Network;
  private readonly queue = new EventQueue<SimEvent<M>>();
  private readonly deliveries = new DeliveryPool<M>();
  private readonly slots: NodeSlot<M>[] = [];
  private readonly byId = new Map<NodeId, NodeSlot<M>>();
  private readonly writer: TraceWriter;
  private readonly describe: (msg: M) => unknown;
  private readonly freezeMessages: boolean;
  private readonly transit: ((from: NodeId, to: NodeId, msg: M) => M) | null;
  private readonly buggifyOn: boolean;
  /** BUGGIFY: whether each site reached so far is active in this run. */
  private readonly buggifyActive = new Map<BuggifySite, boolean>();
  /** BUGGIFY: how often each site fired. */
  readonly buggifyFired = new Map<BuggifySite, number>();
  private readonly disk: DiskFaults;
  private readonly fate = new Fate();
  private readonly stepListeners: Array<(sim: Simulation<M>) => void> = [];
  private readonly observers: TraceObserver[] = [];
  private seq = 0;
  /** Sequence numbers for held events put back on resume: below every other, so they run first, in the order they came due. */
  private heldSeq = -Number.MAX_SAFE_INTEGER;
  private messageIds = 0;
  private cancelledPending = 0;
  private stopped = false;
  private finished = false;

  constructor(readonly options: SimulationOptions<M>) {
    this.streams = new RandomStreams(options.seed);
    this.network = new Network(this.streams, options.network);
    this.disk = { ...NO_DISK_FAULTS, ...options.disk };
    this.writer = new TraceWriter(options.trace ?? null);
    this.describe = options.describe ?? ((msg) => msg);
    this.freezeMessages = options.freezeMessages ?? freezeMessagesByDefault();
    this.transit = options.transit?.(this) ?? null;
    this.buggifyOn = options.buggify === true;
    const header = options.header ?? { scenario: 'ad-hoc', config: {} };
    this.writer.header({ samsa: 1, scenario: header.scenario, seed: options.seed, config: header.config });
  }

  /** Trace steps so far: one per trace line after the header. */
  get step(): number {
    return this.writer.step;
  }

  /** The virtual clock in milliseconds. */
  get now(): number {
    return this.nowUs / 1000;
  }

  get nodeIds(): NodeId[] {
    return this.slots.map((s) => s.id);
  }

  // ---- nodes -------------------------------------------------------------------------------

  /**
   * Registers a node (not yet started). Its storage, PRNG and links exist from now on. With a
   * `principal`, every message it sends to another node arrives with its session (that principal,
   * from host `id`); without one (no security), messages carry no session.
   */
  addNode(id: NodeId, factory: NodeFactory<M>, principal?: string): void {
    if (this.byId.has(id)) throw new Error(`node ${id} is already in the simulation`);
    const index = this.slots.length;
    const diskRng = this.streams.stream(`disk:${id}`);
    const storage = new SimStorage(diskRng, this.disk, (fault) => {
      this.stats.diskFaults++;
      this.recordNode(id, { kind: 'disk', ...fault });
    });
    const slot = new NodeSlot<M>(index, id, factory, storage, this.streams.stream(`node:${id}`));
    if (principal !== undefined) slot.session = { principal, host: id };
    this.slots.push(slot);
    this.byId.set(id, slot);
    this.network.addNode(index, id);
  }

  isUp(id: NodeId): boolean {
    return this.slot(id).node !== null;
  }

  /** The live node object, for checkers and tests; null while crashed. */
  nodeObject(id: NodeId): Node<M> | null {
    return this.slot(id).node;
  }

  storageOf(id: NodeId): SimStorage {
    return this.slot(id).storage;
  }

  /** Boots a registered node that is not running. */
  start(id: NodeId): void {
    this.boot(this.slot(id), 'start', false);
  }

  /**
   * Crashes a node's machine (a power loss): the object is discarded, its timers die, and the
   * unsynced bytes of its disk are lost (torn, with torn writes on).
   */
  crash(id: NodeId, reason = 'fault'): void {
    const slot = this.slot(id);
    if (slot.node === null) return;
    this.killSlot(slot, reason, true);
  }

  /**
   * Kills a node's process (kill -9) while its machine stays up: the object and its timers are
   * gone, but what it wrote survives in the OS page cache, still unsynced (a later power loss of
   * the machine can lose it). Kafka's default durability (no fsync) rests on exactly this.
   */
  kill(id: NodeId): void {
    const slot = this.slot(id);
    if (slot.node === null) return;
    this.killSlot(slot, 'kill', false);
  }

  /**
   * Asks a node to stop gracefully (SIGTERM): a node with a `shutdown` hands its work over and
   * exits on its own (`env.exit`); one without is stopped at once. Either way its files are
   * flushed, as a clean shutdown does.
   */
  shutdown(id: NodeId): void {
    const slot = this.slot(id);
    if (slot.node === null) return;
    if (slot.paused) {
      // SIGTERM to a stopped process waits for its SIGCONT.
      slot.stopWhenResumed = true;
      return;
    }
    this.recordNode(id, { kind: 'stop', graceful: true });
    const node = slot.node;
    if (node.shutdown === undefined) return this.exitAfterEvent(slot, slot.incarnation);
    try {
      node.shutdown(slot.env!);
    } catch (err) {
      this.nodeThrew(slot, err);
    }
  }

  /** Ends a node's incarnation once the current event is done: its files flushed, then the process gone. */
  exitAfterEvent(slot: NodeSlot<M>, incarnation: number): void {
    this.after(0, () => {
      if (slot.incarnation !== incarnation || slot.node === null) return;
      slot.storage.flushAll();
      this.killSlot(slot, 'shutdown', false);
    });
  }

  /** Boots a crashed node over its surviving storage, or over an empty disk with `wipe`. */
  restart(id: NodeId, options: { wipe?: boolean } = {}): void {
    const slot = this.slot(id);
    if (slot.node !== null) this.killSlot(slot, 'restart', false);
    if (options.wipe) slot.storage.wipe();
    this.boot(slot, 'restart', options.wipe === true);
  }

  /**
   * Freezes a node's process (SIGSTOP): it handles nothing, fires no timer and sends nothing until
   * `resume`. Messages reaching it meanwhile wait, in arrival order (a link cut after they arrived
   * does not drop them); its clock runs on, so timers that came due fire at once on resume.
   */
  pause(id: NodeId): void {
    const slot = this.slot(id);
    if (slot.node === null || slot.paused) return;
    slot.paused = true;
    this.recordNode(id, { kind: 'pause', signal: 'SIGSTOP' });
  }

  /** Thaws a paused node (SIGCONT): what it held runs first, in the order it came due; a stop asked meanwhile follows. */
  resume(id: NodeId): void {
    const slot = this.slot(id);
    if (!slot.paused) return;
    slot.paused = false;
    const held = slot.held;
    slot.held = [];
    this.recordNode(id, { kind: 'resume', signal: 'SIGCONT', held: held.length });
    for (const ev of held) {
      ev.t = this.nowUs;
      ev.seq = this.heldSeq++;
      this.queue.push(ev);
    }
    if (slot.stopWhenResumed) {
      slot.stopWhenResumed = false;
      this.shutdown(id);
    }
  }

  isPaused(id: NodeId): boolean {
    return this.slot(id).paused;
  }

  /** Skews a node's clock: its env.now() reads simulated time plus `offsetMs`. */
  setClockSkew(id: NodeId, offsetMs: number): void {
    const slot = this.slot(id);
    slot.clockOffsetUs = Math.round(offsetMs * 1000);
    this.recordNode(id, { kind: 'clock-skew', offsetMs });
  }

  // ---- network faults ----------------------------------------------------------------------

  /**
   * Cuts every link between the groups, both ways (`oneWay`: only from earlier to later groups).
   * Returns the directed links it cut (those already cut are left out), to heal them later.
   */
  partition(groups: NodeId[][], options: { oneWay?: boolean } = {}): Array<[NodeId, NodeId]> {
    const cut: Array<[NodeId, NodeId]> = [];
    groups.forEach((fromGroup, g) =>
      groups.forEach((toGroup, h) => {
        if (g === h || (options.oneWay && h < g)) return;
        for (const from of fromGroup) {
          for (const to of toGroup) {
            if (from !== to && this.network.cut(this.slot(from).index, this.slot(to).index)) cut.push([from, to]);
          }
        }
      }),
    );
    this.stats.partitions++;
    this.record({ kind: 'partition', groups, oneWay: options.oneWay === true, cut });
    return cut;
  }

  /** Restores the given directed links. */
  healLinks(links: ReadonlyArray<readonly [NodeId, NodeId]>): void {
    for (const [from, to] of links) this.network.heal(this.slot(from).index, this.slot(to).index);
    this.stats.heals++;
    this.record({ kind: 'heal', links: links.map(([from, to]): [NodeId, NodeId] => [from, to]) });
  }

  /** Restores every link. */
  healAll(): void {
    this.network.healAll();
    this.stats.heals++;
    this.record({ kind: 'heal', links: 'all' });
  }

  /** Overrides link settings both ways between two nodes (a slow link: `{ latency }`); null resets. */
  setLinkBetween(a: NodeId, b: NodeId, override: Partial<LinkConfig> | null): void {
    const i = this.slot(a).index;
    const j = this.slot(b).index;
    this.network.setLink(i, j, override);
    this.network.setLink(j, i, override);
    this.record({ kind: 'link', between: [a, b], config: override });
  }

  /** Changes the disk fault rates of every node (the disks share one setting). */
  configureDisk(faults: Partial<DiskFaults>): void {
    Object.assign(this.disk, faults);
    this.record({ kind: 'disk-faults', config: faults });
  }

  /** Drops every per-link override (slow links), back to the network defaults. */
  resetLinks(): void {
    this.network.clearOverrides();
    this.record({ kind: 'link', between: 'all', config: null });
  }

  /** Changes the network defaults (latency, loss, duplicate, reorder) for every link. */
  configureNetwork(config: Partial<LinkConfig>): void {
    this.network.configure(config);
    this.record({ kind: 'network', config });
  }

  // ---- scheduling and running --------------------------------------------------------------

  /** Runs `action` at simulated time `atMs` (scenario faults, workload steps). */
  at(atMs: number, action: () => void): void {
    const t = Math.max(this.nowUs, Math.round(atMs * 1000));
    this.queue.push(new SimEvent<M>(t, this.seq++, ACTION, null, null, undefined, 0, 0, '', action));
  }

  /** Runs `action` after `delayMs` of simulated time. */
  after(delayMs: number, action: () => void): void {
    this.at(this.now + delayMs, action);
  }

  /** Calls `listener` after every processed event (where the checkers hook in). */
  onStep(listener: (sim: Simulation<M>) => void): void {
    this.stepListeners.push(listener);
  }

  /**
   * Runs `action` on a live node with its env (a workload driving a client, a harness step), as
   * node code runs: a storage error halts the node, anything else is a NodeFailure. A down node
   * is skipped; returns whether the action ran.
   */
  act<N extends Node<M>>(id: NodeId, action: (node: N, env: Env<M>) => void): boolean {
    const slot = this.slot(id);
    if (slot.node === null || slot.paused) return false;
    try {
      action(slot.node as N, slot.env!);
    } catch (err) {
      this.nodeThrew(slot, err);
    }
    return true;
  }

  /** Makes `run` return after the current event. */
  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Number of events waiting, cancelled timers not yet swept included. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Processes every event due at or before `untilMs`, then sets the clock to `untilMs`; stops
   * early once `this.events` reaches `maxEvents` (the clock then stays at the last event).
   */
  run(untilMs: number, maxEvents = Infinity): void {
    const untilUs = Math.round(untilMs * 1000);
    const queue = this.queue;
    const listeners = this.stepListeners;
    while (!this.stopped) {
      const ev = queue.peek();
      if (ev === undefined || ev.t > untilUs) break;
      if (this.events >= maxEvents) return;
      queue.pop();
      if (ev.cancelled) {
        this.cancelledPending--;
        continue;
      }
      this.nowUs = ev.t;
      this.events++;
      this.dispatch(ev);
      for (let i = 0; i < listeners.length; i++) listeners[i]!(this);
    }
    if (!this.stopped && this.nowUs < untilUs && untilUs !== Infinity) this.nowUs = untilUs;
  }

  /** Closes the trace with a summary line; returns the run's figures and hash. */
  finish(summary: Omit<TraceSummary, 'kind' | 'steps' | 'simMs' | 'events' | 'traceHash'> = {}): RunSummary {
    if (this.finished) throw new Error('simulation already finished');
    this.finished = true;
    const figures = { steps: this.step, simMs: this.now, events: this.events };
    const traceHash = this.writer.close({ kind: 'summary', ...figures, ...summary });
    return { traceHash, ...figures };
  }

  // ---- trace -------------------------------------------------------------------------------

  /** Whether trace lines are being written (callers can skip building costly descriptions). */
  get tracing(): boolean {
    return this.writer.tracing;
  }

  /** Records a line about the whole run (a violation, the run's convergence) in the trace. */
  record(event: RunEvent): void {
    const step = this.writer.step;
    this.writer.runEvent(this.nowUs, event);
    if (this.observers.length > 0) this.notify(step, null, event);
  }

  /** Records a runtime line about one node (start, crash, clock skew, a disk fault). */
  private recordNode(id: NodeId, event: RecordedNodeEvent): void {
    const step = this.writer.step;
    this.writer.nodeEvent(this.nowUs, this.slot(id).quoted, event);
    if (this.observers.length > 0) this.notify(step, id, event);
  }

  traceNode(slot: NodeSlot<M>, event: NodeEvent): void {
    const step = this.writer.step;
    this.writer.nodeEvent(this.nowUs, slot.quoted, event);
    if (this.observers.length > 0) this.notify(step, slot.id, event);
  }

  /**
   * Calls `observer` with every node trace event and harness record, as objects, with the step
   * they were written at (also when no trace is written): the checkers' input.
   */
  observe(observer: TraceObserver): void {
    this.observers.push(observer);
  }

  private notify(step: number, node: NodeId | null, event: ObservedEvent): void {
    for (const observer of this.observers) observer(step, node, event);
  }

  // ---- internals used by SimEnv ------------------------------------------------------------

  /**
   * BUGGIFY at `site` for a node: a site is active or not for the whole run (drawn from its own stream when first
   * reached, so the order sites are reached in does not matter), and an active site fires at a quarter of its visits
   * (the node's own BUGGIFY stream). Off, it draws nothing.
   */
  buggify(slot: NodeSlot<M>, site: BuggifySite): boolean {
    if (!this.buggifyOn) return false;
    let active = this.buggifyActive.get(site);
    if (active === undefined) {
      active = this.streams.stream(`buggify-site:${site}`).chance(BUGGIFY_ACTIVE);
      this.buggifyActive.set(site, active);
    }
    if (!active || !this.streams.stream(`buggify:${slot.id}`).chance(BUGGIFY_FIRES)) return false;
    this.buggifyFired.set(site, (this.buggifyFired.get(site) ?? 0) + 1);
    return true;
  }

  send(from: NodeSlot<M>, toId: NodeId, msg: M): void {
    const to = this.byId.get(toId);
    if (to === undefined) throw new Error(`${from.id} sent to unknown node ${toId}`);
    if (this.transit !== null) msg = this.transit(from.id, toId, msg);
    const fate = this.fate;
    this.network.decide(from.index, to.index, this.nowUs, to.node !== null, fate);
    const messageId = this.messageIds++;
    const stats = this.stats;
    stats.messagesSent++;
    if (this.freezeMessages) deepFreeze(msg);
    if (fate.dropped === null) {
      this.queue.push(this.deliveries.take(fate.atUs, this.seq++, to, from, msg, messageId));
      if (fate.dupAtUs >= 0) {
        this.queue.push(this.deliveries.take(fate.dupAtUs, this.seq++, to, from, msg, messageId));
        stats.duplicated++;
      }
      if (fate.reordered) stats.reordered++;
    } else {
      stats.dropped[fate.dropped]++;
    }
    this.writer.send(this.nowUs, from.quoted, to.quoted, messageId, msg, this.describe, fate);
  }

  setTimer(slot: NodeSlot<M>, delayMs: number, tag: TimerTag): void {
    const previous = slot.timers.get(tag);
    if (previous !== undefined) {
      previous.cancelled = true;
      this.noteCancelled();
    }
    const t = this.nowUs + Math.max(0, Math.round(delayMs * 1000));
    const ev = new SimEvent<M>(t, this.seq++, TIMER, slot, null, undefined, 0, slot.incarnation, tag, null);
    slot.timers.set(tag, ev);
    this.queue.push(ev);
  }

  cancelTimer(slot: NodeSlot<M>, tag: TimerTag): void {
    const ev = slot.timers.get(tag);
    if (ev === undefined) return;
    ev.cancelled = true;
    slot.timers.delete(tag);
    this.noteCancelled();
  }

  private dispatch(ev: SimEvent<M>): void {
    if (ev.type === ACTION) {
      ev.action!();
      return;
    }
    const slot = ev.target!;
    if (slot.paused) return this.hold(slot, ev);
    if (ev.type === TIMER) {
      slot.timers.delete(ev.tag);
      this.stats.timersFired++;
      this.writer.timer(this.nowUs, slot.quoted, ev.tag);
      try {
        slot.node!.fire(slot.env!, ev.tag);
      } catch (err) {
        this.nodeThrew(slot, err);
      }
      return;
    }
    if (this.arrives(slot, ev)) this.deliver(slot, ev.from!, ev.msg as M);
    this.deliveries.release(ev);
  }

  /** Whether a message reaches its receiver's socket (one in flight when its receiver died or its link was cut does not). */
  private arrives(slot: NodeSlot<M>, ev: SimEvent<M>): boolean {
    const from = ev.from!;
    if (slot.node === null || slot.incarnation !== ev.incarnation) {
      const reason = slot.node === null ? 'down' : 'restarted';
      this.stats.dropped[reason]++;
      this.writer.drop(this.nowUs, slot.quoted, from.quoted, ev.messageId, reason);
      return false;
    }
    if (ev.type !== HELD_DELIVER && this.network.isCut(from.index, slot.index)) {
      this.stats.dropped.partition++;
      this.writer.drop(this.nowUs, slot.quoted, from.quoted, ev.messageId, 'partition');
      return false;
    }
    return true;
  }

  /** A paused node's delivery or timer came due: it waits for the resume (a message that does not arrive is dropped now). */
  private hold(slot: NodeSlot<M>, ev: SimEvent<M>): void {
    if (ev.type === TIMER) {
      slot.held.push(ev);
      return;
    }
    if (!this.arrives(slot, ev)) return this.deliveries.release(ev);
    ev.type = HELD_DELIVER;
    slot.held.push(ev);
  }

  private deliver(slot: NodeSlot<M>, from: NodeSlot<M>, msg: M): void {
    this.stats.messagesDelivered++;
    try {
      // A node's message to itself is its own: no session, never authorized.
      slot.node!.receive(slot.env!, from.id, msg, from === slot ? undefined : from.session);
    } catch (err) {
      this.nodeThrew(slot, err);
    }
  }

  /** A storage error the node does not handle halts it, as Kafka halts on a failed log dir; anything else is a bug. */
  private nodeThrew(slot: NodeSlot<M>, err: unknown): void {
    if (err instanceof StorageError) {
      if (slot.node !== null) this.killSlot(slot, `storage error: ${err.message}`, true);
      return;
    }
    if (err instanceof NodeFailure) throw err;
    throw new NodeFailure(slot.id, this.step, this.now, err);
  }

  private boot(slot: NodeSlot<M>, kind: 'start' | 'restart', wiped: boolean): void {
    if (slot.node !== null) throw new Error(`node ${slot.id} is already running`);
    slot.incarnation++;
    this.stats.starts++;
    const node = slot.factory(slot.id);
    slot.node = node;
    slot.env = new SimEnv(this, slot, slot.incarnation);
    this.recordNode(slot.id, wiped ? { kind, incarnation: slot.incarnation, wiped: true } : { kind, incarnation: slot.incarnation });
    try {
      node.start(slot.env);
    } catch (err) {
      this.nodeThrew(slot, err);
    }
  }

  private killSlot(slot: NodeSlot<M>, reason: string, loseUnsynced: boolean): void {
    this.stats.crashes++;
    if (slot.paused) this.dropHeld(slot);
    slot.node = null;
    slot.env = null;
    for (const ev of slot.timers.values()) {
      ev.cancelled = true;
      this.cancelledPending++;
    }
    slot.timers.clear();
    const disk = loseUnsynced ? slot.storage.crash() : [];
    this.recordNode(slot.id, { kind: 'crash', reason, disk });
    this.sweepIfMostlyCancelled();
  }

  /** A paused process dies: the messages waiting in its sockets are lost, its held timers die with it. */
  private dropHeld(slot: NodeSlot<M>): void {
    slot.paused = false;
    slot.stopWhenResumed = false;
    for (const ev of slot.held) {
      if (ev.type === TIMER) {
        // Not in the queue any more: forget it here, or the kill would count it as a cancelled entry there.
        if (slot.timers.get(ev.tag) === ev) slot.timers.delete(ev.tag);
        continue;
      }
      this.stats.dropped.down++;
      this.writer.drop(this.nowUs, slot.quoted, ev.from!.quoted, ev.messageId, 'down');
      this.deliveries.release(ev);
    }
    slot.held = [];
  }

  private noteCancelled(): void {
    this.cancelledPending++;
    this.sweepIfMostlyCancelled();
  }

  /** Re-arming timers leaves cancelled entries behind; sweep them once they are half the queue. */
  private sweepIfMostlyCancelled(): void {
    if (this.cancelledPending > 4096 && this.cancelledPending * 2 > this.queue.size) {
      this.queue.retain((ev) => !ev.cancelled);
      this.cancelledPending = 0;
    }
  }

  private slot(id: NodeId): NodeSlot<M> {
    const slot = this.byId.get(id);
    if (slot === undefined) throw new Error(`no node ${id} in the simulation (nodes: ${this.nodeIds.join(', ')})`);
    return slot;
  }
}

// The one typed schema of a Samsa trace (JSON Lines): the header, every event line (the nodes'
// protocol events, and the runtime's own lines: messages, timers, lifecycle, faults, verdicts),
// and the summary. Nodes record their events through `env.trace`; the runtime adds the time, the
// step and the node. The simulator, the real runtime, the checkers and the visualizer all read
// and write these types. This module imports nothing else of Samsa's, so anything may use it.

/** A node's name: `b1`, `c2`, `p1`. Unique within a cluster. */
export type NodeId = string;

// ---- the nodes' protocol events -------------------------------------------------------------

/** A quorum replica's role (KIP-595). */
/** KRaft's states; `prospective` is KIP-996's pre-vote state (kept in memory only, the epoch unchanged). */
export type RaftRole = 'unattached' | 'voted' | 'prospective' | 'candidate' | 'leader' | 'follower' | 'resigned';

/**
 * A partition batch as traces show it: [baseOffset, lastOffset, leaderEpoch, content hash], and its
 * attributes when they are not 0 (a codec in bits 0-2, LogAppendTime in bit 3: what the leader made of it),
 * and for a transactional batch (bit 4; markers also have the control bit 5) its producer id.
 */
export type BatchSummary = [number, number, number, number] | [number, number, number, number, number] | [number, number, number, number, number, number];

/** An idempotent producer's entry in a replica's producer state: [producerId, producerEpoch, kept batches as [firstSeq, lastSeq, baseOffset, lastOffset]]. */
export type ProducerEntrySummary = [number, number, Array<[number, number, number, number]>];

/**
 * An idempotent producer's batch as a replica's log holds it: [baseOffset, lastOffset, producerId,
 * producerEpoch, baseSequence]; a transaction marker (KIP-98) has 'marker' after them.
 */
export type ProducerBatchSummary = [number, number, number, number, number] | [number, number, number, number, number, 'marker'];

/** Why a replica's log start offset moved. */
export type LogStartCause = 'retention' | 'delete-records' | 'leader' | 'truncate';

/** A client operation's history type (Jepsen): invoke, then ok (it happened), fail (it did not) or info (unknown). */
export type ClientOpType = 'invoke' | 'ok' | 'fail' | 'info';

/** Every node-level event kind, with the fields it carries. */
export interface NodeEvents {
  /** Free-form remark from a node; for tests and demos, not for protocol state. */
  note: { text: string };

  // The metadata quorum (core/raft). Offsets are log offsets of __cluster_metadata-0.
  /** The replica's in-memory election state changed. */
  'raft-state': { epoch: number; role: RaftRole; leader: NodeId | null; votedFor: NodeId | null; voter: boolean };
  /** The election state is now durable. */
  'raft-persist': { epoch: number; votedFor: NodeId | null; leader: NodeId | null };
  /** The election state read from storage at start. */
  'raft-load': { epoch: number; votedFor: NodeId | null; leader: NodeId | null };
  /**
   * The log recovered from storage at start: what survived the last crash. `entries` are the
   * entries held ([epoch, content hash] from startOffset on); a crash can bring back entries whose
   * truncation was not yet durable, so the recovered log is not always a prefix of the last one.
   */
  'raft-recover': { startOffset: number; endOffset: number; snapshotEpoch: number | null; tornBytes: number; entries: Array<[number, number]> };
  /** Entries appended from `offset` on: [epoch, content hash] each. */
  'raft-append': { offset: number; entries: Array<[number, number]> };
  /** The log was truncated; `endOffset` is its new end. */
  'raft-truncate': { endOffset: number; highWatermark: number | null };
  /** The replica's high watermark advanced. */
  'raft-hw': { highWatermark: number; epoch: number; role: RaftRole };
  /** A snapshot now covers the log below `endOffset`; `fetched` when it came from the leader. */
  'raft-snapshot': { endOffset: number; epoch: number; fetched: boolean };

  // Cluster metadata (core/controller): what each node's metadata image took in.
  /**
   * The node's metadata image now reflects the metadata log below `endOffset`. `digest` is the
   * image's (`MetadataImage.digest`), given when it differs from the node's previous report in
   * this incarnation, always on its first and after loading a snapshot; absent, the image is the
   * same as at the node's previous `metadata-apply`.
   */
  'metadata-apply': { endOffset: number; digest?: string };
  /** A partition's state in the node's image after a committed record. */
  'partition-change': { topic: string; partition: number; leader: NodeId | null; isr: NodeId[]; leaderEpoch: number; partitionEpoch: number };
  /** The node's controller became active (it leads the quorum and has caught up) or stopped. */
  'controller-active': { active: boolean; epoch: number };
  /** The broker's registration state changed (epoch from the controller, fenced or not). */
  'broker-state': { brokerEpoch: number; fenced: boolean };

  // Partition replicas (core/broker).
  /** The replica appended batches (as leader or follower). */
  'partition-append': { topic: string; partition: number; batches: BatchSummary[] };
  /** The replica's log was truncated; `endOffset` is its new log end offset. */
  'partition-truncate': { topic: string; partition: number; endOffset: number };
  /**
   * The replica's log as recovered from storage at start (batches held). `logStartOffset` is given
   * when the log starts past offset 0 (from its checkpoint, or with its first batch), and may fall
   * inside the first batch.
   */
  'partition-recover': { topic: string; partition: number; batches: BatchSummary[]; tornBytes: number; highWatermark: number; logStartOffset?: number };
  /** The replica's high watermark changed. `exposed`: a leader whose high watermark has reached its epoch's start offset. */
  'partition-hw': { topic: string; partition: number; highWatermark: number; role: 'leader' | 'follower'; leaderEpoch: number; exposed: boolean };
  /** The replica took a role from the metadata (leader, follower, or none once not a replica). */
  'partition-role': { topic: string; partition: number; role: 'leader' | 'follower' | 'none'; leader: NodeId | null; leaderEpoch: number };
  /**
   * The replica's log start offset moved: the records below it are gone on purpose. `retention`:
   * segments past retention.ms or retention.bytes were deleted; `delete-records`: a DeleteRecords
   * request (leaders only); `leader`: a follower took its leader's log start, or started its log
   * again at it (when its own log ended below it, the new start is past its old log end);
   * `truncate`: a truncation below the log start started the log again lower.
   */
  'partition-log-start': { topic: string; partition: number; logStartOffset: number; cause: LogStartCause };
  /**
   * The log cleaner replaced the replica's offsets from `baseOffset` up to (not including)
   * `endOffset` with `batches` (what it kept of them, at the same offsets; possibly none): on a
   * compacted topic, records a later write of their key superseded, and tombstones past their
   * delete horizon, are gone.
   */
  'partition-clean': { topic: string; partition: number; baseOffset: number; endOffset: number; batches: BatchSummary[] };
  /** A leader's ISR view changed: the committed ISR and a pending AlterPartition's, if any. */
  'partition-isr': { topic: string; partition: number; isr: NodeId[]; pendingIsr: NodeId[] | null; partitionEpoch: number };
  /**
   * A replica's idempotent producer state (KIP-98) once it recovered its log, became leader or
   * truncated its log, beside what its log holds for a rebuild: each producer's last five batches,
   * in offset order. Not written when both are empty.
   */
  'producer-state': {
    topic: string;
    partition: number;
    cause: 'recover' | 'leader' | 'truncate';
    producers: ProducerEntrySummary[];
    log: ProducerBatchSummary[];
  };

  // Group coordinators (core/group).
  /** A group's state, generation, chosen protocol, leader and members at its coordinator changed. */
  'group-state': { group: string; state: string; generation: number; protocol: string | null; leader: string | null; members: string[] };
  /** Offsets a coordinator committed for a group (written to __consumer_offsets), with the commit's generation and member (-1 and "" for a simple commit). */
  'group-commit': { group: string; generation: number; member: string; offsets: Array<[string, number, number]> };
  /** A coordinator loaded a __consumer_offsets partition it now leads: the groups and committed offsets it found. */
  'group-load': { partition: number; leaderEpoch: number; groups: string[]; offsets: number };

  // Transactions (core/txn, core/broker).
  /**
   * A transaction coordinator's state for a transactional id after it wrote (or loaded) it to
   * __transaction_state: the state's name (Empty, Ongoing, PrepareCommit, ...), the producer id and
   * epoch, the partitions in the transaction as `topic/partition`, and the coordinator epoch (the
   * leader epoch of its __transaction_state partition).
   */
  'txn-state': { transactionalId: string; state: string; producerId: number; producerEpoch: number; partitions: string[]; coordinatorEpoch: number };
  /** A leader's last stable offset changed (the first offset of its earliest open transaction, capped at the high watermark). */
  'partition-lso': { topic: string; partition: number; lastStableOffset: number; leaderEpoch: number };

  // Clients (core/client): a Jepsen-style history, one entry per invocation and one per outcome
  // (models/history/types.ts gives the values of send, poll, assign and seek).
  client: { op: string; type: ClientOpType; id: number; value?: unknown; error?: string };
}

export type NodeEventKind = keyof NodeEvents;

/** One event a node records, with its kind. */
export type NodeEvent = { [K in NodeEventKind]: { kind: K } & NodeEvents[K] }[NodeEventKind];

// ---- the runtime's own lines ----------------------------------------------------------------

/** One-way message latency (ms): constant, uniform, or exponential with a mean (shifted by min, capped by max). */
export type Latency = { constant: number } | { min: number; max: number } | { mean: number; min?: number; max?: number };

/** The settings of a network link. */
export interface LinkSettings {
  latency: Latency;
  /** Probability that a message is lost. */
  loss: number;
  /** Probability that a message is delivered twice. */
  duplicate: number;
  /** Probability that a message ignores the link's FIFO order. */
  reorder: number;
}

/** The disk fault rates of a run. */
export interface DiskFaultRates {
  /** Probability that a crash persists a random prefix of a file's unsynced bytes. */
  tornWrites: number;
  /** Probability that an fsync (or an atomic replace) fails with an IO error. */
  fsyncFailure: number;
  /** Probability that a read fails with an IO error. */
  readError: number;
  /** Probability that a crash leaves random bytes past a file's synced content, up to its unsynced size (the size reached the disk, the data did not). */
  garbageTail?: number;
}

/** What a power loss did to one file. */
export interface FileCrashOutcome {
  file: string;
  /** Size before the crash, unsynced changes included. */
  size: number;
  /** Size of the durable content at the last fsync. */
  synced: number;
  /** Size after the crash. */
  kept: number;
  /** True when part of the unsynced bytes survived (a torn write). */
  torn: boolean;
}

/** Why a message was dropped when it was sent (a cut link, loss, or a receiver that is down). */
export type SendDropReason = 'partition' | 'loss' | 'down';

/** Why a message in flight was dropped when it arrived. */
export type ArrivalDropReason = 'down' | 'restarted' | 'partition';

/** A checker's verdict class. */
export type ViolationClass = 'safety' | 'liveness';

/** Lines the runtime writes about one node. */
export interface NodeRuntimeEvents {
  /**
   * A message sent, with its fate: `at` (arrival time), `dup` (a duplicate's arrival), `reorder`,
   * or `drop` at send. `m` identifies the message; `msg` is the message as traces show it.
   */
  send: { to: NodeId; m: number; msg: unknown; at?: number; dup?: number; reorder?: true; drop?: SendDropReason };
  /** A message in flight lost at arrival (its receiver crashed or restarted, or the link was cut). */
  drop: { from: NodeId; m: number; reason: ArrivalDropReason };
  /** A timer of the node fired. */
  timer: { tag: string };
  /** The node booted (`wiped`: over an empty disk). */
  start: { incarnation: number; wiped?: true };
  restart: { incarnation: number; wiped?: true };
  /** The node was asked to stop gracefully (a scenario's `stop`); a `crash` with reason `shutdown` follows when it exits. */
  stop: { graceful: true };
  /** The node's process died (`reason` kill, restart, fault, shutdown, a storage error); `disk`: what a power loss did to its files. */
  crash: { reason: string; disk: FileCrashOutcome[] };
  /** The node's process was frozen (SIGSTOP, a scenario's `pause`): it handles nothing, fires no timer and sends nothing until `resume`. */
  pause: { signal: 'SIGSTOP' };
  /** The node's process was thawed (SIGCONT); `held`: the deliveries and timers that came due meanwhile, run first. */
  resume: { signal: 'SIGCONT'; held: number };
  /** The node's clock now reads simulated time plus `offsetMs`. */
  'clock-skew': { offsetMs: number };
  /** The disk injected a fault. */
  disk:
    | { fault: 'torn-write'; file: string; synced: number; size: number; kept: number }
    | { fault: 'garbage-tail'; file: string; synced: number; size: number; kept: number }
    | { fault: 'fsync-failed'; file: string }
    | { fault: 'read-failed'; file: string; offset: number; length: number };
}

/** Lines the runtime writes about the whole run. */
export interface RunEvents {
  /** Links cut between groups of nodes (`cut`: the directed links this cut, those already cut left out). */
  partition: { groups: NodeId[][]; oneWay: boolean; cut: Array<[NodeId, NodeId]> };
  /** Links restored. */
  heal: { links: Array<[NodeId, NodeId]> | 'all' };
  /** A link's settings overridden both ways (null: back to the defaults), or every override dropped; real runs also cap a link's bandwidth (null: the cap lifted). */
  link: { between: [NodeId, NodeId] | 'all'; config: Partial<LinkSettings> | null; bytesPerSecond?: number | null };
  /** The network defaults changed. */
  network: { config: Partial<LinkSettings> };
  /** The disk fault rates changed. */
  'disk-faults': { config: Partial<DiskFaultRates> };
  /** A checker found a violation; `atStep` is the step of the event that exposed it. */
  violation: { name: string; class: ViolationClass; atStep: number; message: string; nodes: NodeId[]; values: Record<string, unknown> };
  /** The healed cluster converged this long after every fault healed. */
  converged: { afterMs: number };
}

export type NodeRuntimeKind = keyof NodeRuntimeEvents;
export type RunEventKind = keyof RunEvents;

export type NodeRuntimeEvent = { [K in NodeRuntimeKind]: { kind: K } & NodeRuntimeEvents[K] }[NodeRuntimeKind];
export type RunEvent = { [K in RunEventKind]: { kind: K } & RunEvents[K] }[RunEventKind];

/** The runtime's records that observers get as objects (messages and timers are only written). */
export type RecordedNodeEvent = Exclude<NodeRuntimeEvent, { kind: 'send' | 'drop' | 'timer' }>;

/** Every event an observer of a run gets: a node's protocol event or a runtime record, with its node. */
export type ObservedEvent = NodeEvent | RecordedNodeEvent | RunEvent;

/** Receives a run's events as objects, with the step each is written at (also when no trace is written). */
export type TraceObserver = (step: number, node: NodeId | null, event: ObservedEvent) => void;

// ---- lines ------------------------------------------------------------------------------------

/** The time (ms; simulated, or wall-clock in real runs) and the step of an event line. */
export interface LinePosition {
  t: number;
  i: number;
}

/** An event line about one node. */
export type NodeLine = LinePosition & { node: NodeId } & (NodeEvent | NodeRuntimeEvent);

/** An event line about the whole run (no `node`). */
export type RunLine = LinePosition & { node?: undefined } & RunEvent;

/** Any line between the header and the summary. */
export type EventLine = NodeLine | RunLine;

export type EventKind = EventLine['kind'];

/** Line 1: what ran, with which seed, and the setup a runner rebuilds it from. */
export interface TraceHeader {
  samsa: 1;
  scenario: string;
  seed: number;
  config: TraceSetup;
}

/** The recorded setup: `setup` names the runner that re-runs it (ad-hoc runs have none and cannot be replayed); the rest is that runner's input. */
export interface TraceSetup {
  setup?: string;
  [field: string]: unknown;
}

/** The last line: the run's figures, its verdicts (for scenario runs) and the SHA-256 of every line before it. */
export interface TraceSummary {
  kind: 'summary';
  steps: number;
  simMs: number;
  events: number;
  scenario?: string;
  seed?: number;
  violations?: Array<{ name: string; step: number }>;
  violationCounts?: Record<string, number>;
  expectationMet?: boolean;
  traceHash: string | null;
}

export type TraceLine = TraceHeader | EventLine | TraceSummary;

/** Every event kind a line may carry (a record, so that the compiler checks it lists them all). */
const KINDS: Record<EventKind, true> = {
  note: true,
  'raft-state': true,
  'raft-persist': true,
  'raft-load': true,
  'raft-recover': true,
  'raft-append': true,
  'raft-truncate': true,
  'raft-hw': true,
  'raft-snapshot': true,
  'metadata-apply': true,
  'partition-change': true,
  'controller-active': true,
  'broker-state': true,
  'partition-append': true,
  'partition-truncate': true,
  'partition-recover': true,
  'partition-hw': true,
  'partition-role': true,
  'partition-isr': true,
  'partition-log-start': true,
  'partition-clean': true,
  'producer-state': true,
  'group-state': true,
  'group-commit': true,
  'group-load': true,
  'txn-state': true,
  'partition-lso': true,
  client: true,
  send: true,
  drop: true,
  timer: true,
  start: true,
  restart: true,
  stop: true,
  crash: true,
  pause: true,
  resume: true,
  'clock-skew': true,
  disk: true,
  partition: true,
  heal: true,
  link: true,
  network: true,
  'disk-faults': true,
  violation: true,
  converged: true,
};

export const EVENT_KINDS: ReadonlySet<string> = new Set(Object.keys(KINDS));

/** The event of a line as a run's observers get it, or null for the lines they do not get (messages and timers). */
export function observedEvent(line: EventLine): ObservedEvent | null {
  return line.kind === 'send' || line.kind === 'drop' || line.kind === 'timer' ? null : line;
}

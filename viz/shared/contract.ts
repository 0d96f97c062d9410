// The visualizer's contract between its server (viz/server) and its browser client (viz/client):
// the columnar index of every step, the metadata, the derived state at a step, and the HTTP
// routes. Trace lines are the schema's (core/trace/schema.ts). Plain types and constants only;
// runs in node and the browser.

import type { ClientOpType, EventKind, EventLine, RaftRole, TraceHeader, TraceSummary, ViolationClass } from '../../core/trace/schema.ts';

/** The event line of kind K: one case of the schema's EventLine. */
export type EventLineOf<K extends EventKind> = Extract<EventLine, { kind: K }>;

/** A lane of the space-time diagram: a cluster node or a client. */
export interface Lane {
  id: string;
  kind: 'node' | 'client';
}

/** Lane index of events that belong to no lane (partitions, heals, network changes, violations). */
export const NO_LANE = 255;

// Bit flags of `TraceColumns.flags`.
/** send: a response (else a request). */
export const FLAG_RESPONSE = 1;
/** send: the network dropped it (its `end` is NaN). */
export const FLAG_DROPPED = 2;
/** send: the network delivered a duplicate too. */
export const FLAG_DUPLICATED = 4;
/** send: delivered out of order. */
export const FLAG_REORDERED = 8;
/** client: outcome ok (set on the invoke and on its completion). */
export const FLAG_OK = 16;
/** client: outcome fail. */
export const FLAG_FAIL = 32;
/** client: outcome info (unknown), or no completion before the trace ended. */
export const FLAG_INFO = 64;
/** client: this step is the invoke (else the completion). */
export const FLAG_INVOKE = 128;

/**
 * One entry per trace event line (a "row"; the header and summary lines are not rows), so that the
 * client can draw and search a million events without parsing JSON. Rows are ascending in step
 * but not dense: the kernel counts steps it does not trace (deliveries). Sent as one binary body
 * (see `encodeColumns` in viz/shared/columns.ts).
 */
export interface TraceColumns {
  count: number;
  /** The kernel step `i` of the row. */
  step: Int32Array;
  /** Simulated ms of the step. */
  t: Float64Array;
  /** Index into `TraceMeta.kinds`. */
  kind: Uint8Array;
  /** Lane index of `node`, or NO_LANE. */
  lane: Uint8Array;
  /** send: the receiver's lane; drop: the sender's lane; otherwise NO_LANE. */
  peer: Uint8Array;
  /** send: index into `TraceMeta.apis`; client: index into `TraceMeta.ops`; otherwise 0. */
  label: Uint8Array;
  /** FLAG_* bits. */
  flags: Uint8Array;
  /** send: delivery time (NaN when dropped); client invoke: completion time (NaN if none). */
  end: Float64Array;
  /** client invoke: the completion's row; client completion: the invoke's row; drop: the send's row; otherwise -1. */
  link: Int32Array;
}

/** A fault that lasts: drawn as a shaded band from start to end (end null: until the trace ends). */
export interface FaultSpan {
  kind: 'partition' | 'partition-oneway' | 'crash' | 'pause' | 'slow-link' | 'network' | 'clock-skew' | 'disk-faults';
  startRow: number;
  endRow: number | null;
  startStep: number;
  startT: number;
  endStep: number | null;
  endT: number | null;
  /** Lanes affected (for a partition: every node on either side of a cut link). */
  nodes: string[];
  /** A partition's groups, as the trace names them (see viz/shared/faults.ts); null for other faults. */
  sides: string[][] | null;
  /** A partition's cut links, as [from, to]; null for other faults. */
  links: Array<[string, string]> | null;
  /** One line for a tooltip: "b1 | b2,b3", "b2 crashed (kill)", "b1-b3 latency 100-1000 ms". */
  label: string;
}

/** A point fault or lifecycle mark: crash, restart, start, disk (torn write, lost disk), heal. */
export interface FaultMark {
  kind: EventKind;
  row: number;
  step: number;
  t: number;
  node: string | null;
  label: string;
}

/** A checker's violation as recorded in the trace (`kind: "violation"` lines). */
export interface ViolationEntry {
  /** The row and step of the violation line itself. */
  row: number;
  step: number;
  /** The row of the event that exposed it (the row whose step is `atStep`, else the row before the violation line). */
  atRow: number;
  /** The step of the event that exposed it: the moment to jump to. */
  atStep: number;
  /** The time of that event: where the diagram draws the violation. */
  atT: number;
  /** The time the violation was recorded (a checker that judges at the end records it then). */
  t: number;
  name: string;
  class: ViolationClass;
  /** The checker's message, with the trace's partitions named `orders/0`. */
  message: string;
  /** The topic partition its values name (`orders/0`), or null. */
  partition: string | null;
  nodes: string[];
  values: Record<string, unknown>;
}

/** What the client needs before it draws anything. */
export interface TraceMeta {
  id: string;
  name: string;
  header: TraceHeader;
  /** Null when the trace has no summary line (a run that was cut short). */
  summary: TraceSummary | null;
  /** Event rows (the length of every column). */
  rows: number;
  /** Kernel steps (from the summary, else the last row's step + 1). */
  steps: number;
  simMs: number;
  lanes: Lane[];
  kinds: EventKind[];
  apis: string[];
  ops: string[];
  faults: FaultSpan[];
  marks: FaultMark[];
  violations: ViolationEntry[];
  /** Topic partitions seen ("orders/0"), in order. */
  partitions: string[];
  /** The server keeps a derived-state checkpoint every this many rows. */
  checkpointEvery: number;
}

/** A replica of a partition on one node, as the node's own trace events describe it. */
export interface ReplicaState {
  node: string;
  role: 'leader' | 'follower' | 'none';
  leader: string | null;
  leaderEpoch: number;
  logStartOffset: number;
  /** Log end offset. */
  leo: number;
  highWatermark: number;
  /** The log as runs of one leader epoch: [startOffset, epoch], ascending; a run ends where the next starts (or at leo). */
  epochRuns: Array<[number, number]>;
  /** Leader only: its ISR view (committed ISR, pending AlterPartition ISR) and partition epoch. */
  isr: string[] | null;
  pendingIsr: string[] | null;
  partitionEpoch: number | null;
  /** Leader only: its high watermark reached its epoch's start offset. */
  exposed: boolean;
}

/** One partition: the controller-committed view (from partition-change) and each replica. */
export interface PartitionState {
  /** "topic/partition" (viz/shared/names.ts). */
  key: string;
  topic: string;
  partition: number;
  leader: string | null;
  isr: string[];
  leaderEpoch: number;
  partitionEpoch: number;
  replicas: Record<string, ReplicaState>;
}

/** One node's quorum, controller and broker state. */
export interface NodeState {
  id: string;
  up: boolean;
  /** Frozen (SIGSTOP) until a resume: up, but handling nothing. */
  paused: boolean;
  incarnation: number;
  raft: {
    epoch: number;
    role: RaftRole;
    leader: string | null;
    votedFor: string | null;
    voter: boolean;
    endOffset: number;
    highWatermark: number;
  } | null;
  metadataOffset: number;
  controllerActive: boolean;
  broker: { brokerEpoch: number; fenced: boolean } | null;
  clockSkewMs: number;
}

/** The state after applying every event up to and including row `row` (-1: none yet) at kernel step `step`. */
export interface DerivedState {
  row: number;
  step: number;
  t: number;
  nodes: Record<string, NodeState>;
  partitions: Record<string, PartitionState>;
  /** Directed links currently cut, as [from, to]. */
  cutLinks: Array<[string, string]>;
  /** Consumer groups by group id, as their coordinators and their consumers' histories describe them. */
  groups: Record<string, GroupState>;
}

/** A [topic, partition] pair, as group events and consumer histories write partitions. */
export type TopicPartitionPair = [topic: string, partition: number];

/** One consumer group: its coordinator's view, each consumer client's view, and its committed offsets. */
export interface GroupState {
  group: string;
  /** The broker that last recorded the group's state, a commit, or loaded it (null: only consumers have named the group). */
  coordinator: string | null;
  /** At the coordinator: Empty, PreparingRebalance, CompletingRebalance, Stable or Dead (null: not recorded yet). */
  state: string | null;
  generation: number;
  protocol: string | null;
  /** The leader's member id. */
  leader: string | null;
  /** Member ids at the coordinator. */
  members: string[];
  /** Each consumer client of the group, by client id (the client's node). */
  consumers: Record<string, GroupConsumer>;
  /** Committed offsets by "topic/partition". */
  offsets: Record<string, CommittedOffset>;
  /** The kernel step of the group's last change. */
  changedStep: number;
}

/** A consumer client in a group, as its own history describes it. */
export interface GroupConsumer {
  client: string;
  /** Its member id from its last assignment (null: none since it started). */
  memberId: string | null;
  /** The generation of its last assignment or revocation (-1: none, or lost). */
  generation: number;
  /** The partitions it owns, in order. */
  partitions: TopicPartitionPair[];
  /** The outcome of its last offset commit (type "invoke" while it is out), or null before any. */
  lastCommit: { type: ClientOpType; error: string | null; step: number } | null;
}

/** An offset the coordinator committed for one partition, with the generation and member that committed it. */
export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  /** -1 with member "" for a simple (groupless) commit. */
  generation: number;
  member: string;
  step: number;
}

/** What a step of a violation's story is (viz/shared/story.ts). */
export type StoryRole =
  /** Where the record at stake came in: its acknowledgement (or first sighting), or its commit. */
  | 'origin'
  /** A replica of the partition crashed, or restarted (ISR stories). */
  | 'crash'
  | 'restart'
  /** Where a replica named by an ISR violation last changed its log end before it. */
  | 'log'
  /** The controller changed the partition's leader (or left it without one). */
  | 'election'
  /** The controller changed the partition's ISR. */
  | 'isr'
  /** A replica truncated its log below the record. */
  | 'truncation'
  /** A replica restarted without the record on disk. */
  | 'recovery'
  /** A replica's log start moved past the record (retention, DeleteRecords). */
  | 'deletion'
  /** A replica wrote another record at the record's offset. */
  | 'overwrite'
  /** The event at which the checker saw the violation. */
  | 'exposed';

/** One link of a violation's causal chain: an event of the trace and what it did to the story. */
export interface StoryStep {
  row: number;
  step: number;
  t: number;
  /** The lane (node or client) of the event. */
  node: string;
  role: StoryRole;
  /** It removed the record from a replica, or made a leader of a replica without it. */
  cause: boolean;
  text: string;
}

/** A violation explained: the record or partition at stake and the causal chain that led to it, in trace order. */
export interface ViolationStory {
  /** The violation's index in TraceMeta.violations. */
  violation: number;
  /** One sentence: what was at stake and what removed it. */
  headline: string;
  partition: string;
  /** The offset of the record at stake (null for a story of the ISR alone). */
  offset: number | null;
  steps: StoryStep[];
}

/** One entry of the trace list. */
export interface TraceListing {
  id: string;
  name: string;
  /** As given on the command line, under failures/, or dropped onto the page. */
  source: 'given' | 'failures' | 'uploaded';
  /** The path shown to the user (relative to the server's working directory when inside it). */
  path: string;
  bytes: number;
}

/** The most rows one /events request returns. */
export const MAX_EVENTS_PER_REQUEST = 20_000;

/** The HTTP routes (all GET unless said). */
export const ROUTES = {
  /** The app; `?trace=ID&step=N` opens a trace at a kernel step. With one given trace, a bare `/` redirects there (`/?home` lists). */
  page: '/',
  /** The bundled client script and stylesheet. */
  script: '/app.js',
  style: '/app.css',
  /** TraceListing[] */
  list: '/api/traces',
  /** POST a trace's text (application/x-ndjson); answers { id }. */
  upload: '/api/traces',
  /** TraceMeta */
  meta: (id: string) => `/api/traces/${encodeURIComponent(id)}/meta`,
  /** TraceColumns, binary (application/octet-stream). */
  columns: (id: string) => `/api/traces/${encodeURIComponent(id)}/columns`,
  /** EventLine[] for rows from..to inclusive (?from=A&to=B), at most MAX_EVENTS_PER_REQUEST. */
  events: (id: string) => `/api/traces/${encodeURIComponent(id)}/events`,
  /** DerivedState of the latest checkpoint at or before ?row=N. */
  checkpoint: (id: string) => `/api/traces/${encodeURIComponent(id)}/checkpoint`,
  /** The trace as a ShiViz log (text/plain; attachment). */
  shiviz: (id: string) => `/api/traces/${encodeURIComponent(id)}/shiviz`,
  /** ViolationStory of violation ?n= (its index in TraceMeta.violations), or null when its checker has no story. */
  story: (id: string) => `/api/traces/${encodeURIComponent(id)}/story`,
  /** The trace file itself (attachment). */
  raw: (id: string) => `/api/traces/${encodeURIComponent(id)}/raw`,
} as const;

// The replication protocol of one partition as plain data and guarded actions, after Jason
// Gustafson's TLA+ modules (hachikuji/kafka-specification): the controller's LeaderAndIsr
// requests, leader writes, ISR changes, the high watermark and, as variants, the follower
// truncation ladder: to the high watermark, KIP-101, KIP-279, KIP-320's first try, KIP-320; and
// KIP-320 with the ISR-join rule Kafka shipped (KAFKA-7128), which trace validation checks the core against.
// Invariants: the leader is in the ISR, the weak and strong ISR properties, and Log Matching.

import type { Action, Invariant, Spec } from '../explicit/checker.ts';

export const REPLICATION_VARIANTS = ['truncate-to-hw', 'kip-101', 'kip-279', 'kip-320-first-try', 'kip-320', 'kip-320-epoch-start'] as const;
export type ReplicationVariant = (typeof REPLICATION_VARIANTS)[number];

/** No replica (a leader field), as the spec's None. */
export const NONE = -1;

/**
 * A record is one number: its unique id (every producer write gets a new one, so equal records
 * mean a replicated copy) times 64 plus the leader epoch it was written in.
 */
export type Rec = number;
export const recEpoch = (r: Rec) => r & 63;
export const recId = (r: Rec) => r >> 6;
const rec = (id: number, epoch: number): Rec => id * 64 + epoch;

/** Leader, epoch and ISR (a bit mask over replica indices): the quorum's truth, a LeaderAndIsr request, or a replica's cached copy. */
export interface LeaderAndIsr {
  leaderEpoch: number;
  leader: number;
  isr: number;
}

export interface ReplicaView extends LeaderAndIsr {
  hw: number;
}

export interface ReplicationState {
  logs: Rec[][];
  replicas: ReplicaView[];
  nextRecordId: number;
  nextLeaderEpoch: number;
  /** Every LeaderAndIsr request ever sent, indexed by its epoch: a replica may take any of them, any time, again and again (loss, delay, reordering, duplication). */
  requests: LeaderAndIsr[];
  /** The controller's quorum state (ZooKeeper in the original; updates are atomic). */
  quorum: LeaderAndIsr;
}

export interface ReplicationBounds {
  replicas: number;
  /** Leader epochs the controller may hand out (epochs 0 .. maxLeaderEpochs - 1). */
  maxLeaderEpochs: number;
  /** Producer writes in all. */
  maxRecords: number;
  /** Capacity of each replica's log. */
  logSize: number;
}

export const DEFAULT_REPLICATION_BOUNDS: ReplicationBounds = { replicas: 3, maxLeaderEpochs: 3, maxRecords: 2, logSize: 2 };

// ---- helpers over a state ------------------------------------------------------------------------

const bit = (r: number) => 1 << r;
const inSet = (mask: number, r: number) => (mask & bit(r)) !== 0;
function members(mask: number, n: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < n; r++) if (mask & (1 << r)) out.push(r);
  return out;
}
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
const leo = (s: ReplicationState, r: number) => s.logs[r]!.length;
const hasOffset = (s: ReplicationState, r: number, offset: number) => offset < leo(s, r);
const presumesLeadership = (s: ReplicationState, r: number) => s.replicas[r]!.leader === r;
const isFollowing = (s: ReplicationState, follower: number, leader: number) => s.replicas[follower]!.leader === leader;
const isTrueLeader = (s: ReplicationState, l: number) =>
  s.quorum.leader === l && presumesLeadership(s, l) && s.replicas[l]!.leaderEpoch === s.quorum.leaderEpoch;
/** KIP-320: the follower follows the leader in the leader's own epoch. */
const isFollowingLeaderEpoch = (s: ReplicationState, l: number, f: number) =>
  presumesLeadership(s, l) && s.replicas[f]!.leader === l && s.replicas[f]!.leaderEpoch === s.replicas[l]!.leaderEpoch;

function withReplica(s: ReplicationState, r: number, view: Partial<ReplicaView>, log?: Rec[]): ReplicationState {
  const replicas = s.replicas.slice();
  replicas[r] = { ...replicas[r]!, ...view };
  if (log === undefined) return { ...s, replicas };
  const logs = s.logs.slice();
  logs[r] = log;
  return { ...s, replicas, logs };
}

/** KIP-279: one past the last offset where the follower holds the leader's record (0 if none). */
export function firstNonMatchingOffsetFromTail(leaderLog: readonly Rec[], followerLog: readonly Rec[]): number {
  if (leaderLog.length === 0) return 0;
  for (let o = followerLog.length - 1; o >= 0; o--) if (o < leaderLog.length && leaderLog[o] === followerLog[o]) return o + 1;
  return 0;
}

/**
 * KIP-101: the leader's answer to "where does my last epoch end?" (Kafka 0.11's endOffsetFor: its
 * end offset if it is the leader's latest epoch, else the start of the first larger epoch), or the
 * follower's high watermark when the leader cannot tell (UNDEFINED_EPOCH_OFFSET).
 */
function lookupOffsetForEpoch(s: ReplicationState, leader: number, follower: number, epoch: number): number {
  const log = s.logs[leader]!;
  if (log.length === 0) return s.replicas[follower]!.hw;
  if (recEpoch(log.at(-1)!) === epoch) return log.length;
  const larger = log.findIndex((r) => recEpoch(r) > epoch);
  return larger === -1 ? s.replicas[follower]!.hw : larger;
}

/** Whether two logs that hold the same record at some offset hold the same records below it. */
function logsMatch(a: readonly Rec[], b: readonly Rec[]): boolean {
  let diverged = false;
  for (let o = 0; o < a.length && o < b.length; o++) {
    if (a[o] !== b[o]) diverged = true;
    else if (diverged) return false;
  }
  return true;
}

// ---- the spec --------------------------------------------------------------------------------------

export function replicationSpec(
  variant: ReplicationVariant,
  bounds: ReplicationBounds = DEFAULT_REPLICATION_BOUNDS,
): Spec<ReplicationState> & { variant: ReplicationVariant; bounds: ReplicationBounds } {
  const n = bounds.replicas;
  const all = range(n);
  const allMask = bit(n) - 1;
  const perms = symmetries(n);

  /** The controller bumps the epoch, writes the quorum state and sends a LeaderAndIsr request. */
  const controllerUpdate = (s: ReplicationState, leader: number, isr: number): ReplicationState | null => {
    if (s.nextLeaderEpoch >= bounds.maxLeaderEpochs) return null;
    const quorum = { leaderEpoch: s.nextLeaderEpoch, leader, isr };
    return { ...s, quorum, requests: [...s.requests, quorum], nextLeaderEpoch: s.nextLeaderEpoch + 1 };
  };

  /** Only the true leader changes the ISR, atomically in the quorum and in its own view (the zkVersion CAS, abstracted). */
  const quorumUpdateIsr = (s: ReplicationState, l: number, isr: number): ReplicationState => withReplica({ ...s, quorum: { ...s.quorum, isr } }, l, { isr });

  const becomeFollower = (s: ReplicationState, r: number, req: LeaderAndIsr, truncateTo: number | null): ReplicationState => {
    const view = s.replicas[r]!;
    if (truncateTo === null) return withReplica(s, r, { leaderEpoch: req.leaderEpoch, leader: req.leader, isr: req.isr });
    // As Kafka does, a truncation offset past the log's end truncates nothing (the TLA+ TruncateTo is disabled there).
    const end = Math.min(truncateTo, leo(s, r));
    return withReplica(s, r, { leaderEpoch: req.leaderEpoch, leader: req.leader, isr: req.isr, hw: Math.min(end, view.hw) }, s.logs[r]!.slice(0, end));
  };

  /** The truncation offset each rung of the ladder uses on becoming a follower (null: none at that moment). */
  const truncationOffset = (s: ReplicationState, leader: number, r: number): number | null => {
    switch (variant) {
      case 'truncate-to-hw':
        return s.replicas[r]!.hw;
      case 'kip-101':
        return leo(s, r) === 0 ? 0 : lookupOffsetForEpoch(s, leader, r, recEpoch(s.logs[r]!.at(-1)!));
      case 'kip-279':
      case 'kip-320':
      case 'kip-320-epoch-start':
        return firstNonMatchingOffsetFromTail(s.logs[leader]!, s.logs[r]!);
      case 'kip-320-first-try':
        return null;
    }
  };

  /** Before KIP-320: the follower follows this leader and holds the offset before `end`. */
  const isFollowerCaughtUp = (s: ReplicationState, l: number, f: number, end: number) =>
    isFollowing(s, f, l) && (end === 0 || (hasOffset(s, l, end - 1) && hasOffset(s, f, end - 1)));

  /** KIP-320's first try: as above, and the record before `end` has the leader's epoch for it. */
  const isFollowerCaughtUpToLeaderEpoch = (s: ReplicationState, l: number, f: number, end: number) =>
    presumesLeadership(s, l) &&
    isFollowing(s, f, l) &&
    (end === 0 || (hasOffset(s, l, end - 1) && hasOffset(s, f, end - 1) && recEpoch(s.logs[f]![end - 1]!) === recEpoch(s.logs[l]![end - 1]!)));

  const fenced = variant === 'kip-320' || variant === 'kip-320-epoch-start';

  /** Where the leader's epoch starts in its log: its first record of that epoch, or its end (no record yet). */
  const epochStartOffset = (s: ReplicationState, l: number) => {
    const i = s.logs[l]!.findIndex((r) => recEpoch(r) === s.replicas[l]!.leaderEpoch);
    return i === -1 ? leo(s, l) : i;
  };

  const hwReachedCurrentEpoch = (s: ReplicationState, l: number) => {
    const hw = s.replicas[l]!.hw;
    return hw === leo(s, l) || (hasOffset(s, l, hw) && recEpoch(s.logs[l]![hw]!) === s.replicas[l]!.leaderEpoch);
  };

  const replicate = (s: ReplicationState, l: number, f: number): ReplicationState | null => {
    const end = leo(s, f);
    if (!hasOffset(s, l, end) || end >= bounds.logSize) return null;
    return withReplica(s, f, { hw: Math.min(s.replicas[l]!.hw, end + 1) }, [...s.logs[f]!, s.logs[l]![end]!]);
  };

  function actions(s: ReplicationState): Array<Action<ReplicationState>> {
    const out: Array<Action<ReplicationState>> = [];
    const push = (name: string, next: ReplicationState | null) => {
      if (next !== null) out.push({ name, next });
    };
    const q = s.quorum;

    // The controller: elect any other ISR member (a new epoch), or take a replica out of the ISR
    // (a failure, a controlled shutdown, or a zombie it gave up on: all are explored).
    for (const r of members(q.isr, n)) if (q.leader !== r) push(`ControllerElectLeader(${name(r)})`, controllerUpdate(s, r, q.isr));
    for (const r of all) {
      if (q.leader === r && q.isr === bit(r)) push(`ControllerShrinkIsr(${name(r)})`, controllerUpdate(s, NONE, q.isr));
      else if (q.leader === r) push(`ControllerShrinkIsr(${name(r)})`, controllerUpdate(s, NONE, q.isr & ~bit(r)));
      else if (inSet(q.isr, r) && q.isr !== bit(r)) push(`ControllerShrinkIsr(${name(r)})`, controllerUpdate(s, q.leader, q.isr & ~bit(r)));
    }

    // A replica takes a LeaderAndIsr request with a higher epoch than its own: leader or follower.
    for (const req of s.requests) {
      for (const r of all) {
        if (req.leaderEpoch <= s.replicas[r]!.leaderEpoch) continue;
        if (req.leader === r) {
          // The new leader keeps its own, possibly stale, high watermark.
          push(`BecomeLeader(${name(r)}, e${req.leaderEpoch})`, withReplica(s, r, { leaderEpoch: req.leaderEpoch, leader: r, isr: req.isr }));
        } else if (req.leader === NONE) {
          push(`BecomeFollower(${name(r)}, e${req.leaderEpoch}, no leader)`, becomeFollower(s, r, req, null));
        } else if (fenced) {
          // Rule 2: the truncation is fenced: the leader must already lead this very epoch.
          const l = req.leader;
          if (presumesLeadership(s, l) && s.replicas[l]!.leaderEpoch === req.leaderEpoch) {
            push(`BecomeFollowerAndTruncate(${name(r)}, e${req.leaderEpoch}, leader ${name(l)})`, becomeFollower(s, r, req, truncationOffset(s, l, r)));
          }
        } else {
          push(
            `BecomeFollowerAndTruncate(${name(r)}, e${req.leaderEpoch}, leader ${name(req.leader)})`,
            becomeFollower(s, r, req, truncationOffset(s, req.leader, r)),
          );
        }
      }
    }

    // A replica that presumes it leads accepts writes (zombies too: fencing must cope).
    if (s.nextRecordId < bounds.maxRecords) {
      for (const r of all) {
        if (presumesLeadership(s, r) && leo(s, r) < bounds.logSize) {
          const logs = s.logs.slice();
          logs[r] = [...s.logs[r]!, rec(s.nextRecordId, s.replicas[r]!.leaderEpoch)];
          push(`LeaderWrite(${name(r)})`, { ...s, logs, nextRecordId: s.nextRecordId + 1 });
        }
      }
    }

    for (const l of all) {
      const view = s.replicas[l]!;
      for (const f of all) {
        if (f === l) continue;
        // ISR changes by the leader.
        if (inSet(view.isr, f) && isTrueLeader(s, l)) {
          const lagging = fenced
            ? !isFollowingLeaderEpoch(s, l, f) || leo(s, f) < leo(s, l)
            : variant === 'kip-320-first-try'
              ? !isFollowerCaughtUpToLeaderEpoch(s, l, f, leo(s, l))
              : !isFollowerCaughtUp(s, l, f, leo(s, l));
          if (lagging) push(`LeaderShrinkIsr(${name(l)}, ${name(f)})`, quorumUpdateIsr(s, l, view.isr & ~bit(f)));
        }
        if (!inSet(view.isr, f) && isTrueLeader(s, l)) {
          const caughtUp =
            variant === 'kip-320'
              ? isFollowingLeaderEpoch(s, l, f) && (view.hw === 0 || hasOffset(s, f, view.hw - 1)) && hwReachedCurrentEpoch(s, l)
              : variant === 'kip-320-epoch-start'
                ? // Kafka's rule: the follower has reached the high watermark and the start of the leader's epoch.
                  isFollowingLeaderEpoch(s, l, f) && (view.hw === 0 || hasOffset(s, f, view.hw - 1)) && leo(s, f) >= epochStartOffset(s, l)
                : variant === 'kip-320-first-try'
                  ? isFollowerCaughtUpToLeaderEpoch(s, l, f, view.hw) && hwReachedCurrentEpoch(s, l)
                  : isFollowerCaughtUp(s, l, f, view.hw);
          if (caughtUp) push(`LeaderExpandIsr(${name(l)}, ${name(f)})`, quorumUpdateIsr(s, l, view.isr | bit(f)));
        }
        // Replication from a presumed leader.
        if (fenced) {
          if (isFollowingLeaderEpoch(s, l, f)) push(`FollowerFetch(${name(f)}, from ${name(l)})`, replicate(s, l, f));
        } else if (variant === 'kip-320-first-try') {
          if (isFollowerCaughtUpToLeaderEpoch(s, l, f, leo(s, f))) push(`FollowerFetch(${name(f)}, from ${name(l)})`, replicate(s, l, f));
          // Truncation on a LOG_TRUNCATION-style answer, at any time.
          if (presumesLeadership(s, l) && isFollowing(s, f, l) && needsTruncation(s, f, l)) {
            const end = firstNonMatchingOffsetFromTail(s.logs[l]!, s.logs[f]!);
            push(`FollowerTruncate(${name(f)}, from ${name(l)})`, withReplica(s, f, { hw: Math.min(end, s.replicas[f]!.hw) }, s.logs[f]!.slice(0, end)));
          }
        } else if (presumesLeadership(s, l) && isFollowing(s, f, l)) {
          push(`FollowerFetch(${name(f)}, from ${name(l)})`, replicate(s, l, f));
        }
      }
      // The high watermark, one offset at a time.
      const hw = view.hw;
      if (hw < bounds.logSize && presumesLeadership(s, l)) {
        const isr = members(view.isr, n);
        const ok = fenced
          ? hasOffset(s, l, hw) && isr.every((f) => isFollowingLeaderEpoch(s, l, f) && hasOffset(s, f, hw))
          : variant === 'kip-320-first-try'
            ? hasOffset(s, l, hw) && isr.every((f) => isFollowerCaughtUpToLeaderEpoch(s, l, f, hw + 1))
            : isr.every((f) => isFollowing(s, f, l) && hasOffset(s, f, hw));
        if (ok) push(`LeaderIncHighWatermark(${name(l)})`, withReplica(s, l, { hw: hw + 1 }));
      }
    }
    return out;
  }

  const needsTruncation = (s: ReplicationState, f: number, l: number) => {
    if (leo(s, f) > leo(s, l)) return true;
    if (leo(s, f) === 0) return false;
    const o = leo(s, f) - 1;
    return hasOffset(s, l, o) && recEpoch(s.logs[l]![o]!) !== recEpoch(s.logs[f]![o]!);
  };

  /** Every replica below `hw` of a presumed leader holds the leader's records, over `isrOf`. */
  const isrProperty = (s: ReplicationState, isrOf: (l: number) => number) =>
    all.every((l) => {
      if (!presumesLeadership(s, l)) return true;
      const hw = s.replicas[l]!.hw;
      return members(isrOf(l), n).every((r) => {
        for (let o = 0; o < hw; o++) if (!hasOffset(s, l, o) || !hasOffset(s, r, o) || s.logs[l]![o] !== s.logs[r]![o]) return false;
        return true;
      });
    });

  const invariants: Array<Invariant<ReplicationState>> = [
    // A quorum leader is a member of the quorum ISR (the fixed form of G. Wang's LeaderInIsr).
    { name: 'LeaderInIsr', holds: (s) => s.quorum.leader === NONE || inSet(s.quorum.isr, s.quorum.leader) },
    // Members of a presumed leader's own ISR hold its records below its high watermark.
    { name: 'WeakIsr', holds: (s) => isrProperty(s, (l) => s.replicas[l]!.isr) },
    // Members of the true (quorum) ISR hold every record a presumed leader exposed: no electable replica lacks committed data.
    { name: 'StrongIsr', holds: (s) => isrProperty(s, () => s.quorum.isr) },
    // Raft's Log Matching, the divergence KIP-279 fixed: replicas holding the same record at an offset agree below it.
    { name: 'LogMatching', holds: (s) => all.every((a) => all.every((b) => b <= a || logsMatch(s.logs[a]!, s.logs[b]!))) },
  ];

  return {
    variant,
    bounds,
    init: () => [
      {
        logs: all.map(() => []),
        replicas: all.map(() => ({ hw: 0, leaderEpoch: NONE, leader: NONE, isr: 0 })),
        nextRecordId: 0,
        nextLeaderEpoch: 0,
        requests: [],
        quorum: { leaderEpoch: NONE, leader: NONE, isr: allMask },
      },
    ],
    actions,
    invariants,
    key: (s) => canonicalKey(s, perms),
    describe: describeState,
  };
}

/** Replica names in counterexamples: r1, r2, ... */
export function name(r: number): string {
  return r === NONE ? 'none' : `r${r + 1}`;
}

/** All orderings of 0..n-1. */
export function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  return out;
}

/** A permutation of replicas, with its maps precomputed: leader + 1 (0 = none) and ISR masks, old to new. */
export interface Perm {
  order: number[];
  leader: number[];
  mask: number[];
}

export function symmetries(n: number): Perm[] {
  return permutations(n).map((order) => {
    // order[i] is the old index of new replica i.
    const inv: number[] = [];
    for (let i = 0; i < n; i++) inv[order[i]!] = i;
    const mask: number[] = [];
    for (let m = 0; m < 1 << n; m++) {
      let mapped = 0;
      for (let old = 0; old < n; old++) if (m & (1 << old)) mapped |= 1 << inv[old]!;
      mask.push(mapped);
    }
    return { order, leader: [0, ...inv.map((x) => x + 1)], mask };
  });
}

/**
 * The key of a state up to symmetry: replicas are interchangeable (the state is encoded under
 * every permutation and the smallest encoding kept), and so are record ids (renumbered in order of
 * first appearance). Encodings are small integer arrays; the key is their text as char codes.
 */
function canonicalKey(s: ReplicationState, perms: Perm[]): string {
  let best: number[] | null = null;
  for (const perm of perms) {
    const code = encodeUnder(s, perm);
    if (best === null || lessThan(code, best)) best = code;
  }
  return String.fromCharCode.apply(null, best!);
}

function lessThan(a: number[], b: number[]): boolean {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

function encodeUnder(s: ReplicationState, perm: Perm): number[] {
  const ids: number[] = [];
  let nextId = 0;
  const out: number[] = [];
  for (const old of perm.order) {
    const v = s.replicas[old]!;
    const log = s.logs[old]!;
    out.push(v.hw, v.leaderEpoch + 1, perm.leader[v.leader + 1]!, perm.mask[v.isr]!, log.length);
    for (const r of log) {
      const id = recId(r);
      if (ids[id] === undefined) ids[id] = nextId++;
      out.push(ids[id]! * 64 + recEpoch(r));
    }
  }
  const q = s.quorum;
  out.push(s.nextRecordId, s.nextLeaderEpoch, q.leaderEpoch + 1, perm.leader[q.leader + 1]!, perm.mask[q.isr]!);
  for (const r of s.requests) out.push(perm.leader[r.leader + 1]!, perm.mask[r.isr]!);
  return out;
}

function maskText(mask: number): string {
  const names: string[] = [];
  for (let r = 0; mask >> r > 0; r++) if (mask & (1 << r)) names.push(name(r));
  return `{${names.join(',')}}`;
}

/** One state on a few lines: the quorum, then each replica's view and log (records as id@epoch). */
export function describeState(s: ReplicationState): string {
  const lines = [`quorum: leader ${name(s.quorum.leader)}, epoch ${s.quorum.leaderEpoch}, isr ${maskText(s.quorum.isr)}`];
  s.replicas.forEach((v, r) => {
    const log = s.logs[r]!.map((x) => `${String.fromCharCode(65 + recId(x))}@${recEpoch(x)}`).join(' ');
    lines.push(`${name(r)}: leader ${name(v.leader)}, epoch ${v.leaderEpoch}, hw ${v.hw}, isr ${maskText(v.isr)}, log [${log}]`);
  });
  return lines.join('\n');
}

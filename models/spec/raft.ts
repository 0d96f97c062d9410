// Raft's election and log replication as KRaft runs them (KIP-595: epochs, votes persisted before
// answering, followers pulling with Fetch and truncating on a diverging epoch, the leader's high
// watermark over a majority in its own epoch), as plain data and guarded actions, with broken variants.

import type { Action, Invariant, Spec } from '../explicit/checker.ts';
import { symmetries, type Perm } from './replication.ts';

export const RAFT_VARIANTS = ['kraft', 'vote-twice', 'votes-not-persisted', 'no-log-check'] as const;
export type RaftVariant = (typeof RAFT_VARIANTS)[number];

const NONE = -1;
const FOLLOWER = 0;
const CANDIDATE = 1;
const LEADER = 2;

/** An entry is one number: a unique id (one per client write) times 64 plus its epoch. */
const entry = (id: number, epoch: number) => id * 64 + epoch;
const entryEpoch = (e: number) => e & 63;
const entryId = (e: number) => e >> 6;

export interface RaftServer {
  /** Durable: the epoch, the vote in it, the log (flushed before answering, as KRaft does). */
  epoch: number;
  votedFor: number;
  log: number[];
  /** Volatile: role, known leader, votes granted (a candidate), high watermark, followers' end offsets (a leader). */
  role: number;
  leader: number;
  votes: number;
  hw: number;
  match: number[];
}

export interface RaftState {
  servers: RaftServer[];
  nextId: number;
  crashes: number;
  /** Ghost: per epoch, the servers that became leader in it (a bit mask). */
  elected: number[];
  /** Ghost: the committed entries, and the epoch of the leader that committed each. */
  committed: number[];
  commitEpoch: number[];
  /** Ghost: some leader committed an entry that differs from one committed before at that offset. */
  conflict: boolean;
}

export interface RaftBounds {
  servers: number;
  maxEpoch: number;
  maxWrites: number;
  maxLog: number;
  maxCrashes: number;
}

export const DEFAULT_RAFT_BOUNDS: RaftBounds = { servers: 3, maxEpoch: 3, maxWrites: 2, maxLog: 2, maxCrashes: 1 };

function popcount(m: number): number {
  let c = 0;
  for (; m !== 0; m &= m - 1) c++;
  return c;
}

const lastEpoch = (log: readonly number[]) => (log.length === 0 ? 0 : entryEpoch(log[log.length - 1]!));

/** The end of `epoch` in `log`: the offset of the first entry with a larger epoch (KRaft's endOffsetForEpoch), with the largest epoch <= `epoch` held. */
function endOffsetForEpoch(log: readonly number[], epoch: number): { epoch: number; end: number } {
  let held = 0;
  for (let i = 0; i < log.length; i++) {
    const e = entryEpoch(log[i]!);
    if (e > epoch) return { epoch: held, end: i };
    held = e;
  }
  return { epoch: held, end: log.length };
}

export function raftSpec(variant: RaftVariant, bounds: RaftBounds = DEFAULT_RAFT_BOUNDS): Spec<RaftState> & { variant: RaftVariant; bounds: RaftBounds } {
  const n = bounds.servers;
  const majority = Math.floor(n / 2) + 1;
  const perms = symmetries(n);
  const name = (s: number) => `s${s + 1}`;

  const withServer = (st: RaftState, i: number, server: Partial<RaftServer>): RaftState => {
    const servers = st.servers.slice();
    servers[i] = { ...servers[i]!, ...server };
    return { ...st, servers };
  };
  const resetMatch = () => Array.from({ length: n }, () => -1);

  /** The voter's rule: the candidate's log is at least as up to date (last epoch, then length). */
  const logOk = (c: RaftServer, v: RaftServer) => {
    if (variant === 'no-log-check') return true;
    const ce = lastEpoch(c.log);
    const ve = lastEpoch(v.log);
    return ce > ve || (ce === ve && c.log.length >= v.log.length);
  };

  function actions(st: RaftState): Array<Action<RaftState>> {
    const out: Array<Action<RaftState>> = [];
    for (let i = 0; i < n; i++) {
      const s = st.servers[i]!;
      // Election timeout: a new epoch, a vote for itself (persisted).
      if (s.role !== LEADER && s.epoch < bounds.maxEpoch) {
        out.push({
          name: `Timeout(${name(i)}, e${s.epoch + 1})`,
          next: withServer(st, i, { epoch: s.epoch + 1, role: CANDIDATE, votedFor: i, votes: 1 << i, leader: NONE }),
        });
      }
      if (s.role === CANDIDATE) {
        for (let v = 0; v < n; v++) {
          if (v === i || (s.votes & (1 << v)) !== 0) continue;
          const next = vote(st, i, v);
          if (next !== null) out.push({ name: `Vote(${name(v)} for ${name(i)}, e${s.epoch})`, next });
        }
        if (popcount(s.votes) >= majority) {
          const elected = st.elected.slice();
          elected[s.epoch] = (elected[s.epoch] ?? 0) | (1 << i);
          const match = resetMatch();
          match[i] = s.log.length;
          out.push({ name: `BecomeLeader(${name(i)}, e${s.epoch})`, next: { ...withServer(st, i, { role: LEADER, leader: i, votes: 0, match }), elected } });
        }
      }
      if (s.role === LEADER) {
        if (st.nextId < bounds.maxWrites && s.log.length < bounds.maxLog) {
          const log = [...s.log, entry(st.nextId, s.epoch)];
          const match = s.match.slice();
          match[i] = log.length;
          out.push({ name: `ClientWrite(${name(i)})`, next: { ...withServer(st, i, { log, match }), nextId: st.nextId + 1 } });
        }
        for (let f = 0; f < n; f++) {
          const fs = st.servers[f]!;
          if (f === i) continue;
          // BeginQuorumEpoch: the leader tells a voter of its epoch.
          if (fs.epoch < s.epoch || (fs.epoch === s.epoch && fs.role !== LEADER && fs.leader !== i)) {
            const votedFor = fs.epoch === s.epoch ? fs.votedFor : NONE;
            out.push({
              name: `BeginQuorumEpoch(${name(i)} to ${name(f)}, e${s.epoch})`,
              next: withServer(st, f, { epoch: s.epoch, votedFor, role: FOLLOWER, leader: i, votes: 0, match: resetMatch() }),
            });
          }
          if (fs.role === FOLLOWER && fs.leader === i && fs.epoch === s.epoch) {
            const next = fetch(st, f, i);
            if (next !== null) out.push({ name: `Fetch(${name(f)} from ${name(i)})`, next });
          }
        }
      }
      if (st.crashes < bounds.maxCrashes) {
        // A crash keeps what is durable: epoch, vote (unless the variant forgets it) and log.
        const votedFor = variant === 'votes-not-persisted' ? NONE : s.votedFor;
        out.push({
          name: `Crash(${name(i)})`,
          next: { ...withServer(st, i, { role: FOLLOWER, leader: NONE, votes: 0, hw: 0, match: resetMatch(), votedFor }), crashes: st.crashes + 1 },
        });
      }
    }
    return out;
  }

  /** A Vote request and its answer, as one step (the voter persists its vote before answering). */
  function vote(st: RaftState, c: number, v: number): RaftState | null {
    const cand = st.servers[c]!;
    let voter = st.servers[v]!;
    if (voter.epoch > cand.epoch) return null;
    let changed = false;
    if (voter.epoch < cand.epoch) {
      voter = { ...voter, epoch: cand.epoch, votedFor: NONE, role: FOLLOWER, leader: NONE, votes: 0, match: resetMatch() };
      changed = true;
    }
    const free = variant === 'vote-twice' ? voter.role !== CANDIDATE && voter.role !== LEADER : voter.votedFor === NONE || voter.votedFor === c;
    let next: RaftState | null = null;
    if (free && logOk(cand, voter)) {
      voter = { ...voter, votedFor: c };
      next = withServer(withServer(st, v, voter), c, { votes: cand.votes | (1 << v) });
    } else if (changed) next = withServer(st, v, voter);
    return next;
  }

  /**
   * One Fetch and its answer. The leader checks the follower's position (fetch offset, last
   * fetched epoch); if they diverge the follower truncates where the leader says, else the
   * leader records the fetch offset, advances its high watermark over a majority (only to an
   * entry of its own epoch) and sends what follows.
   */
  function fetch(st: RaftState, f: number, l: number): RaftState | null {
    const fol = st.servers[f]!;
    const lead = st.servers[l]!;
    const offset = fol.log.length;
    const fetchedEpoch = lastEpoch(fol.log);
    const atLeader = offset === 0 ? { epoch: 0, end: 0 } : endOffsetForEpoch(lead.log, fetchedEpoch);
    if (offset > 0 && (atLeader.epoch !== fetchedEpoch || atLeader.end < offset)) {
      const mine = endOffsetForEpoch(fol.log, atLeader.epoch).end;
      const end = Math.min(atLeader.end, mine);
      if (end >= offset) return null;
      return withServer(st, f, { log: fol.log.slice(0, end), hw: Math.min(fol.hw, end) });
    }
    const match = lead.match.slice();
    match[f] = offset;
    match[l] = lead.log.length;
    const ends = match.slice().sort((a, b) => b - a);
    const n = ends[majority - 1]!;
    let hw = lead.hw;
    let next: RaftState = st;
    if (n > hw && entryEpoch(lead.log[n - 1]!) === lead.epoch) {
      hw = n;
      const committed = st.committed.slice();
      const commitEpoch = st.commitEpoch.slice();
      let conflict = st.conflict;
      for (let i = 0; i < n; i++) {
        if (i < committed.length) conflict ||= committed[i] !== lead.log[i];
        else {
          committed.push(lead.log[i]!);
          commitEpoch.push(lead.epoch);
        }
      }
      next = { ...st, committed, commitEpoch, conflict };
    }
    next = withServer(next, l, { match, hw });
    const log = lead.log.length > offset ? [...fol.log, ...lead.log.slice(offset)] : fol.log;
    const fhw = Math.min(hw, log.length);
    if (log === fol.log && fhw === fol.hw && match[f] === lead.match[f] && hw === lead.hw) return null;
    return withServer(next, f, { log, hw: fhw });
  }

  const invariants: Array<Invariant<RaftState>> = [
    // At most one leader per epoch, ever.
    { name: 'ElectionSafety', holds: (st) => st.elected.every((m) => m === undefined || popcount(m) <= 1) },
    // Two logs with an entry of the same epoch at the same offset are identical up to it.
    {
      name: 'LogMatching',
      holds: (st) => {
        for (let a = 0; a < n; a++)
          for (let b = a + 1; b < n; b++) {
            const la = st.servers[a]!.log;
            const lb = st.servers[b]!.log;
            for (let i = Math.min(la.length, lb.length) - 1; i >= 0; i--) {
              if (entryEpoch(la[i]!) !== entryEpoch(lb[i]!)) continue;
              for (let j = 0; j <= i; j++) if (la[j] !== lb[j]) return false;
              break;
            }
          }
        return true;
      },
    },
    // A leader holds every entry committed in its epoch or before.
    {
      name: 'LeaderCompleteness',
      holds: (st) => st.servers.every((s) => s.role !== LEADER || st.committed.every((e, i) => st.commitEpoch[i]! > s.epoch || s.log[i] === e)),
    },
    // No offset is ever committed with two different entries (state machine safety).
    { name: 'CommittedConsistent', holds: (st) => !st.conflict },
  ];

  return {
    variant,
    bounds,
    init: () => [
      {
        servers: Array.from({ length: n }, () => ({ epoch: 0, votedFor: NONE, log: [], role: FOLLOWER, leader: NONE, votes: 0, hw: 0, match: resetMatch() })),
        nextId: 0,
        crashes: 0,
        elected: [],
        committed: [],
        commitEpoch: [],
        conflict: false,
      },
    ],
    actions,
    invariants,
    key: (st) => canonicalKey(st, perms),
    describe: (st) => describeRaft(st, name),
  };
}

/** Servers are interchangeable and so are entry ids: the smallest encoding over all permutations. */
function canonicalKey(st: RaftState, perms: Perm[]): string {
  let best: number[] | null = null;
  for (const perm of perms) {
    const code = encodeUnder(st, perm);
    if (best === null || less(code, best)) best = code;
  }
  return String.fromCharCode.apply(null, best!);
}

function encodeUnder(st: RaftState, perm: Perm): number[] {
  const ids: number[] = [];
  let nextId = 0;
  const code: number[] = [];
  for (const old of perm.order) {
    const s = st.servers[old]!;
    code.push(s.epoch, perm.leader[s.votedFor + 1]!, s.role, perm.leader[s.leader + 1]!, perm.mask[s.votes]!, s.hw, s.log.length);
    for (const e of s.log) {
      const id = entryId(e);
      if (ids[id] === undefined) ids[id] = nextId++;
      code.push(ids[id]! * 64 + entryEpoch(e));
    }
    if (s.role === LEADER) for (const o of perm.order) code.push(s.match[o]! + 1);
  }
  code.push(st.nextId, st.crashes, st.conflict ? 1 : 0, st.committed.length);
  for (let i = 0; i < st.committed.length; i++) {
    const e = st.committed[i]!;
    const id = entryId(e);
    if (ids[id] === undefined) ids[id] = nextId++;
    code.push(ids[id]! * 64 + entryEpoch(e), st.commitEpoch[i]!);
  }
  for (const m of st.elected) code.push(perm.mask[m ?? 0]!);
  return code;
}

function less(a: number[], b: number[]): boolean {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

function describeRaft(st: RaftState, name: (s: number) => string): string {
  const roles = ['follower', 'candidate', 'leader'];
  const lines = st.servers.map((s, i) => {
    const log = s.log.map((e) => `${String.fromCharCode(65 + entryId(e))}@${entryEpoch(e)}`).join(' ');
    return `${name(i)}: ${roles[s.role]} e${s.epoch}, voted ${s.votedFor === NONE ? '-' : name(s.votedFor)}, leader ${s.leader === NONE ? '-' : name(s.leader)}, hw ${s.hw}, log [${log}]`;
  });
  lines.push(`committed: [${st.committed.map((e, i) => `${String.fromCharCode(65 + entryId(e))}@${entryEpoch(e)} (in e${st.commitEpoch[i]})`).join(' ')}]`);
  return lines.join('\n');
}

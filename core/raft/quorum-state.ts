// The quorum's election state (epoch, vote, leader) persisted in the `quorum-state` file.
// KIP-595 requires it durable before a node acts on it: a vote must survive a crash, or the node
// could vote twice in one epoch. Written atomically with Storage.replace, as Kafka writes it.

import type { NodeId } from '../env.ts';
import type { Storage } from '../storage.ts';

export const QUORUM_STATE_FILE = '__cluster_metadata-0/quorum-state';

export interface ElectionState {
  epoch: number;
  votedId: NodeId | null;
  leaderId: NodeId | null;
}

export const INITIAL_ELECTION_STATE: ElectionState = { epoch: 0, votedId: null, leaderId: null };

export function readElectionState(storage: Storage): ElectionState {
  if (!storage.exists(QUORUM_STATE_FILE)) return INITIAL_ELECTION_STATE;
  const text = new TextDecoder().decode(storage.read(QUORUM_STATE_FILE, 0, storage.size(QUORUM_STATE_FILE)));
  const parsed = JSON.parse(text) as Partial<ElectionState>;
  return { epoch: parsed.epoch ?? 0, votedId: parsed.votedId ?? null, leaderId: parsed.leaderId ?? null };
}

/** Durably replaces the election state. May throw StorageError. */
export function writeElectionState(storage: Storage, state: ElectionState): void {
  storage.replace(QUORUM_STATE_FILE, new TextEncoder().encode(JSON.stringify(state)));
}

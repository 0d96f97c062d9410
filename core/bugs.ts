// The catalogue of seeded bugs: every switch that brings back a known mistake, by name, with
// what it does. Scenarios name them under `bugs:`, the command line with `--bug`.

import { BROKER_BUGS, type BrokerBug } from './broker/bugs.ts';
import { CLIENT_BUGS, type ClientBug } from './client/bugs.ts';
import { CONTROLLER_BUGS, type ControllerBug } from './controller/bugs.ts';
import { GROUP_BUGS, type GroupBug } from './group/bugs.ts';
import { LOG_BUGS, type LogBug } from './log/bugs.ts';
import { RAFT_BUGS, type RaftBug } from './raft/bugs.ts';
import { TXN_BUGS, type TxnBug } from './txn/bugs.ts';
import { SECURITY_BUGS, type SecurityBug } from './security/bugs.ts';

export const SEEDED_BUGS: Readonly<Record<string, string>> = {
  ...RAFT_BUGS,
  ...CONTROLLER_BUGS,
  ...BROKER_BUGS,
  ...GROUP_BUGS,
  ...CLIENT_BUGS,
  ...LOG_BUGS,
  ...TXN_BUGS,
  ...SECURITY_BUGS,
};

export const KNOWN_BUGS: readonly string[] = Object.keys(SEEDED_BUGS);

export function raftBugs(bugs: readonly string[]): Set<RaftBug> {
  return new Set(bugs.filter((b): b is RaftBug => b in RAFT_BUGS));
}

export function controllerBugs(bugs: readonly string[]): Set<ControllerBug> {
  return new Set(bugs.filter((b): b is ControllerBug => b in CONTROLLER_BUGS));
}

export function brokerBugs(bugs: readonly string[]): Set<BrokerBug> {
  return new Set(bugs.filter((b): b is BrokerBug => b in BROKER_BUGS));
}

export function clientBugs(bugs: readonly string[]): Set<ClientBug> {
  return new Set(bugs.filter((b): b is ClientBug => b in CLIENT_BUGS));
}

export function groupBugs(bugs: readonly string[]): Set<GroupBug> {
  return new Set(bugs.filter((b): b is GroupBug => b in GROUP_BUGS));
}

export function logBugs(bugs: readonly string[]): Set<LogBug> {
  return new Set(bugs.filter((b): b is LogBug => b in LOG_BUGS));
}

export function txnBugs(bugs: readonly string[]): Set<TxnBug> {
  return new Set(bugs.filter((b): b is TxnBug => b in TXN_BUGS));
}

export function securityBugs(bugs: readonly string[]): Set<SecurityBug> {
  return new Set(bugs.filter((b): b is SecurityBug => b in SECURITY_BUGS));
}

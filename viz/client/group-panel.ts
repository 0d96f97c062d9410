// The state panel's consumer groups: each group's coordinator view, members, assignments and committed offsets.

import type { CommittedOffset, DerivedState, GroupConsumer, GroupState, TopicPartitionPair } from '../shared/contract.ts';
import { partitionOwners } from '../shared/groups.ts';
import { partitionKey } from '../shared/names.ts';
import { el, table } from './dom.ts';

type Owners = Map<string, string[]>;

/** The groups' section of the state panel, or null when the trace has no group yet. */
export function groupsSection(state: DerivedState): HTMLElement | null {
  const groups = Object.values(state.groups).sort((a, b) => a.group.localeCompare(b.group, 'en', { numeric: true }));
  if (groups.length === 0) return null;
  return el('div', { class: 'groups', 'data-testid': 'groups' }, el('h3', {}, 'Consumer groups'), ...groups.map((g) => groupPanel(g, state)));
}

function groupPanel(group: GroupState, state: DerivedState): HTMLElement {
  const owners = partitionOwners(group);
  return el('div', { class: 'group', 'data-testid': `group-${group.group}` }, groupHead(group, state), memberTable(group, owners), offsetTable(group, owners));
}

/** "g1 Stable · generation 1 · protocol range · coordinator b2 · changed at step 2374". */
function groupHead(group: GroupState, state: DerivedState): HTMLElement {
  const coordinator = group.coordinator;
  const down = coordinator !== null && state.nodes[coordinator]?.up === false;
  return el(
    'div',
    { class: 'group-head', 'data-testid': `group-${group.group}-head` },
    el('strong', {}, group.group),
    ` ${group.state ?? 'state unknown'} · generation ${group.generation} · protocol ${group.protocol ?? '—'} · coordinator `,
    el('span', { class: down ? 'down' : '' }, coordinator === null ? '—' : down ? `${coordinator} (down)` : coordinator),
    el('span', { class: 'dim' }, ` · changed at step ${group.changedStep}`),
  );
}

/** A row per consumer client, then a row per member the coordinator has that no client names (a member id left behind). */
function memberTable(group: GroupState, owners: Owners): HTMLTableElement {
  const consumers = Object.values(group.consumers).sort((a, b) => a.client.localeCompare(b.client, 'en', { numeric: true }));
  const named = new Set(consumers.map((c) => c.memberId));
  const unnamed = group.members.filter((m) => !named.has(m));
  const rows = [...consumers.map((c) => consumerRow(group, c, owners)), ...unnamed.map((m) => coordinatorOnlyRow(group, m))];
  return table(
    { class: 'group-table', 'data-testid': `group-${group.group}-members` },
    ['client', 'member id', 'generation', 'assigned partitions', 'last commit'],
    rows,
  );
}

function consumerRow(group: GroupState, c: GroupConsumer, owners: Owners): HTMLTableRowElement {
  const atCoordinator = c.memberId !== null && group.members.includes(c.memberId);
  return el(
    'tr',
    { 'data-testid': `group-${group.group}-member-${c.client}` },
    el('td', {}, c.client),
    el('td', { class: atCoordinator ? '' : 'dim', title: atCoordinator ? null : 'not a member at the coordinator' }, memberLabel(group, c.memberId)),
    el('td', {}, String(c.generation)),
    el('td', {}, ...partitionChips(c, owners)),
    el('td', { class: c.lastCommit?.error ? 'failed' : '' }, lastCommitLabel(c)),
  );
}

function coordinatorOnlyRow(group: GroupState, member: string): HTMLTableRowElement {
  return el(
    'tr',
    { class: 'dim', title: 'a member at the coordinator that no client names now' },
    el('td', {}, '—'),
    el('td', {}, memberLabel(group, member)),
    el('td', {}, String(group.generation)),
    el('td', {}, '—'),
    el('td', {}, '—'),
  );
}

/** The member id, marked when it is the group's leader. */
function memberLabel(group: GroupState, member: string | null): string {
  if (member === null) return '—';
  return member === group.leader ? `${member} (leader)` : member;
}

/** One chip per owned partition; red when another client owns it too. */
function partitionChips(c: GroupConsumer, owners: Owners): Array<HTMLElement | string> {
  if (c.partitions.length === 0) return ['—'];
  return c.partitions.map(([topic, partition]) => {
    const others = (owners.get(partitionKey(topic, partition)) ?? []).filter((o) => o !== c.client);
    return el(
      'span',
      { class: others.length > 0 ? 'tp double' : 'tp', title: others.length > 0 ? `also owned by ${others.join(', ')}` : null },
      partitionKey(topic, partition),
    );
  });
}

function lastCommitLabel(c: GroupConsumer): string {
  const commit = c.lastCommit;
  if (commit === null) return '—';
  if (commit.type === 'invoke') return `pending since step ${commit.step}`;
  return `${commit.type}${commit.error === null ? '' : ` ${commit.error}`} at step ${commit.step}`;
}

/** A row per partition that has a committed offset or an owner, by topic then partition. */
function offsetTable(group: GroupState, owners: Owners): HTMLTableElement {
  const rows = groupPartitions(group).map((tp) => offsetRow(group, tp, owners));
  return table(
    { class: 'group-table', 'data-testid': `group-${group.group}-offsets` },
    ['partition', 'committed offset', 'generation', 'committed by', 'at step', 'owned by'],
    rows,
  );
}

function offsetRow(group: GroupState, tp: TopicPartitionPair, owners: Owners): HTMLTableRowElement {
  const key = partitionKey(...tp);
  const committed: CommittedOffset | undefined = group.offsets[key];
  const owning = owners.get(key) ?? [];
  return el(
    'tr',
    { class: owning.length > 1 ? 'double' : '', 'data-testid': `group-${group.group}-offset-${partitionKey(...tp)}`, 'data-offset': committed?.offset ?? null },
    el('td', {}, partitionKey(...tp)),
    el('td', {}, committed === undefined ? '—' : String(committed.offset)),
    el('td', {}, committed === undefined ? '' : String(committed.generation)),
    el('td', {}, committed === undefined ? '' : committerLabel(group, committed.member)),
    el('td', {}, committed === undefined ? '' : String(committed.step)),
    el('td', {}, owning.length === 0 ? '—' : owning.join(', ')),
  );
}

/** The client that holds the committing member id, else the member id ("" is a commit outside the group's generations). */
function committerLabel(group: GroupState, member: string): string {
  if (member === '') return 'simple commit';
  return Object.values(group.consumers).find((c) => c.memberId === member)?.client ?? member;
}

/** Every partition the group committed an offset for or a client owns, by topic then partition. */
function groupPartitions(group: GroupState): TopicPartitionPair[] {
  const byKey = new Map<string, TopicPartitionPair>();
  for (const o of Object.values(group.offsets)) byKey.set(partitionKey(o.topic, o.partition), [o.topic, o.partition]);
  for (const c of Object.values(group.consumers)) for (const tp of c.partitions) byKey.set(partitionKey(...tp), tp);
  return [...byKey.values()].sort(byTopicPartition);
}

function byTopicPartition(a: TopicPartitionPair, b: TopicPartitionPair): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
}

// The state at the cursor: each partition with its committed leader, ISR and epochs, and each
// replica's log (replica-log.ts: cells by leader epoch on an offset axis, the high watermark and
// log start marked, a legend); the metadata
// quorum per node; consumer groups when the trace has them; the cursor's raw event.

import type { EventLine } from '../../core/trace/schema.ts';
import type { DerivedState, NodeState, PartitionState, ReplicaState } from '../shared/contract.ts';
import { el, formatMs, table } from './dom.ts';
import { groupsSection } from './group-panel.ts';
import { epochsShown, logLegend, logWindow, offsetAxis, replicaCells, type LogWindow } from './replica-log.ts';

export class StatePanel {
  readonly element = el('section', { 'data-testid': 'state-panel', class: 'state-panel' });
  private highlighted = new Set<string>();

  /** `clients`: lanes that are clients, left out of the quorum table. */
  constructor(private readonly clients: ReadonlySet<string>) {}

  /** Test ids to mark with the "highlight" class on every render until changed. */
  highlight(testIds: Iterable<string>): void {
    this.highlighted = new Set(testIds);
    this.applyHighlight();
  }

  render(state: DerivedState, event: EventLine): void {
    const partitions = Object.values(state.partitions);
    const nodes = Object.values(state.nodes).filter((n) => !this.clients.has(n.id));
    const parts: Array<Node | null> = [
      el('h2', {}, `State at step ${state.step} · ${formatMs(state.t)}`),
      el('h3', {}, 'Partitions'),
      partitions.length === 0 ? null : logLegend(epochsDrawn(partitions)),
      partitions.length === 0 ? el('p', { class: 'dim' }, 'no partition yet') : el('div', { class: 'partitions' }, ...partitions.map((p) => this.partition(p))),
      el('h3', {}, 'Metadata quorum'),
      this.quorum(nodes),
      groupsSection(state),
      state.cutLinks.length === 0 ? null : el('p', { class: 'cut' }, `cut links: ${state.cutLinks.map(([a, b]) => `${a}→${b}`).join(' ')}`),
      el('h3', {}, 'Event at the cursor'),
      el('pre', { class: 'event', 'data-testid': 'event-detail' }, JSON.stringify(event, null, 1)),
    ];
    this.element.replaceChildren(...parts.filter((p): p is Node => p !== null));
    if (nodes.length === 0) this.element.append(el('p', { class: 'dim' }, 'no node has started yet'));
    this.applyHighlight();
  }

  private partition(p: PartitionState): HTMLElement {
    const replicas = sortedReplicas(p);
    const window = logWindow(replicas);
    return el(
      'div',
      { class: 'partition', 'data-testid': `partition-${p.key}` },
      el(
        'div',
        { class: 'partition-head' },
        el('strong', {}, p.key),
        ` leader ${p.leader ?? '—'} · leader epoch ${p.leaderEpoch} · partition epoch ${p.partitionEpoch} · ISR [${p.isr.join(', ')}]`,
      ),
      replicas.length === 0 ? null : offsetAxis(p.key, window),
      ...replicas.map((r) => this.replica(p.key, r, window)),
    );
  }

  private replica(key: string, r: ReplicaState, window: LogWindow): HTMLElement {
    const isr = r.isr === null ? '' : ` · ISR [${r.isr.join(', ')}]${r.pendingIsr === null ? '' : ` pending [${r.pendingIsr.join(', ')}]`}`;
    return el(
      'div',
      {
        class: `replica role-${r.role}`,
        'data-testid': `replica-${key}-${r.node}`,
        'data-leo': r.leo,
        'data-hw': r.highWatermark,
        'data-log-start': r.logStartOffset,
      },
      el('span', { class: 'replica-name' }, r.node),
      el('span', { class: 'replica-figures' }, `${r.role} · LEO ${r.leo} · HW ${r.highWatermark} · epoch ${r.leaderEpoch}${isr}`),
      replicaCells(key, r, window),
    );
  }

  private quorum(nodes: NodeState[]): HTMLElement {
    const rows = nodes.map((n) =>
      el(
        'tr',
        { 'data-testid': `raft-${n.id}`, class: n.up && !n.paused ? '' : 'down' },
        el('td', {}, n.id),
        el('td', {}, n.up ? `${n.paused ? 'paused' : 'up'} (${n.incarnation})` : 'down'),
        el('td', {}, n.raft?.role ?? '—'),
        el('td', {}, String(n.raft?.epoch ?? '—')),
        el('td', {}, n.raft?.leader ?? '—'),
        el('td', {}, n.raft === null ? '—' : `${n.raft.highWatermark} / ${n.raft.endOffset}`),
        el('td', {}, n.controllerActive ? 'active' : ''),
        el('td', {}, n.broker === null ? '—' : `${n.broker.fenced ? 'fenced' : 'unfenced'} (${n.broker.brokerEpoch})`),
      ),
    );
    return table({ class: 'quorum' }, ['node', 'process', 'role', 'epoch', 'leader', 'HW / end', 'controller', 'broker'], rows);
  }

  private applyHighlight(): void {
    for (const node of this.element.querySelectorAll('.highlight')) node.classList.remove('highlight');
    for (const id of this.highlighted) for (const node of this.element.querySelectorAll(`[data-testid="${CSS.escape(id)}"]`)) node.classList.add('highlight');
  }
}

function sortedReplicas(p: PartitionState): ReplicaState[] {
  return Object.values(p.replicas).sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }));
}

/** The epochs drawn in any partition's logs, for the legend. */
function epochsDrawn(partitions: readonly PartitionState[]): number[] {
  const epochs = new Set<number>();
  for (const p of partitions) {
    const replicas = sortedReplicas(p);
    for (const e of epochsShown(replicas, logWindow(replicas))) epochs.add(e);
  }
  return [...epochs].sort((a, b) => a - b);
}

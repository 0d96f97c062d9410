// `samsa check --nemesis`'s fault schedule against a `samsa cluster --faults`: each fault is posted to
// the cluster's fault control at its time and undone when its `for` ends, and written into the check's
// history as the simulator writes faults (partition, heal, link, crash, restart), so that the visualizer
// shows them; at the end every fault is undone and every broker brought back before the drain.

import type { AppliedFault } from './cluster-faults.ts';
import { faultLines } from './fault-trace.ts';
import type { RealHistory } from './real-history.ts';
import { sleep } from './kafka-error.ts';

/** One fault of the schedule, in the scenario file's words (one fault key, selectors as a scenario writes them). */
export interface ScheduledFault {
  atMs: number;
  forMs: number | null;
  command: Record<string, unknown>;
}

/** What a broker process is doing, as the fault control's GET /brokers tells. */
interface BrokerState {
  id: number;
  running: boolean;
  paused: boolean;
}

/** The fault control answered with an error, or could not be reached. */
export class NemesisError extends Error {}

export interface NemesisSummary {
  /** Faults applied (undos not counted). */
  applied: number;
  /** Faults refused by the control, or whose post failed, with the reason. */
  failed: string[];
  /** Faults that struck nothing (a selector matched no node, or the node was already down). */
  idle: number;
}

export class NemesisRunner {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly posting = new Set<Promise<void>>();
  private readonly incarnations = new Map<number, number>();
  readonly summary: NemesisSummary = { applied: 0, failed: [], idle: 0 };

  private constructor(
    private readonly url: string,
    readonly brokers: number,
    private readonly history: RealHistory,
    /** The check's clients, which the fault control calls "clients". */
    private readonly clients: readonly string[],
    private readonly log: (line: string) => void,
  ) {}

  /** Reaches the fault control at `url` (what `samsa cluster --faults` prints, with or without /faults). */
  static async connect(url: string, history: RealHistory, clients: readonly string[], log: (line: string) => void): Promise<NemesisRunner> {
    const base = url.replace(/\/(faults|brokers)\/?$/, '').replace(/\/$/, '');
    const brokers = await getBrokers(base);
    for (const b of brokers)
      if (!b.running || b.paused)
        throw new NemesisError(`broker ${b.id} of the cluster at ${base} is ${b.running ? 'paused' : 'down'}: start from a healthy cluster`);
    const runner = new NemesisRunner(base, brokers.length, history, clients, log);
    for (const b of brokers) runner.incarnations.set(b.id, 1);
    return runner;
  }

  /** Starts the schedule; times count from now. */
  start(schedule: readonly ScheduledFault[]): void {
    for (const fault of schedule) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.track(this.fire(fault));
      }, fault.atMs);
      this.timers.add(timer);
    }
  }

  /** Stops the schedule, undoes every fault (resume, heal, restart) and waits until every broker runs again. */
  async finish(timeoutMs: number): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.posting]);
    // Each undone as the schedule's faults are, so that the history shows every node resumed, every link healed, every node restarted.
    for (const command of [{ resume: 'all' }, { heal: 'all' }, { restart: 'all' }]) {
      const applied = await this.post(command);
      if (applied !== null) this.record(applied);
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const brokers = await getBrokers(this.url);
      if (brokers.every((b) => b.running && !b.paused)) return;
      if (Date.now() > deadline)
        throw new NemesisError(`brokers still down ${timeoutMs} ms after recovery: ${brokers.filter((b) => !b.running).map((b) => `b${b.id}`)}`);
      await sleep(200);
    }
  }

  private track(work: Promise<void>): void {
    this.posting.add(work);
    void work.finally(() => this.posting.delete(work));
  }

  private async fire(fault: ScheduledFault): Promise<void> {
    const applied = await this.post(fault.command);
    if (applied === null) return;
    this.summary.applied++;
    if (applied.noop === true || applied.nodes.length === 0) this.summary.idle++;
    this.record(applied);
    if (fault.forMs === null || applied.noop === true) return;
    // finish() clears this timer with the others: an undo never comes after the final recovery.
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(
        this.post({ undo: applied.id }).then((undone) => {
          if (undone !== null) this.record(undone, applied);
        }),
      );
    }, fault.forMs);
    this.timers.add(timer);
  }

  /** Posts one command; null (and a failure noted) when the control refuses it or cannot be reached. */
  private async post(command: Record<string, unknown>): Promise<AppliedFault | null> {
    const text = JSON.stringify(command);
    try {
      const res = await fetch(`${this.url}/faults`, { method: 'POST', body: text, signal: AbortSignal.timeout(30_000) });
      const answer = (await res.json()) as { applied?: AppliedFault; message?: string; error?: string };
      if (!res.ok || answer.applied === undefined) throw new Error(answer.error ?? `HTTP ${res.status}`);
      this.log(answer.message ?? text);
      return answer.applied;
    } catch (err) {
      this.summary.failed.push(`${text}: ${(err as Error).message}`);
      this.log(`fault refused: ${text}: ${(err as Error).message}`);
      return null;
    }
  }

  /** Writes what a fault did as the simulator's trace lines; `undoes` is the fault an undo ends. */
  private record(applied: AppliedFault, undoes?: AppliedFault): void {
    const incarnation = (id: number) => {
      const next = (this.incarnations.get(id) ?? 1) + 1;
      this.incarnations.set(id, next);
      return next;
    };
    for (const line of faultLines(applied, undoes ?? null, this.clients, incarnation)) this.history.note(line.node, line.event);
  }
}

async function getBrokers(base: string): Promise<BrokerState[]> {
  try {
    const res = await fetch(`${base}/brokers`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.json()) as BrokerState[];
  } catch (err) {
    throw new NemesisError(
      `cannot reach the fault control at ${base}/brokers (start the cluster with \`samsa cluster --faults\` and give the control address it prints): ${(err as Error).message}`,
    );
  }
}

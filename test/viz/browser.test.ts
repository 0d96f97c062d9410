// The visualizer in a real browser (Debian's chromium through playwright-core): open the
// quickstart's trace and a seeded bug's trace, check the diagram and the state panel against the
// derived state computed here from the file, scrub, step by keyboard, follow a violation to its
// step, restore a shared link, export, drop a trace onto the page, read the consumer-group panel
// (and a double assignment in red); no console errors anywhere. Screenshots go to
// test-artifacts/viz/.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import type { EventLine, NodeLine, TraceHeader, TraceSummary } from '../../core/trace/schema.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { FileSink } from '../../trace/sink.ts';
import { chromiumAvailable, launchChromium } from '../../viz/server/chromium.ts';
import { startVizServer } from '../../viz/server/start.ts';
import type { DerivedState, TraceListing, TraceMeta, ViolationStory } from '../../viz/shared/contract.ts';
import { applyEvent, initialState } from '../../viz/shared/state.ts';

const root = join(import.meta.dirname, '..', '..');
const artifacts = join(root, 'test-artifacts', 'viz');
// CI installs chromium and sets SAMSA_REQUIRE_BROWSER, so a missing browser fails there; on a
// developer's machine without chromium the suite is skipped with the reason in its name.
const required = process.env.SAMSA_REQUIRE_BROWSER === '1';
const runnable = required || chromiumAvailable();

interface Viz {
  ready: boolean;
  steps: number;
  step: number;
  seek(step: number): Promise<void>;
  errors: string[];
}

/** A seeded bug's trace as `samsa run <scenario> --trace <file>` writes it (the run exits 1: it finds violations). */
function samsaRun(dir: string, scenarioPath: string): string {
  const path = join(dir, basename(scenarioPath).replace(/\.yaml$/, '.jsonl'));
  const run = spawnSync(process.execPath, [join(root, 'bin', 'samsa.js'), 'run', join(root, scenarioPath), '--trace', path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`samsa run ${scenarioPath} exited ${run.status}: ${run.stderr}`);
  return path;
}

function writeTrace(dir: string, scenarioPath: string): string {
  const scenario = loadScenario(join(root, scenarioPath), { knownBugs: KNOWN_BUGS });
  const path = join(dir, `${scenario.name}.jsonl`);
  runScenario(scenario, { trace: new FileSink(path) });
  return path;
}

/** Events of one kind read back from a trace file. */
function eventsOf<K extends EventLine['kind']>(path: string, kind: K): Array<Extract<EventLine, { kind: K }>> {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(1);
  return lines.map((l) => JSON.parse(l) as EventLine | TraceSummary).filter((ev): ev is Extract<EventLine, { kind: K }> => ev.kind === kind);
}

/** A hand-made trace in which c1 and c2 of group g1 both own orders/1 (what a buggy assignor would do). */
function writeDoubleAssignment(dir: string): string {
  const path = join(dir, 'double-assignment.jsonl');
  const header: TraceHeader = { samsa: 1, scenario: 'double-assignment', seed: 1, config: {} };
  const assignment = (i: number, client: string, partitions: Array<[string, number]>): NodeLine => ({
    t: i,
    i,
    node: client,
    kind: 'client',
    op: 'assignment',
    type: 'ok',
    id: 1,
    value: { group: 'g1', generation: 1, member: `${client}-m`, partitions },
  });
  const events: NodeLine[] = [
    { t: 0, i: 0, node: 'b1', kind: 'group-state', group: 'g1', state: 'Stable', generation: 1, protocol: 'range', leader: 'c1-m', members: ['c1-m', 'c2-m'] },
    assignment(1, 'c1', [
      ['orders', 0],
      ['orders', 1],
    ]),
    assignment(2, 'c2', [
      ['orders', 1],
      ['orders', 2],
    ]),
  ];
  writeFileSync(path, [header, ...events].map((line) => JSON.stringify(line)).join('\n') + '\n');
  return path;
}

/** The derived state after every event up to kernel step `step`, computed here from the file, independent of the server. */
function stateAt(path: string, step: number): DerivedState {
  const lines = readFileSync(path, 'utf8').split('\n');
  const state = initialState(JSON.parse(lines[0]!) as TraceHeader);
  for (let i = 1; i < lines.length; i++) {
    const ev = JSON.parse(lines[i]!) as EventLine | TraceSummary;
    if (ev.kind === 'summary' || ev.i > step) break;
    applyEvent(state, ev);
  }
  return state;
}

describe.skipIf(!runnable)(runnable ? 'the visualizer in chromium' : 'the visualizer in chromium (skipped: no chromium; apt-get install chromium)', () => {
  let dir: string;
  let quickstart: string;
  let bug: string;
  let ackBeforeHw: string;
  let consumerGroup: string;
  let doubleAssignment: string;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let listing: TraceListing[];
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-viz-browser-'));
    mkdirSync(artifacts, { recursive: true });
    quickstart = writeTrace(dir, 'scenarios/quickstart.yaml');
    bug = samsaRun(dir, 'scenarios/bugs/truncate-to-hw.yaml');
    ackBeforeHw = samsaRun(dir, 'scenarios/bugs/ack-before-hw.yaml');
    consumerGroup = writeTrace(dir, 'scenarios/consumer-group.yaml');
    doubleAssignment = writeDoubleAssignment(dir);
    server = await startVizServer({ traces: [quickstart, bug, ackBeforeHw, consumerGroup, doubleAssignment], cwd: dir, host: '127.0.0.1', port: 0 });
    listing = (await (await fetch(new URL('/api/traces', server.url))).json()) as TraceListing[];
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const idOf = (path: string) => {
    const entry = listing.find((t) => t.name === basename(path) || t.path.endsWith(basename(path)));
    if (!entry) throw new Error(`${path} is not listed: ${JSON.stringify(listing)}`);
    return entry.id;
  };

  async function open(path: string, step?: number): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page: ${err.message}`));
    const query = `?trace=${encodeURIComponent(idOf(path))}${step === undefined ? '' : `&step=${step}`}`;
    await page.goto(new URL(`/${query}`, server.url).href);
    await page.waitForFunction(() => (globalThis as unknown as { samsaViz?: Viz }).samsaViz?.ready === true, null, { timeout: 60_000 });
    return page;
  }

  const viz = <T>(page: Page, read: (v: Viz) => T) => page.evaluate(read as (v: unknown) => T, undefined as never);
  const cursor = (page: Page) => page.evaluate(() => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step);
  const seek = (page: Page, step: number) => page.evaluate((s) => (globalThis as unknown as { samsaViz: Viz }).samsaViz.seek(s), step);

  async function replicaFigures(page: Page, key: string, node: string): Promise<{ leo: number; hw: number }> {
    const replica = page.getByTestId(`replica-${key}-${node}`);
    return { leo: Number(await replica.getAttribute('data-leo')), hw: Number(await replica.getAttribute('data-hw')) };
  }

  it('home lists the traces it was given', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (err) => problems.push(`page: ${err.message}`));
    await page.goto(server.url);
    const list = page.getByTestId('trace-list');
    await list.waitFor();
    const text = await list.textContent();
    expect(text).toContain('quickstart');
    expect(text).toContain('truncate-to-hw');
    await page.close();
  });

  it('opens the quickstart: a lane per node and client, arrows, and the state at the cursor', async () => {
    const page = await open(quickstart);
    const meta = (await (await fetch(new URL(`/api/traces/${idOf(quickstart)}/meta`, server.url))).json()) as TraceMeta;
    expect(await viz(page, () => (globalThis as unknown as { samsaViz: Viz }).samsaViz.steps)).toBe(meta.steps);
    for (const lane of ['b1', 'b2', 'b3', 'p1', 'p2', 'c1', 'c2']) await expect(page.getByTestId(`lane-${lane}`).count()).resolves.toBeGreaterThan(0);
    const drawn = await page.getByTestId('diagram').evaluate((svg) => svg.querySelectorAll('line, path, rect').length);
    expect(drawn).toBeGreaterThan(20);

    // The state panel at a step in the middle agrees with the state derived here from the file.
    const step = Math.floor(meta.steps * 0.6);
    await seek(page, step);
    expect(await cursor(page)).toBe(step);
    expect(await page.getByTestId('step-label').textContent()).toContain(String(step));
    const expected = stateAt(quickstart, step);
    for (const [key, partition] of Object.entries(expected.partitions)) {
      await expect(page.getByTestId(`partition-${key}`).count()).resolves.toBe(1);
      for (const [node, replica] of Object.entries(partition.replicas)) {
        expect(await replicaFigures(page, key, node)).toEqual({ leo: replica.leo, hw: replica.highWatermark });
      }
    }
    for (const node of ['b1', 'b2', 'b3']) await expect(page.getByTestId(`raft-${node}`).count()).resolves.toBe(1);

    // The partition (b1 | b2,b3 from 8 s to 18 s) shades each node's lane by its side and says whom it is cut from; clients are not on a side.
    const partition = meta.faults.findIndex((f) => f.kind === 'partition');
    const band = (lane: string) => page.getByTestId(`fault-${partition}-${lane}`);
    expect(await Promise.all(['b1', 'b2', 'b3'].map((lane) => band(lane).getAttribute('data-side')))).toEqual(['0', '1', '1']);
    expect(await band('b1').getAttribute('fill')).not.toBe(await band('b2').getAttribute('fill'));
    expect(await band('b2').getAttribute('fill')).toBe(await band('b3').getAttribute('fill'));
    expect(await band('p1').count()).toBe(0);
    expect(await page.getByTestId(`cut-note-${partition}-b1`).textContent()).toBe('✂ cut off from b2, b3');
    expect(await page.getByTestId(`cut-note-${partition}-b3`).textContent()).toBe('✂ cut off from b1');
    await page.screenshot({ path: join(artifacts, 'quickstart.png'), fullPage: true });
    await page.close();
  });

  it("draws each replica's log on an offset axis, with its high watermark and log start marked and a legend of its colours", async () => {
    // Late in the truncate-to-hw run the three partitions are led in three different epochs, and b3 lags orders/0 far behind.
    const step = 30_000;
    const page = await open(bug, step);
    const expected = stateAt(bug, step);
    const box = async (selector: string) => (await page.locator(selector).boundingBox())!;
    const epochs = new Set<string>();
    for (const [key, partition] of Object.entries(expected.partitions).filter(([k]) => k.startsWith('orders/'))) {
      const replicas = Object.values(partition.replicas);
      const top = Math.max(...replicas.map((r) => r.leo));
      const first = Math.max(0, top - 48);
      const axis = `[data-testid="axis-${key}"]`;
      expect(Number(await page.locator(axis).getAttribute('data-first'))).toBe(first);
      const labels = await page.locator(`${axis} .axis-label`).evaluateAll((ls) => ls.map((l) => [l.getAttribute('data-offset'), l.textContent]));
      expect(labels.length).toBeGreaterThan(2);
      expect(labels.at(-1)).toEqual([String(top), String(top)]);
      for (const r of replicas) {
        const cells = `[data-testid="replica-${key}-${r.node}"] .cell`;
        expect(await page.locator(cells).count()).toBe(top - first);
        // Each axis label stands at the left edge of its offset's cell.
        for (const [offset] of labels.slice(0, -1)) {
          expect(
            Math.abs((await box(`${axis} .axis-label[data-offset="${offset}"]`)).x - (await box(`${cells}[data-offset="${offset}"]`)).x),
          ).toBeLessThanOrEqual(1);
        }
        const hw = page.getByTestId(`hw-${key}-${r.node}`);
        expect(Number(await hw.getAttribute('data-offset'))).toBe(r.highWatermark);
        if (r.highWatermark >= first && r.highWatermark < top) {
          const mark = (await hw.boundingBox())!;
          expect(Math.abs(mark.x + mark.width / 2 - (await box(`${cells}[data-offset="${r.highWatermark}"]`)).x)).toBeLessThanOrEqual(1.5);
        }
        expect(Number(await page.getByTestId(`log-start-${key}-${r.node}`).getAttribute('data-offset'))).toBe(r.logStartOffset);
        for (const e of await page.locator(`${cells}[data-epoch]`).evaluateAll((cs) => cs.map((c) => c.getAttribute('data-epoch')!))) epochs.add(e);
      }
    }
    // The legend has a swatch per epoch drawn, in the colour the cells of that epoch have.
    expect(epochs.size).toBeGreaterThan(1);
    const legend = page.getByTestId('log-legend');
    for (const e of epochs) {
      const colour = (selector: string) =>
        page
          .locator(selector)
          .first()
          .evaluate((n) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(n).backgroundColor);
      expect(await colour(`[data-testid=log-legend] [data-epoch="${e}"] .cell`)).toBe(await colour(`.replica .cell[data-epoch="${e}"]`));
    }
    for (const text of ['above the high watermark', 'no record', 'high watermark', 'log start offset']) expect(await legend.textContent()).toContain(text);
    await page.getByTestId('state-panel').screenshot({ path: join(artifacts, 'replica-logs.png') });
    await page.close();
  });

  it('summarises dense stretches and draws single messages once zoomed in', async () => {
    const page = await open(quickstart);
    const diagram = page.getByTestId('diagram');
    expect(await diagram.locator('rect.density').count()).toBeGreaterThan(10);
    expect(await diagram.locator('line.msg').count()).toBe(0);
    const box = (await diagram.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + 60);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -500);
    await page.waitForFunction("document.querySelectorAll('[data-testid=diagram] line.msg').length > 0");
    const messages = await diagram.locator('line.msg').count();
    expect(messages).toBeLessThan(3000);
    expect(await diagram.locator('rect.density').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'quickstart-zoomed.png') });

    // Zoomed to a fraction of a millisecond, the axis still tells its ticks apart.
    for (let i = 0; i < 16; i++) await page.mouse.wheel(0, -500);
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
      const labels = Array.from(doc.querySelectorAll('[data-testid=diagram] .axis .tick text'), (t) => t.textContent);
      return labels.length > 2 && labels.every((l) => /\.\d{4,} s$/.test(l ?? ''));
    });
    const labels = await diagram.locator('.axis .tick text').allTextContents();
    expect(new Set(labels).size).toBe(labels.length);
    await page.close();
  });

  it('scrubs, steps by keyboard and buttons, and keeps the step in the URL', async () => {
    const page = await open(quickstart);
    const steps = await viz(page, () => (globalThis as unknown as { samsaViz: Viz }).samsaViz.steps);
    const target = Math.floor(steps / 3);
    await page.getByTestId('scrubber').evaluate((input, value) => {
      (input as unknown as { value: string }).value = String(value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }, target);
    await page.waitForFunction((s) => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step === s, target);
    await page.waitForFunction(
      (s) => new URL((globalThis as unknown as { location: { href: string } }).location.href).searchParams.get('step') === String(s),
      target,
    );

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((s) => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step === s, target + 1);
    await page.keyboard.press('k');
    await page.waitForFunction((s) => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step === s, target);
    await page.getByTestId('step-next').click();
    await page.waitForFunction((s) => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step === s, target + 1);
    await page.getByTestId('step-prev').click();
    await page.waitForFunction((s) => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step === s, target);

    // Next fault: the quickstart's partition starts at 8 s, its crash at 22 s.
    await seek(page, 0);
    await page.getByTestId('next-fault').click();
    await page.waitForFunction(() => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step > 0);
    const faultStep = await cursor(page);
    const meta = (await (await fetch(new URL(`/api/traces/${idOf(quickstart)}/meta`, server.url))).json()) as TraceMeta;
    const starts = [...meta.faults.map((f) => f.startStep), ...meta.marks.map((m) => m.step)].filter((s) => s > 0).sort((a, b) => a - b);
    expect(faultStep).toBe(starts[0]);

    // Play moves the cursor forward; pressing space pauses it.
    const before = await cursor(page);
    await page.getByTestId('play').click();
    await page.waitForFunction((s) => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step > s, before, { timeout: 10_000 });
    await page.keyboard.press('Space');
    const paused = await cursor(page);
    await page.waitForTimeout(300);
    expect(await cursor(page)).toBe(paused);
    await page.close();
  });

  it('restores a shared link at its step', async () => {
    const page = await open(quickstart, 5000);
    expect(await cursor(page)).toBe(5000);
    const expected = stateAt(quickstart, 5000);
    const [key, partition] = Object.entries(expected.partitions)[0]!;
    const [node, replica] = Object.entries(partition.replicas)[0]!;
    expect(await replicaFigures(page, key, node)).toEqual({ leo: replica.leo, hw: replica.highWatermark });
    await page.close();
  });

  it('lists the violations of a seeded bug; a click lands on the step and highlights what is involved', async () => {
    const page = await open(bug);
    const meta = (await (await fetch(new URL(`/api/traces/${idOf(bug)}/meta`, server.url))).json()) as TraceMeta;
    expect(meta.violations.length).toBeGreaterThan(0);
    const list = page.getByTestId('violations');
    expect(await list.textContent()).toContain(meta.violations[0]!.name);
    const pick = meta.violations.findIndex((v) => v.name === 'strong-isr');
    expect(pick).toBeGreaterThanOrEqual(0);
    await page.getByTestId(`violation-${pick}`).click();
    await page.waitForFunction((s) => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step === s, meta.violations[pick]!.atStep);
    expect(new URL(page.url()).searchParams.get('step')).toBe(String(meta.violations[pick]!.atStep));
    expect(await page.locator('.highlight').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'truncate-to-hw-violation.png'), fullPage: true });

    // Partitions are named topic/partition in everything shown (the raw event at the cursor aside).
    const shown = await page.locator('body').evaluate((body) => {
      const copy = body.cloneNode(true) as typeof body;
      copy.querySelector('[data-testid="event-detail"]')?.remove();
      return copy.textContent ?? '';
    });
    expect(shown).toContain('orders/0');
    expect(shown).not.toMatch(/\borders-\d/);

    // next-violation from the start lands on the first violation's step.
    await seek(page, 0);
    await page.getByTestId('next-violation').click();
    const first = Math.min(...meta.violations.map((v) => v.atStep));
    await page.waitForFunction((s) => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step === s, first);
    await page.close();
  });

  it('opens a trace with violations at the first one, and draws each violation at the step it names', async () => {
    const page = await open(bug);
    const meta = (await (await fetch(new URL(`/api/traces/${idOf(bug)}/meta`, server.url))).json()) as TraceMeta;
    const firstStep = Math.min(...meta.violations.map((v) => v.atStep));
    const first = meta.violations.findIndex((v) => v.atStep === firstStep);
    expect(await cursor(page)).toBe(firstStep);
    expect(await page.getByTestId(`violation-${first}`).getAttribute('class')).toContain('highlight');

    // trace-validation is recorded at the end of the run; its line stands where the cursor does at its step.
    const late = meta.violations.findIndex((v) => v.name === 'trace-validation');
    expect(meta.violations[late]!.t - meta.violations[late]!.atT).toBeGreaterThan(1000);
    await seek(page, meta.violations[late]!.atStep);
    const lineX = Number(await page.getByTestId(`violation-line-${late}`).getAttribute('x1'));
    const cursorX = Number(await page.locator('[data-testid=diagram] line.cursor').getAttribute('x1'));
    expect(lineX).toBeCloseTo(cursorX, 3);
    await page.close();
  });

  const metaOf = async (path: string) => (await (await fetch(new URL(`/api/traces/${idOf(path)}/meta`, server.url))).json()) as TraceMeta;
  const storyOf = async (path: string, n: number) =>
    (await (await fetch(new URL(`/api/traces/${idOf(path)}/story?n=${n}`, server.url))).json()) as ViolationStory;

  /** Chooses violation `n` and checks that its story is listed and drawn as one chain over the lanes it touches. */
  async function explained(page: Page, path: string, n: number): Promise<ViolationStory> {
    const story = await storyOf(path, n);
    await page.getByTestId(`violation-${n}`).click();
    await page.getByTestId('story-headline').waitFor();
    expect(await page.getByTestId('story-headline').textContent()).toBe(story.headline);
    const items = page.locator('[data-testid=story] .story-step');
    expect(await items.count()).toBe(story.steps.length);
    for (const [k, step] of story.steps.entries()) {
      const item = page.getByTestId(`story-step-${k}`);
      expect(await item.textContent()).toContain(step.text);
      expect((await item.getAttribute('class'))!.includes('cause')).toBe(step.cause);
      const mark = page.getByTestId(`story-mark-${k}`);
      expect([await mark.getAttribute('data-row'), await mark.getAttribute('data-lane')]).toEqual([String(step.row), step.node]);
      expect((await mark.getAttribute('class'))!.includes('cause')).toBe(step.cause);
    }
    expect(await page.getByTestId('story-chain').count()).toBe(1);
    // The lanes the chain touches are drawn in its colour, and only those.
    const touched = [...new Set(story.steps.map((s) => s.node))].filter((n) => n !== '').sort();
    const lit = await page.locator('[data-testid=diagram] g.story-lane').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-lane')!).sort());
    expect(lit).toEqual(touched);
    return story;
  }

  /** Clicks step k of the story: the cursor goes to its step, where its mark stands, and both are marked current. */
  async function followStep(page: Page, story: ViolationStory, k: number): Promise<void> {
    await page.getByTestId(`story-step-${k}`).click();
    await page.waitForFunction((s) => (globalThis as unknown as { samsaViz: Viz }).samsaViz.step === s, story.steps[k]!.step);
    await page.waitForFunction((k) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document;
      return (doc.querySelector(`[data-testid=story-mark-${k}]`)?.getAttribute('class') ?? '').includes('current');
    }, k);
    expect(await page.getByTestId(`story-step-${k}`).getAttribute('class')).toContain('current');
    const markX = Number(/translate\(([-\d.e]+),/.exec((await page.getByTestId(`story-mark-${k}`).getAttribute('transform'))!)![1]);
    const cursorX = Number(await page.locator('[data-testid=diagram] line.cursor').getAttribute('x1'));
    expect(markX).toBeCloseTo(cursorX, 3);
  }

  it("explains ack-before-hw's lost write: the acknowledgement, the election and the truncation that removed it, as one chain", async () => {
    const meta = await metaOf(ackBeforeHw);
    const page = await open(ackBeforeHw);
    const n = meta.violations.findIndex((v) => v.name === 'lost-write');
    const story = await explained(page, ackBeforeHw, n);
    expect(story.headline).toMatch(
      /^p1's write 'p1-\d+' at orders\/0 offset \d+, acknowledged to p1 at step \d+ before it was committed: b\d was elected leader without it \(step \d+\); b\d truncated it away/,
    );
    expect(story.steps[0]).toMatchObject({ role: 'origin', node: 'p1', step: meta.violations[n]!.values.ackStep });
    const causes = story.steps.flatMap((s, k) => (s.cause ? [k] : []));
    expect(causes.map((k) => story.steps[k]!.role)).toEqual(['election', 'truncation']);
    expect(await page.locator('[data-testid=diagram] .story-mark.cause').count()).toBe(2);
    // The page opened at the first violation; the chosen one is where the cursor went.
    expect(await cursor(page)).toBe(meta.violations[n]!.atStep);
    await followStep(page, story, 0);
    await followStep(page, story, causes[0]!);
    await followStep(page, story, causes[1]!);
    // The picture in docs/img/explained-lost-write.png: the chain on the diagram, the explanation beside the state.
    await page.setViewportSize({ width: 1600, height: 1240 });
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: join(artifacts, 'explained-lost-write.png') });
    await page.close();
  });

  it("explains truncate-to-hw's ISR violations and its lost write from the committed record to the truncation on the replica named", async () => {
    const meta = await metaOf(bug);
    const page = await open(bug);
    for (const name of ['strong-isr', 'leader-completeness', 'replica-log-matching', 'lost-write']) {
      const n = meta.violations.findIndex((v) => v.name === name);
      const story = await explained(page, bug, n);
      const truncation = story.steps.findIndex((s) => s.role === 'truncation' && s.cause);
      expect(truncation, name).toBeGreaterThan(0);
      expect(story.steps[truncation]!.text).toMatch(/(b\d) truncated its log to offset (\d+) \(its high watermark was \2\)/);
      if (name !== 'lost-write') {
        expect(story.steps[0]!.text).toMatch(/^offset \d+ committed: leader b\d/);
        expect(story.steps.filter((s) => s.role === 'truncation').map((s) => s.node)).toContain(meta.violations[n]!.nodes[0]);
      }
      await followStep(page, story, truncation);
    }
    // A violation whose checker has no story says so, and the chain goes away.
    await page.getByTestId(`violation-${meta.violations.findIndex((v) => v.name === 'producer-order')}`).click();
    await page.getByTestId('story-none').waitFor();
    expect(await page.getByTestId('story-none').textContent()).toContain('no explanation for producer-order');
    expect(await page.locator('[data-testid=diagram] .story-mark').count()).toBe(0);
    await page.close();
  });

  it('exports the view as SVG and PNG and the trace as a ShiViz log', async () => {
    const page = await open(quickstart);
    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
    const svgText = readFileSync(await svg.path(), 'utf8');
    expect(svgText).toMatch(/<svg[\s>]/);
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    expect(
      readFileSync(await png.path())
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    const href = await page.getByTestId('export-shiviz').getAttribute('href');
    expect(href).toBeTruthy();
    const shiviz = await (await fetch(new URL(href!, server.url))).text();
    expect(shiviz.split('\n')[1]).toBe('');
    expect(shiviz.length).toBeGreaterThan(1000);
    await page.close();
  });

  it('opens a trace dropped onto the page', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (err) => problems.push(`page: ${err.message}`));
    await page.goto(server.url);
    await page.getByTestId('drop-zone').waitFor({ state: 'attached' });
    const text = readFileSync(bug, 'utf8');
    await page.getByTestId('drop-zone').evaluate((zone, content) => {
      // Browser globals, typed here without the DOM library of the node tests.
      const dom = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: File): void } };
        DragEvent: new (type: string, init: object) => Event;
      };
      const transfer = new dom.DataTransfer();
      transfer.items.add(new File([content], 'dropped.jsonl', { type: 'application/x-ndjson' }));
      zone.dispatchEvent(new dom.DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, text);
    await page.waitForFunction(() => (globalThis as unknown as { samsaViz?: Viz }).samsaViz?.ready === true, null, { timeout: 60_000 });
    const meta = (await (await fetch(new URL(`/api/traces/${new URL(page.url()).searchParams.get('trace')}/meta`, server.url))).json()) as TraceMeta;
    expect(meta.header.scenario).toBe('truncate-to-hw');
    await page.close();
  });

  it("shows the consumer group's state, members, assignments and committed offsets at the cursor", async () => {
    // The tenth commit is long past the first checkpoint; the coordinator's crash comes later.
    const step = eventsOf(consumerGroup, 'group-commit')[9]!.i;
    const page = await open(consumerGroup, step);
    expect(await cursor(page)).toBe(step);
    const group = stateAt(consumerGroup, step).groups.g1!;
    expect(Object.keys(group.offsets).length).toBeGreaterThan(0);
    const head = await page.getByTestId('group-g1-head').textContent();
    for (const text of ['g1', 'Stable', `generation ${group.generation}`, 'protocol range', `coordinator ${group.coordinator}`]) expect(head).toContain(text);
    expect(Object.keys(group.consumers).sort()).toEqual(['c1', 'c2', 'c3']);
    for (const consumer of Object.values(group.consumers)) {
      const row = await page.getByTestId(`group-g1-member-${consumer.client}`).textContent();
      expect(row).toContain(consumer.memberId!);
      for (const [topic, partition] of consumer.partitions) expect(row).toContain(`${topic}/${partition}`);
    }
    for (const committed of Object.values(group.offsets)) {
      const row = page.getByTestId(`group-g1-offset-${committed.topic}/${committed.partition}`);
      expect(Number(await row.getAttribute('data-offset'))).toBe(committed.offset);
    }
    expect(await page.locator('.tp.double').count()).toBe(0);
    await page.getByTestId('group-g1').screenshot({ path: join(artifacts, 'consumer-group.png') });

    // Once the coordinator crashed, the panel says so until another broker loads the group.
    const coordinator = group.coordinator!;
    const crash = eventsOf(consumerGroup, 'crash').find((ev) => ev.node === coordinator)!;
    await seek(page, crash.i);
    expect(await page.getByTestId('group-g1-head').textContent()).toContain(`coordinator ${coordinator} (down)`);
    await page.close();
  });

  it('shows a partition owned by two clients at once in red', async () => {
    const page = await open(doubleAssignment, 2);
    const double = page.locator('[data-testid="group-g1-members"] .tp.double');
    expect(await double.allTextContents()).toEqual(['orders/1', 'orders/1']);
    expect(
      await double.first().evaluate((chip) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(chip).color),
    ).toBe('rgb(187, 0, 0)');
    expect(await page.getByTestId('group-g1-offset-orders/1').getAttribute('class')).toBe('double');
    expect(await page.getByTestId('group-g1-offset-orders/0').getAttribute('class')).toBe('');
    await page.getByTestId('group-g1').screenshot({ path: join(artifacts, 'double-assignment.png') });
    await page.close();
  });

  it('raised no console errors', () => {
    expect(problems).toEqual([]);
  });
});

// The visualizer's page: the trace list, or one trace replayed (diagram, controls, state at the
// cursor, violations and their explanations, export), wired together around one cursor. Exposes
// window.samsaViz.

import type { SamsaViz } from './hooks.ts';
import type { ViolationEntry } from '../shared/contract.ts';
import { traceColumns, traceMeta, violationStory } from './api.ts';
import { Controls } from './controls.ts';
import { Cursor } from './cursor.ts';
import { Diagram } from './diagram.ts';
import { el, showError } from './dom.ts';
import { exportButtons } from './export.ts';
import { showHome } from './home.ts';
import { StatePanel } from './state-panel.ts';
import { StoryPanel } from './story-panel.ts';
import { readPlace, writePlace } from './url.ts';
import { ViolationList } from './violations.ts';

const viz: SamsaViz = { ready: false, steps: 0, rows: 0, row: 0, step: 0, seek: async () => {}, seekRow: async () => {}, errors: [] };
window.samsaViz = viz;

async function openViewer(app: HTMLElement, id: string, step: number | null): Promise<void> {
  app.replaceChildren(el('p', { class: 'dim' }, 'loading the trace …'));
  const [meta, columns] = await Promise.all([traceMeta(id), traceColumns(id)]);
  document.title = `${meta.name} · Samsa`;
  document.getElementById('title')!.textContent =
    `${meta.header.scenario} · seed ${meta.header.seed} · ${meta.steps.toLocaleString('en-US')} steps · ${(meta.simMs / 1000).toFixed(1)} s simulated`;
  viz.steps = meta.steps;
  viz.rows = meta.rows;
  if (meta.rows === 0) {
    app.replaceChildren(el('p', {}, 'this trace has no events'));
    viz.ready = true;
    return;
  }

  const cursor = new Cursor(meta, columns);
  const controls = new Controls(meta, cursor);
  const panel = new StatePanel(new Set(meta.lanes.filter((l) => l.kind === 'client').map((l) => l.id)));
  const diagramBox = el('div', { class: 'diagram' });
  const sidebar = el('aside', { class: 'sidebar' });
  app.replaceChildren(el('div', { class: 'toolbar' }, controls.element), diagramBox, el('div', { class: 'below' }, panel.element, sidebar));
  const diagram = new Diagram(diagramBox, meta, columns, {
    pick: (t, row) => {
      controls.pause();
      void cursor.seekRow(row ?? cursor.rowAtTime(t));
    },
  });
  const story = new StoryPanel({
    go: (row) => {
      controls.pause();
      void cursor.seekRow(row);
    },
  });
  let chosen = 0;
  const explain = async (index: number, v: ViolationEntry) => {
    const mine = ++chosen;
    story.loading(v);
    diagram.showStory(null);
    const told = await violationStory(id, index);
    if (mine !== chosen) return;
    story.show(v, told);
    story.markCurrent(cursor.row);
    diagram.showStory(told);
  };
  const violations = new ViolationList(meta, {
    select: async (index, v, involved) => {
      controls.pause();
      diagram.highlightViolation(index);
      panel.highlight(involved);
      await Promise.all([cursor.seekRow(v.atRow), explain(index, v)]);
    },
  });
  sidebar.append(
    violations.element,
    story.element,
    el('section', {}, el('h2', {}, 'Export'), exportButtons(diagram.svg, id, meta.name.replace(/\.jsonl$/, ''))),
    legend(),
  );

  cursor.onMove((view) => {
    diagram.moveCursor(view.row);
    story.markCurrent(view.row);
    panel.render(view.state, view.event);
    controls.update(view.row);
    writePlace(id, view.step);
    viz.row = view.row;
    viz.step = view.step;
  });
  viz.seek = (s) => {
    controls.pause();
    return cursor.seekRow(cursor.rowOfStep(s));
  };
  viz.seekRow = (row) => {
    controls.pause();
    return cursor.seekRow(row);
  };
  // A link names its step; otherwise a trace with violations opens at the first one.
  const first = violations.first();
  if (step === null && first !== null) await violations.select(first);
  else await cursor.seekRow(step === null ? 0 : cursor.rowOfStep(step));
  viz.ready = true;
}

function legend(): HTMLElement {
  return el(
    'section',
    { class: 'legend' },
    el('h2', {}, 'Reading the diagram'),
    el(
      'p',
      {},
      'Lines are messages coloured by API (dashed: responses); ✕ on a line: dropped. Bars on client lanes are operations from invoke to completion: green ok, red fail, amber unknown. ✕ / ▲ above a lane: crash / restart; ✚: heal. Shaded bands: a network partition shades each lane by its side (red, blue, …) and says whom it is cut from; crashes (grey), slow links (yellow), network and disk fault spells. Dashed red lines: violations, at the step that exposed each. The explanation of the chosen violation is a chain of numbered marks across the lanes it touches (red: a step that removed the record); its steps are listed beside, each a link to its step. Scroll to zoom, drag to pan, click to move the cursor. Keys: space play/pause, j/→ next, k/← previous.',
    ),
  );
}

const place = readPlace();
const app = document.getElementById(place.trace === null ? 'home' : 'viewer')!;
app.hidden = false;
const opened = place.trace === null ? showHome(app) : openViewer(app, place.trace, place.step);
opened.catch((err: unknown) => showError(err instanceof Error ? err.message : String(err)));

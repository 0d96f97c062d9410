// Damaged traces and paths that are not files (issue 18): `replay` and `run --trace` answer with
// one line naming what is wrong and exit 64, never a stack (exit 3) or a "difference at step -1".
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexTrace } from '../../viz/server/trace-index.ts';
import { samsaInProcess as samsa, stderrLines } from './in-process.ts';
import { SHORT_SCENARIO } from './short-scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-trace-errors-'));
const trace = join(dir, 'short.jsonl');
let text = '';
let lines: string[] = [];

beforeAll(async () => {
  const scenario = join(dir, 'short.yaml');
  writeFileSync(scenario, SHORT_SCENARIO);
  const run = await samsa('run', scenario, '--trace', trace);
  expect(run.code).toBe(0);
  text = readFileSync(trace, 'utf8');
  lines = text.split('\n');
});

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function expectUserError(args: string[], message: RegExp): Promise<void> {
  const run = await samsa(...args);
  expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(64);
  expect(stderrLines(run)).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/step -1|internal error|\n\s+at /);
}

describe('replay of a damaged trace', () => {
  it('the trace replays as it is (the cases below damage it)', async () => {
    const run = await samsa('replay', trace);
    expect(run.code).toBe(0);
  });

  it('a folder instead of a trace file', async () => {
    await expectUserError(['replay', dir], /: is a folder, not a trace file$/m);
  });

  it('cut within the header (head -c 300)', async () => {
    await expectUserError(['replay', write('head-300.jsonl', text.slice(0, 300))], /head-300\.jsonl: trace truncated at line 1\b/);
  });

  it('cut in the middle of a line', async () => {
    const at = text.indexOf('\n', text.length / 2) + 20;
    const lineNo = text.slice(0, at).split('\n').length;
    await expectUserError(['replay', write('cut.jsonl', text.slice(0, at))], new RegExp(`cut\\.jsonl: trace truncated at line ${lineNo}\\b`));
  });

  it('cut at the end of a line, without its summary', async () => {
    await expectUserError(['replay', write('no-summary.jsonl', lines.slice(0, 100).join('\n') + '\n')], /trace truncated at line 100\b/);
  });

  it('the header alone', async () => {
    await expectUserError(['replay', write('header-only.jsonl', lines[0] + '\n')], /trace truncated at line 1\b/);
  });

  it('an empty file', async () => {
    await expectUserError(['replay', write('empty.jsonl', '')], /empty\.jsonl: the file is empty, not a Samsa trace/);
  });

  it('garbage bytes', async () => {
    const garbage = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7919 + 13) % 256));
    writeFileSync(join(dir, 'garbage.jsonl'), garbage);
    await expectUserError(['replay', join(dir, 'garbage.jsonl')], /garbage\.jsonl: (line 1 is not JSON|trace truncated at line 1)/);
  });

  it('a line in the body that is not JSON', async () => {
    const damaged = [...lines];
    damaged[40] = damaged[40]!.slice(0, 25);
    await expectUserError(['replay', write('bad-line.jsonl', damaged.join('\n'))], /bad-line\.jsonl: line 41 is not JSON$/m);
  });

  it('a header missing a field', async () => {
    const header = JSON.parse(lines[0]!) as Record<string, unknown>;
    delete header['seed'];
    await expectUserError(
      ['replay', write('no-seed.jsonl', [JSON.stringify(header), ...lines.slice(1)].join('\n'))],
      /no-seed\.jsonl: header \(line 1\) is missing field "seed"/,
    );
    const noSetup = JSON.parse(lines[0]!) as { config: Record<string, unknown> };
    delete noSetup.config['setup'];
    await expectUserError(
      ['replay', write('no-setup.jsonl', [JSON.stringify(noSetup), ...lines.slice(1)].join('\n'))],
      /header \(line 1\) is missing field "config\.setup"/,
    );
  });

  it('an edited header whose setup cannot run, or would build far too much before the first comparison', async () => {
    const edited = (name: string, edit: (scenario: Record<string, unknown>) => void): string => {
      const header = JSON.parse(lines[0]!) as { config: { scenario: Record<string, unknown> } };
      edit(header.config.scenario);
      return write(name, [JSON.stringify(header), ...lines.slice(1)].join('\n'));
    };
    await expectUserError(
      ['replay', edited('clients.jsonl', (s) => (s['clients'] = 5))],
      /clients\.jsonl: the header \(line 1\) was edited and cannot be re-run: config\.scenario: not a scenario/,
    );
    await expectUserError(
      ['replay', edited('nodes.jsonl', (s) => ((s['cluster'] as Record<string, unknown>)['nodes'] = 100_000))],
      /nodes\.jsonl: the header \(line 1\) was edited and cannot be re-run: config\.scenario\.cluster\.nodes: expected an integer from 1 to 64, got 100000/,
    );
  });

  it('an edited header that still runs is a difference in the header, not "step -1"', async () => {
    const run = await samsa('replay', write('spaced.jsonl', [lines[0]!.replace('"seed":1', '"seed": 1'), ...lines.slice(1)].join('\n')));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('first difference in the header (line 1)');
    expect(run.stdout).not.toContain('step -1');
  });
});

describe('run --trace that cannot be written', () => {
  it('a folder, or a path through a file', async () => {
    const scenario = write('run.yaml', SHORT_SCENARIO);
    mkdirSync(join(dir, 'folder'), { recursive: true });
    await expectUserError(['run', scenario, '--trace', join(dir, 'folder')], /cannot write the trace to .*folder: is a folder, not a file/);
    await expectUserError(['run', scenario, '--trace', join(trace, 'x.jsonl')], /cannot write the trace to .*: a part of the path is a file, not a folder/);
  });
});

describe('the visualizer indexing a damaged trace', () => {
  it('names a trace cut mid-line as truncated, and a damaged line inside as not JSON', () => {
    const at = text.indexOf('\n', text.length / 2) + 20;
    const lineNo = text.slice(0, at).split('\n').length;
    const cut = write('viz-cut.jsonl', text.slice(0, at));
    expect(() => indexTrace(cut, 'cut', 'viz-cut.jsonl')).toThrow(new RegExp(`viz-cut\\.jsonl: trace truncated at line ${lineNo}\\b`));
    const damaged = [...lines];
    damaged[40] = damaged[40]!.slice(0, 25);
    const bad = write('viz-bad-line.jsonl', damaged.join('\n'));
    expect(() => indexTrace(bad, 'bad', 'viz-bad-line.jsonl')).toThrow(/line 41 is not JSON$/);
  });
});

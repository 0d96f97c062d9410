// The picture enforced: no source file imports across an arrow the design forbids (core/ stands
// alone; sim/ and net/ never meet; models/ never leans on a runtime or the CLI; viz/ reads only
// the trace; only cli/ wires everything). The check itself is shown failing on planted imports.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, ruleBreaks, sourceFiles, TRACE_SCHEMA, type SourceFile } from './import-rules.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const files = sourceFiles(root);

describe('the arrows between folders', () => {
  it('reads the whole tree (every ruled folder that exists has sources)', () => {
    const folders = new Set(files.map((f) => f.path.split('/')[0]));
    for (const folder of ['core', 'sim', 'models', 'viz', 'cli', 'bench', 'trace', 'explore']) expect(folders).toContain(folder);
    expect(files.length).toBeGreaterThan(100);
  });

  it('no import breaks a rule', () => {
    const breaks = ruleBreaks(files).map((b) => `${b.from}:${b.line} -> ${b.to} (${b.rule})`);
    expect(breaks).toEqual([]);
  });

  it('the trace schema imports nothing at all of ours', () => {
    const schema = files.find((f) => f.path === TRACE_SCHEMA)!;
    expect(importsOf(schema)).toEqual([]);
  });
});

describe('the check fails on a planted arrow', () => {
  const planted = (path: string, specifier: string): SourceFile => ({ path, text: `// planted\nimport { x } from '${specifier}';\n` });
  const cases: Array<[string, SourceFile, string]> = [
    ['core -> sim', planted('core/broker/planted.ts', '../../sim/kernel.ts'), 'core/ imports nothing outside core/'],
    ['core -> trace/', planted('core/planted.ts', '../trace/sink.ts'), 'core/ imports nothing outside core/'],
    ['sim -> net', planted('sim/planted.ts', '../net/server.ts'), 'sim/ never imports net/'],
    ['net -> sim', planted('net/planted.ts', '../sim/kernel.ts'), 'net/ never imports sim/'],
    ['models -> sim', planted('models/planted.ts', '../sim/kernel.ts'), 'models/ never imports sim/, net/ or cli/'],
    [
      'viz -> models',
      planted('viz/server/planted.ts', '../../models/checker-suite.ts'),
      'viz/ imports only viz/, the trace schema and the shared trace reader (trace/)',
    ],
    ['bench -> cli', planted('bench/planted.ts', '../cli/output.ts'), 'bench/ imports what it measures, never cli/'],
    ['sim -> cli', planted('sim/planted.ts', '../cli/output.ts'), 'nothing but cli/ imports cli/'],
    ['sim -> explore', planted('sim/planted.ts', '../explore/explorer.ts'), 'only cli/ and bench/ use the explorer'],
    ['schema -> core', planted(TRACE_SCHEMA, '../env.ts'), 'the trace schema imports nothing else of ours'],
  ];
  for (const [name, file, rule] of cases) {
    it(`reports ${name}`, () => {
      const breaks = ruleBreaks([...files.filter((f) => f.path !== file.path), file]);
      expect(breaks.map((b) => b.rule)).toContain(rule);
      expect(breaks.find((b) => b.rule === rule)).toMatchObject({ from: file.path, line: 2 });
    });
  }

  it('sees dynamic imports, re-exports and worker URLs, not comments', () => {
    const file: SourceFile = {
      path: 'core/planted.ts',
      text: [
        "// import '../sim/kernel.ts' in prose is no import",
        "export { y } from '../sim/a.ts';",
        "const m = await import('../sim/b.ts');",
        "new URL('../sim/c.js', import.meta.url);",
      ].join('\n'),
    };
    expect(importsOf(file).map((a) => a.to)).toEqual(['sim/a.ts', 'sim/b.ts', 'sim/c.js']);
  });
});

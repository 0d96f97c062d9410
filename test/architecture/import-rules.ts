// The arrows between Samsa's folders (docs/architecture.md draws them) and the check that holds them: every
// import of every source file (static, dynamic, re-export, and worker URLs) is resolved to the
// folder it points into, and an arrow that must never be is reported with both ends.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

export interface SourceFile {
  /** Repository-relative path with forward slashes, like `core/env.ts`. */
  path: string;
  text: string;
}

export interface ImportArrow {
  from: string;
  /** The repository-relative path the import resolves to. */
  to: string;
  line: number;
}

export interface RuleBreak extends ImportArrow {
  rule: string;
}

/** The folders whose imports are ruled (test/ and scripts may import anything). */
export const RULED_FOLDERS = ['core', 'sim', 'net', 'models', 'viz', 'cli', 'bench', 'trace', 'explore'] as const;

/** The trace schema: one module that anyone may import and that imports nothing of ours. */
export const TRACE_SCHEMA = 'core/trace/schema.ts';

interface Rule {
  name: string;
  /** Whether the rule applies to an import from `from`. */
  appliesTo(from: string): boolean;
  allows(to: string): boolean;
}

const top = (path: string) => path.split('/')[0]!;
const within = (folder: string) => (path: string) => top(path) === folder;

export const RULES: readonly Rule[] = [
  { name: 'the trace schema imports nothing else of ours', appliesTo: (f) => f === TRACE_SCHEMA, allows: () => false },
  { name: 'core/ imports nothing outside core/', appliesTo: within('core'), allows: within('core') },
  { name: 'sim/ never imports net/', appliesTo: within('sim'), allows: (t) => top(t) !== 'net' },
  { name: 'net/ never imports sim/', appliesTo: within('net'), allows: (t) => top(t) !== 'sim' },
  { name: 'models/ never imports sim/, net/ or cli/', appliesTo: within('models'), allows: (t) => !['sim', 'net', 'cli'].includes(top(t)) },
  {
    name: 'viz/ imports only viz/, the trace schema and the shared trace reader (trace/)',
    appliesTo: within('viz'),
    allows: (t) => top(t) === 'viz' || t === TRACE_SCHEMA || top(t) === 'trace',
  },
  { name: 'trace/ imports only trace/ and the trace schema', appliesTo: within('trace'), allows: (t) => top(t) === 'trace' || t === TRACE_SCHEMA },
  { name: 'bench/ imports what it measures, never cli/', appliesTo: within('bench'), allows: (t) => top(t) !== 'cli' },
  { name: 'only cli/ and bench/ use the explorer', appliesTo: (f) => !['cli', 'bench', 'explore'].includes(top(f)), allows: (t) => top(t) !== 'explore' },
  { name: 'explore/ runs simulations, never net/', appliesTo: within('explore'), allows: (t) => top(t) !== 'net' },
  { name: 'nothing but cli/ imports cli/', appliesTo: (f) => top(f) !== 'cli', allows: (t) => top(t) !== 'cli' },
];

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bnew\s+URL\(\s*)(['"])(\.{1,2}\/[^'"]+)\1/g;

/** Every relative import in a file, resolved against its folder. */
export function importsOf(file: SourceFile): ImportArrow[] {
  const arrows: ImportArrow[] = [];
  const code = blankComments(file.text);
  for (const m of code.matchAll(SPECIFIER)) {
    const to = normalize(join(dirname(file.path), m[2]!))
      .split(sep)
      .join('/');
    arrows.push({ from: file.path, to, line: code.slice(0, m.index).split('\n').length });
  }
  return arrows;
}

/** Every import that breaks a rule, in file order. */
export function ruleBreaks(files: readonly SourceFile[]): RuleBreak[] {
  const breaks: RuleBreak[] = [];
  for (const file of files) {
    for (const arrow of importsOf(file)) {
      for (const rule of RULES) if (rule.appliesTo(arrow.from) && !rule.allows(arrow.to)) breaks.push({ ...arrow, rule: rule.name });
    }
  }
  return breaks;
}

/** The sources of the ruled folders under `root`. */
export function sourceFiles(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'node_modules') walk(path);
      } else if (/\.(ts|js|mjs)$/.test(name)) {
        files.push({ path: relative(root, path).split(sep).join('/'), text: readFileSync(path, 'utf8') });
      }
    }
  };
  for (const folder of RULED_FOLDERS) {
    const dir = join(root, folder);
    if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) walk(dir);
  }
  return files;
}

/** Comments blanked out (line breaks kept), so that prose naming a path is no import. */
function blankComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
}

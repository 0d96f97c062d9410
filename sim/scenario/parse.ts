// Reads scenario files: YAML kept with source positions, then the schema; each problem becomes
// one line "<file>:<line>:<col>: <path>: <expected, got>" of a ScenarioError, never a stack trace.

import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { validateScenario, type SchemaIssue } from './schema.ts';
import type { Scenario } from './types.ts';

export interface ScenarioOptions {
  /** Names accepted under `bugs:`; the error for any other lists these. */
  knownBugs: readonly string[];
}

export interface ScenarioProblem {
  /** 1-based; 0 when the problem has no place in the text (an unreadable file). */
  line: number;
  col: number;
  /** Where in the document, like `faults[2].at`; empty for syntax and file problems. */
  path: string;
  message: string;
}

// Enough to fix a file in one pass without burying the first problem under a screenful.
const MAX_PROBLEMS = 10;

/** A scenario file that cannot be used; the message lists each problem on its own line. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly file: string,
    readonly problems: readonly ScenarioProblem[],
  ) {
    const shown = problems.slice(0, MAX_PROBLEMS).map((p) => formatProblem(file, p));
    if (problems.length > MAX_PROBLEMS) shown.push(`${file}: ... and ${problems.length - MAX_PROBLEMS} more problems`);
    super(shown.join('\n'));
  }

  /**
   * The first problem on one line, then how many more there are and on which lines: what the
   * command line prints (a user error is one line), so a file can still be fixed in one pass.
   */
  oneLine(): string {
    const [first, ...rest] = this.problems;
    if (first === undefined) return `${this.file}: unusable scenario file`;
    if (rest.length === 0) return formatProblem(this.file, first);
    const lines = [...new Set(rest.map((p) => p.line).filter((line) => line > 0))];
    const where = lines.length === 0 ? '' : `, on line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}`;
    return `${formatProblem(this.file, first)} (and ${rest.length} more problem${rest.length === 1 ? '' : 's'}${where})`;
  }
}

/** "<file>:<line>:<col>: <path>: <message>", on one line whatever the message holds. */
function formatProblem(file: string, p: ScenarioProblem): string {
  const where = p.line > 0 ? `${file}:${p.line}:${p.col}` : file;
  const message = p.message.replace(/\s*\n\s*/g, ' ');
  return p.path === '' ? `${where}: ${message}` : `${where}: ${p.path}: ${message}`;
}

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `faults[2].at`; keys that are not plain words (Kafka config names have dots) are quoted. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (BARE_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '(document)' : out;
}

interface Located {
  offset: number;
  /** The last path segment is a key that the mapping does not have. */
  missing: boolean;
}

/**
 * Finds the text offset for a path: the value's node, or for a key the mapping lacks, the mapping.
 * `atKey` points at the key itself instead of its value (for unknown keys).
 */
function locate(doc: Document, path: ReadonlyArray<string | number>, atKey: boolean): Located {
  let node: unknown = doc.contents;
  let offset = 0;
  const start = (n: unknown): number | undefined => {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    return range ? range[0] : undefined;
  };
  offset = start(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isAlias(node)) node = node.resolve(doc) ?? node;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return { offset, missing: last };
      const keyStart = start(pair.key);
      const valueStart = start(pair.value);
      if (last && atKey) return { offset: keyStart ?? offset, missing: false };
      offset = valueStart ?? keyStart ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      offset = start(node) ?? offset;
    } else {
      return { offset, missing: false };
    }
  }
  return { offset, missing: false };
}

const GOT_NOTHING = ', got nothing';

function problemsOf(doc: Document, lines: LineCounter, issues: readonly SchemaIssue[]): Array<ScenarioProblem & { offset: number }> {
  const out: Array<ScenarioProblem & { offset: number }> = [];
  const add = (offset: number, path: ReadonlyArray<string | number>, message: string) => {
    const pos = lines.linePos(offset);
    out.push({ offset, line: pos.line, col: pos.col, path: formatPath(path), message });
  };
  for (const issue of issues) {
    if (issue.unknownKeys) {
      for (const key of issue.unknownKeys) {
        const path = [...issue.path, key];
        add(locate(doc, path, true).offset, path, `unknown key ${JSON.stringify(key)}; ${issue.message}`);
      }
      continue;
    }
    const where = locate(doc, issue.path, false);
    let message = issue.message;
    if (where.missing && message.endsWith(GOT_NOTHING)) message = `required but missing; ${message.slice(0, -GOT_NOTHING.length)}`;
    add(where.offset, issue.path, message);
  }
  // File order reads best; the sort is stable, so problems at one place keep the schema's order.
  return out.sort((a, b) => a.offset - b.offset);
}

/** Parses and validates scenario text; `file` is only used to name the source in errors. */
export function parseScenario(text: string, file: string, options: ScenarioOptions): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yamlProblems = [...doc.errors, ...doc.warnings].map((e): ScenarioProblem => {
    const pos = lines.linePos(e.pos[0]);
    const message = e.code === 'MULTIPLE_DOCS' ? 'a scenario file holds one YAML document, got several' : e.message;
    return { line: pos.line, col: pos.col, path: '', message: `YAML: ${message}` };
  });
  // A list or mapping as a key has no place in the format, and yaml would stringify it with a warning.
  visit(doc, {
    Pair(_, pair) {
      if (pair.key === null || isScalar(pair.key)) return;
      const pos = lines.linePos((pair.key as { range?: [number, number, number] }).range?.[0] ?? 0);
      yamlProblems.push({ line: pos.line, col: pos.col, path: '', message: 'YAML: expected a plain key, got a list or mapping as a key' });
    },
  });
  if (yamlProblems.length > 0) throw new ScenarioError(file, yamlProblems);
  let raw: unknown;
  try {
    // The alias limit keeps a "billion laughs" file from exhausting memory.
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ScenarioError(file, [{ line: 1, col: 1, path: '', message: `YAML: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  const result = validateScenario(raw, options.knownBugs);
  if (result.ok) return result.scenario;
  throw new ScenarioError(
    file,
    problemsOf(doc, lines, result.issues).map(({ offset: _, ...p }) => p),
  );
}

/** Why a file could not be read, in words, for the errno codes a user causes. */
const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** Reads and parses a scenario file; an unreadable file is a ScenarioError too. */
export function loadScenario(path: string, options: ScenarioOptions): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = (code !== undefined ? READ_ERRORS[code] : undefined) ?? code ?? (e instanceof Error ? e.message : String(e));
    throw new ScenarioError(path, [{ line: 0, col: 0, path: '', message: `cannot read the scenario file (${reason})` }]);
  }
  return parseScenario(text, path, options);
}

// Finds the sources of nondeterminism the design forbids in core/, sim/, models/ and trace/: wall-clock
// time, unseeded randomness, real timers, and (in core/ only) direct IO. Comments are ignored.

export interface Finding {
  file: string;
  line: number;
  name: string;
  text: string;
}

const FORBIDDEN_EVERYWHERE: Array<[string, RegExp]> = [
  ['Date', /\bDate\b/],
  ['Math.random', /\bMath\s*\.\s*random\b/],
  ['setTimeout', /\bsetTimeout\b/],
  ['setInterval', /\bsetInterval\b/],
  ['setImmediate', /\bsetImmediate\b/],
  ['queueMicrotask', /\bqueueMicrotask\b/],
  ['performance.now', /\bperformance\s*\.\s*now\b/],
  ['process.hrtime', /\bprocess\s*\.\s*hrtime\b/],
  ['crypto random', /\b(randomBytes|randomUUID|randomInt|randomFill(Sync)?|getRandomValues)\b/],
];

const FORBIDDEN_IN_CORE: Array<[string, RegExp]> = [
  ['IO module import', /from\s+['"](node:)?(fs|fs\/promises|net|dgram|http|https|http2|tls|child_process|worker_threads|os|crypto)['"]/],
  ['process', /\bprocess\s*\./],
];

/** Blanks out comments (keeping line breaks) so that prose may name what code must not use. */
export function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (comment) => comment.replace(/[^\n]/g, ' '));
}

export function findForbidden(file: string, source: string, options: { core: boolean }): Finding[] {
  const rules = options.core ? [...FORBIDDEN_EVERYWHERE, ...FORBIDDEN_IN_CORE] : FORBIDDEN_EVERYWHERE;
  const findings: Finding[] = [];
  const original = source.split('\n');
  stripComments(source)
    .split('\n')
    .forEach((text, i) => {
      for (const [name, pattern] of rules) {
        if (pattern.test(text)) findings.push({ file, line: i + 1, name, text: original[i]!.trim() });
      }
    });
  return findings;
}

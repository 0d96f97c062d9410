// `--bug <name...>` is variadic, so commander takes every word after it as a bug name and
// `samsa run --bug truncate-to-hw scenario.yaml` loses its scenario. Before parsing, a word after
// --bug that is not a seeded bug but a scenario file (it ends in .yaml or .yml, or is a file) is
// moved in front of --bug, where it is the positional argument it was meant to be.

import { existsSync, statSync } from 'node:fs';
import { KNOWN_BUGS } from '../core/bugs.ts';

/** The commands whose positional argument is a scenario and that take --bug. */
const SCENARIO_COMMANDS: ReadonlySet<string> = new Set(['run', 'explore']);

function looksLikeScenario(word: string): boolean {
  if (KNOWN_BUGS.includes(word)) return false;
  if (/\.ya?ml$/i.test(word)) return true;
  try {
    return existsSync(word) && statSync(word).isFile();
  } catch {
    return false;
  }
}

/** `argv` with scenario files taken out of --bug's list and put before it. */
export function scenarioOutOfBugList(argv: readonly string[]): string[] {
  const command = argv.find((word) => !word.startsWith('-'));
  if (command === undefined || !SCENARIO_COMMANDS.has(command)) return [...argv];
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (word !== '--bug') {
      out.push(word);
      continue;
    }
    const values: string[] = [];
    while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) values.push(argv[++i]!);
    const scenarios = values.filter(looksLikeScenario);
    out.push(...scenarios, word, ...values.filter((v) => !scenarios.includes(v)));
  }
  return out;
}

// Units in scenario files: durations ("250ms", "1.5s", "2m"), rates ("100/s") and probabilities.
// Each parser returns the value or a message "expected ..., got ..." for the schema to place.

export type UnitResult = { ok: true; value: number } | { ok: false; message: string };

/** 10,000 hours: far beyond any run, and small enough that microsecond sums stay exact. */
export const MAX_DURATION_MS = 36_000_000_000;

const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PER_SEC_PER_UNIT: Record<string, number> = { ms: 1_000, s: 1, m: 1 / 60, h: 1 / 3_600 };
// Digits with an optional fraction, then an optional unit made of letters; anything else is not a
// quantity at all and gets the "like 5s" hint rather than an "unknown unit" one.
const QUANTITY = /^(-?)(\d+(?:\.\d+)?|\.\d+)([a-zA-Zµ]*)$/;
const RATE = /^(-?)(\d+(?:\.\d+)?|\.\d+)\s*\/\s*([a-zA-Z]+)$/;

/** How a value from the file is shown in an error: strings quoted, containers by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return value.length === 1 ? 'a list of 1 item' : `a list of ${value.length} items`;
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

// The simulator's clock counts whole microseconds, so finer fractions of a ms cannot matter;
// rounding also removes float noise such as 1.1 * 1000 = 1100.0000000000002.
function toMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000 + 0; // + 0 turns -0 into 0
}

/**
 * A duration in ms: a bare number is ms, a string carries a unit (ms, s, m, h).
 * `positive` rejects zero as well as negatives.
 */
export function parseDuration(input: unknown, options: { positive?: boolean } = {}): UnitResult {
  const like = 'a duration like "5s" or "250ms"';
  let ms: number;
  if (typeof input === 'number') {
    ms = input;
  } else if (typeof input === 'string') {
    const m = QUANTITY.exec(input.trim());
    if (!m) return { ok: false, message: `expected ${like}, got ${describeValue(input)}` };
    const unit = m[3] === '' ? 'ms' : m[3]!;
    const scale = MS_PER_UNIT[unit];
    if (scale === undefined) {
      return { ok: false, message: `expected ${like} (units: ms, s, m, h), got unknown unit "${unit}" in ${describeValue(input)}` };
    }
    ms = (m[1] === '-' ? -1 : 1) * Number(m[2]) * scale;
  } else {
    return { ok: false, message: `expected ${like}, got ${describeValue(input)}` };
  }
  if (!Number.isFinite(ms)) return { ok: false, message: `expected ${like}, got ${describeValue(input)}` };
  if (ms < 0) return { ok: false, message: `expected a duration >= 0, got ${describeValue(input)}` };
  if (ms > MAX_DURATION_MS) return { ok: false, message: `expected a duration of at most 10000h, got ${describeValue(input)}` };
  const value = toMicros(ms);
  if (options.positive && value <= 0) return { ok: false, message: `expected a duration > 0, got ${describeValue(input)}` };
  return { ok: true, value };
}

/** A rate in events per second: "100/s", "6000/m", or a bare number (per second). Must be > 0. */
export function parseRate(input: unknown): UnitResult {
  const like = 'a rate like "100/s" or "6000/m"';
  let perSec: number;
  if (typeof input === 'number') {
    perSec = input;
  } else if (typeof input === 'string') {
    const m = RATE.exec(input.trim());
    if (!m) return { ok: false, message: `expected ${like}, got ${describeValue(input)}` };
    const scale = PER_SEC_PER_UNIT[m[3]!];
    if (scale === undefined) {
      return { ok: false, message: `expected ${like} (per ms, s, m or h), got unknown unit "${m[3]}" in ${describeValue(input)}` };
    }
    perSec = (m[1] === '-' ? -1 : 1) * Number(m[2]) * scale;
  } else {
    return { ok: false, message: `expected ${like}, got ${describeValue(input)}` };
  }
  if (!Number.isFinite(perSec)) return { ok: false, message: `expected ${like}, got ${describeValue(input)}` };
  if (perSec <= 0) return { ok: false, message: `expected a rate > 0, got ${describeValue(input)}` };
  return { ok: true, value: perSec };
}

/** A probability: a number in [0, 1]. Percent strings are refused so "10%" never means 10. */
export function parseProbability(input: unknown): UnitResult {
  if (typeof input === 'number' && Number.isFinite(input) && input >= 0 && input <= 1) return { ok: true, value: input };
  return { ok: false, message: `expected a probability from 0 to 1, got ${describeValue(input)}` };
}

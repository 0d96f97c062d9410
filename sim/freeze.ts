// Messages are values: once handed to `send`, nobody may change them (a real runtime serialises
// them, so a change after sending would be a behaviour only the simulator has). In tests the
// kernel deep-freezes every message it is given, so that any mutation, by sender or receiver,
// throws where it happens. Byte arrays cannot be frozen and are left as they are.

/** Freezes `value` and everything reachable from it (typed arrays and already frozen objects excepted). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/** Whether runs freeze messages by default: set SAMSA_FREEZE_MESSAGES=1 (the test suites do). */
export function freezeMessagesByDefault(): boolean {
  return process.env['SAMSA_FREEZE_MESSAGES'] === '1';
}

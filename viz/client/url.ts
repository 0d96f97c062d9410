// The page's address: ?trace=ID opens a trace, &step=N its kernel step, so every moment is a link.

export interface Place {
  trace: string | null;
  step: number | null;
}

export function readPlace(): Place {
  const params = new URL(location.href).searchParams;
  const step = params.get('step');
  return { trace: params.get('trace'), step: step !== null && /^\d+$/.test(step) ? Number(step) : null };
}

/** Replaces the address (no history entry per step) with the trace and step. */
export function writePlace(trace: string, step: number): void {
  const url = new URL(location.href);
  url.searchParams.set('trace', trace);
  url.searchParams.set('step', String(step));
  history.replaceState(null, '', url);
}

export function openTrace(trace: string): void {
  location.href = `/?trace=${encodeURIComponent(trace)}`;
}

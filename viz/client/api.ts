// The browser's side of the visualizer's HTTP API (ROUTES in viz/shared/contract.ts).

import type { EventLine } from '../../core/trace/schema.ts';
import { decodeColumns } from '../shared/columns.ts';
import {
  MAX_EVENTS_PER_REQUEST,
  ROUTES,
  type DerivedState,
  type TraceColumns,
  type TraceListing,
  type TraceMeta,
  type ViolationStory,
} from '../shared/contract.ts';

/** A request the server refused or that failed: its message is the server's own `error`. */
export class ApiError extends Error {}

async function get(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = ((await res.json()) as { error?: string }).error ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(`${url}: ${message}`);
  }
  return res;
}

export const listTraces = async (): Promise<TraceListing[]> => (await get(ROUTES.list)).json();
export const traceMeta = async (id: string): Promise<TraceMeta> => (await get(ROUTES.meta(id))).json();
export const traceColumns = async (id: string): Promise<TraceColumns> => decodeColumns(await (await get(ROUTES.columns(id))).arrayBuffer());
/** The event lines of rows from..to inclusive, in requests of at most MAX_EVENTS_PER_REQUEST rows. */
export async function traceEvents(id: string, from: number, to: number): Promise<EventLine[]> {
  const chunks: Array<Promise<EventLine[]>> = [];
  for (let a = from; a <= to; a += MAX_EVENTS_PER_REQUEST) {
    const b = Math.min(to, a + MAX_EVENTS_PER_REQUEST - 1);
    chunks.push(get(`${ROUTES.events(id)}?from=${a}&to=${b}`).then((res) => res.json() as Promise<EventLine[]>));
  }
  return (await Promise.all(chunks)).flat();
}
/** The story of violation `n`, or null when its checker has none. */
export const violationStory = async (id: string, n: number): Promise<ViolationStory | null> => (await get(`${ROUTES.story(id)}?n=${n}`)).json();
export const checkpoint = async (id: string, row: number): Promise<DerivedState> => (await get(`${ROUTES.checkpoint(id)}?row=${row}`)).json();

/** Sends a dropped file; answers the new trace's id. */
export async function uploadTrace(file: File): Promise<string> {
  const res = await fetch(`${ROUTES.upload}?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    body: file,
    headers: { 'content-type': 'application/x-ndjson' },
  });
  const body = (await res.json()) as { id?: string; error?: string };
  if (!res.ok || body.id === undefined) throw new ApiError(body.error ?? `${res.status} ${res.statusText}`);
  return body.id;
}

// What the visualizer reads of a send's message, which the trace schema leaves `unknown` (its body
// is the protocol's): the API it belongs to and whether it is a request or a response.

/** The message's string field `api` or `kind`, or undefined when it has none. */
export function messageField(msg: unknown, field: 'api' | 'kind'): string | undefined {
  if (typeof msg !== 'object' || msg === null) return undefined;
  const value: unknown = Reflect.get(msg, field);
  return typeof value === 'string' ? value : undefined;
}

// The one error the wire codec throws for bytes it cannot read or values it cannot write: what was wrong,
// and where in the message (a path like `topics[0].partitions[2].records`).

export class WireFormatError extends Error {
  /** What was wrong, without the place. */
  readonly problem: string;
  /** Where in the message: field names joined by dots, array elements as `[i]`; '' for the message itself. */
  readonly path: string;

  constructor(problem: string, path = '') {
    super(path === '' ? problem : `${problem} at ${path}`);
    this.name = 'WireFormatError';
    this.problem = problem;
    this.path = path;
  }

  /** The same error seen one level further out: `segment` is a field name or an array index `[i]`. */
  within(segment: string): WireFormatError {
    const path = this.path === '' ? segment : this.path.startsWith('[') ? segment + this.path : `${segment}.${this.path}`;
    return new WireFormatError(this.problem, path);
  }
}

/** A version outside the message's valid versions: the broker answers UNSUPPORTED_VERSION. */
export class UnsupportedVersionError extends WireFormatError {
  constructor(
    readonly messageName: string,
    readonly version: number,
  ) {
    super(`unsupported version ${version} of ${messageName}`);
    this.name = 'UnsupportedVersionError';
  }
}

/** Rethrow helper for a catch block: a WireFormatError gains the path segment, anything else (a bug) passes unchanged. */
export function within(error: unknown, segment: string): unknown {
  return error instanceof WireFormatError ? error.within(segment) : error;
}

/** A short description of a JavaScript value for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} chars` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

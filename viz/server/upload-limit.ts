// The cap on a trace dropped onto the page: a declared size over the cap is refused at once, and a
// body that runs past it (no size declared) is read to its end but not kept, so that the browser
// gets the answer rather than a broken connection.

import { Transform, type TransformCallback } from 'node:stream';

/** Traces up to 1 GiB may be dropped; larger ones are opened by path (`samsa viz FILE`). */
export const DEFAULT_MAX_UPLOAD_BYTES = 1 << 30;

/** A dropped trace over the cap: answered with 413. */
export class UploadTooLarge extends Error {
  constructor(maxBytes: number, bytes: number | null) {
    const size = bytes === null ? 'larger than' : `${megabytes(bytes)}, more than`;
    super(`the trace is ${size} the upload limit of ${megabytes(maxBytes)}: open it with \`samsa viz <its path>\` instead of dropping it`);
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(bytes < 1 << 20 ? 3 : 1)} MiB`;
}

/** Passes the first `maxBytes` bytes through and drops the rest; `exceeded` says whether there was more. */
export class ByteLimit extends Transform {
  private seen = 0;
  exceeded = false;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const room = this.maxBytes - this.seen;
    this.seen += chunk.length;
    if (chunk.length <= room) return done(null, chunk);
    this.exceeded = true;
    done(null, room > 0 ? chunk.subarray(0, room) : undefined);
  }
}

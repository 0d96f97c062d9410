// The visualizer's HTTP routes (see ROUTES in viz/shared/contract.ts): the page and its bundled
// client, the trace list and uploads, and per trace its metadata, binary columns, raw events,
// state checkpoints, violation stories, ShiViz log and file. Every request must be addressed to this server
// (local-only.ts), uploads are capped (upload-limit.ts), and every API error is JSON that says
// what was wrong.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import express, { type NextFunction, type Request, type Response } from 'express';
import { encodeColumns } from '../shared/columns.ts';
import { MAX_EVENTS_PER_REQUEST, ROUTES } from '../shared/contract.ts';
import { CatalogError, type TraceCatalog } from './catalog.ts';
import { localOnly } from './local-only.ts';
import { writeShiviz } from './shiviz.ts';
import { storyOf } from './stories.ts';
import { readRows, TraceIndexError, type TraceIndex } from './trace-index.ts';
import { UploadTooLarge } from './upload-limit.ts';

const CLIENT_DIR = join(import.meta.dirname, '..', 'client');

/** An error answered with its status and message. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The client bundle, built once per server from viz/client/main.ts. */
function clientBundle(): () => Promise<string> {
  let bundle: Promise<string> | null = null;
  return () => {
    bundle ??= build({
      entryPoints: [join(CLIENT_DIR, 'main.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2022',
      minify: true,
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0]!.text);
    return bundle;
  };
}

export interface VizAppOptions {
  /** The names a request's Host (and Origin) may give this server (see local-only.ts). */
  hosts: readonly string[];
  /** The largest trace the page may upload. */
  maxUploadBytes: number;
}

export function vizApp(catalog: TraceCatalog, options: VizAppOptions): express.Express {
  const app = express();
  const bundle = clientBundle();
  // Bundle now, in esbuild's own process, so that the first page does not wait for it.
  bundle().catch(() => {});
  app.disable('x-powered-by');
  // No ETags: express would hash every body, tens of megabytes for a large trace's columns.
  app.set('etag', false);
  app.use(localOnly(options.hosts));

  app.get(ROUTES.page, (req, res) => {
    const sole = catalog.soleTraceId();
    // A bare `/` opens the sole trace; `/?home` (the page's header link) lists them all.
    if (Object.keys(req.query).length === 0 && sole !== null) {
      res.redirect(`/?trace=${sole}`);
      return;
    }
    res.type('html').send(readFileSync(join(CLIENT_DIR, 'index.html'), 'utf8'));
    // The page will ask for this trace's index next: start building it while the browser loads the script.
    if (typeof req.query.trace === 'string') {
      const id = req.query.trace;
      res.once('finish', () =>
        setImmediate(() => {
          try {
            catalog.index(id);
          } catch {
            // the page's own request reports what is wrong
          }
        }),
      );
    }
  });
  app.get(ROUTES.script, async (_req, res, next) => {
    try {
      res.type('js').send(await bundle());
    } catch (err) {
      next(err);
    }
  });
  app.get(ROUTES.style, (_req, res) => {
    res.type('css').send(readFileSync(join(CLIENT_DIR, 'style.css'), 'utf8'));
  });

  app.get(ROUTES.list, (_req, res) => {
    res.json(catalog.list());
  });
  app.post(ROUTES.upload, async (req, res, next) => {
    try {
      const name = typeof req.query.name === 'string' ? req.query.name : 'dropped.jsonl';
      const declared = Number(req.headers['content-length']);
      if (declared > options.maxUploadBytes) throw new UploadTooLarge(options.maxUploadBytes, declared);
      res.status(201).json({ id: await catalog.upload(req, name, options.maxUploadBytes) });
    } catch (err) {
      next(err);
    }
  });

  // The routes encode the id, so a placeholder goes in and express's parameter comes out.
  const traceRoute = (route: (id: string) => string) => route('ID').replace('ID', ':id');
  const indexOf = (req: Request): TraceIndex => {
    const id = String(req.params.id);
    const index = catalog.index(id);
    if (index === null) throw new HttpError(404, `no trace with id ${id}`);
    return index;
  };

  app.get(traceRoute(ROUTES.meta), (req, res) => {
    res.json(indexOf(req).meta);
  });
  app.get(traceRoute(ROUTES.columns), (req, res) => {
    const bytes = encodeColumns(indexOf(req).columns);
    res.type('application/octet-stream').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
  app.get(traceRoute(ROUTES.events), (req, res) => {
    const index = indexOf(req);
    const rows = index.meta.rows;
    const from = rowParam(req, 'from', rows);
    const to = rowParam(req, 'to', rows);
    if (to < from) throw new HttpError(400, `to (${to}) is before from (${from})`);
    if (to - from + 1 > MAX_EVENTS_PER_REQUEST) throw new HttpError(400, `at most ${MAX_EVENTS_PER_REQUEST} rows per request (asked for ${to - from + 1})`);
    res.type('json').send(`[${readRows(index, from, to).join(',')}]`);
  });
  app.get(traceRoute(ROUTES.checkpoint), (req, res) => {
    const index = indexOf(req);
    const row = rowParam(req, 'row', index.meta.rows);
    res.json(index.checkpoints.atOrBefore(row));
  });
  app.get(traceRoute(ROUTES.story), (req, res) => {
    const index = indexOf(req);
    const count = index.meta.violations.length;
    if (count === 0) throw new HttpError(404, 'this trace has no violations');
    const n = rowParam(req, 'n', count, 'a violation');
    // null: the violation's checker has no story (not an error: the page asks for every violation it shows).
    res.json(storyOf(index, n));
  });
  app.get(traceRoute(ROUTES.shiviz), (req, res) => {
    const index = indexOf(req);
    res.type('text/plain').attachment(`${index.meta.name.replace(/\.jsonl$/, '')}.shiviz.log`);
    writeShiviz(index.path, (chunk) => res.write(chunk));
    res.end();
  });
  app.get(traceRoute(ROUTES.raw), (req, res) => {
    const path = catalog.pathOf(String(req.params.id));
    if (path === null) throw new HttpError(404, `no trace with id ${req.params.id}`);
    res.download(path);
  });

  app.use('/api', (req, _res, next) => next(new HttpError(404, `no such API: ${req.method} ${req.originalUrl}`)));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      err instanceof HttpError ? err.status : err instanceof UploadTooLarge ? 413 : err instanceof CatalogError || err instanceof TraceIndexError ? 422 : 500;
    const message = err instanceof Error ? err.message : String(err);
    res.status(status).json({ error: message });
  });
  return app;
}

/** An integer in 0..count-1 (a row, unless said) from the query, or a 400 that names the parameter. */
function rowParam(req: Request, name: string, count: number, what = 'a row'): number {
  const raw = req.query[name];
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 0 || value >= count) {
    throw new HttpError(400, `?${name}= must be ${what} from 0 to ${count - 1} (got ${raw === undefined ? 'nothing' : JSON.stringify(raw)})`);
  }
  return value;
}

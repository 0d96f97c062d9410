// Boots an explorer worker thread: registers the TypeScript loader (bin/ts-loader.js) so the sources load, then runs the worker.
import '../bin/ts-loader.js';

await import('./worker.ts');

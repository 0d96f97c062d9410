// Boots an explorer worker thread: registers tsx so the TypeScript sources load, then runs the worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');

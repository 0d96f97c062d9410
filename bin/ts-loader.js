// Registers bin/ts-hooks.js, so that the TypeScript sources load in this thread (every entry point
// imports it first: the CLI, the explorer's worker threads, the storage bench's writer), and has
// stack traces name the .ts lines through the inline source maps.
import { register } from 'node:module';

register('./ts-hooks.js', import.meta.url);
process.setSourceMapsEnabled(true);

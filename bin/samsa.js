#!/usr/bin/env node
// Runs the TypeScript sources of the `samsa` command (no build step: bin/ts-loader.js compiles them as they load).
import './ts-loader.js';

const { main } = await import('../cli/main.ts');
await main(process.argv.slice(2));

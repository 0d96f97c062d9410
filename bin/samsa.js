#!/usr/bin/env node
// Runs the TypeScript sources of the `samsa` command through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main(process.argv.slice(2));

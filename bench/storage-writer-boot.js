// Boots the killed writer of `samsa bench storage`: registers the TypeScript loader (bin/ts-loader.js), then runs it.
import '../bin/ts-loader.js';

await import('./storage-writer.ts');

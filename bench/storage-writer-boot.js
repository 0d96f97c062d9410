// Boots the killed writer of `samsa bench storage`: registers tsx so the TypeScript sources load, then runs it.
import { register } from 'tsx/esm/api';

register();
await import('./storage-writer.ts');

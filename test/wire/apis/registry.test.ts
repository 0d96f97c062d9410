// The registry of API specs: every API module is listed once, by its key, with a request and a
// response spec that agree on key and versions; the modules in core/wire/apis/ are all there.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_SPECS, apiSpecs } from '../../../core/wire/apis/index.ts';

describe('the API registry', () => {
  it('lists each key once, request and response agreeing on key and versions', () => {
    expect(new Set(API_SPECS.map((a) => a.apiKey)).size).toBe(API_SPECS.length);
    for (const a of API_SPECS) {
      expect(a.request).toMatchObject({ apiKey: a.apiKey, type: 'request' });
      expect(a.response).toMatchObject({
        apiKey: a.apiKey,
        type: 'response',
        validVersions: a.request.validVersions,
        flexibleVersions: a.request.flexibleVersions,
      });
      expect(apiSpecs(a.apiKey)).toBe(a);
    }
    expect(apiSpecs(9999)).toBeUndefined();
  });

  it('holds every API module of core/wire/apis/', () => {
    const dir = fileURLToPath(new URL('../../../core/wire/apis/', import.meta.url));
    const modules = readdirSync(dir).filter(
      (f) => f.endsWith('.ts') && !['index.ts', 'consumer-protocol.ts', 'quorum-structs.ts', 'security-structs.ts'].includes(f),
    );
    expect(API_SPECS.length).toBe(modules.length);
  });

  it('has the keys Kafka gives them', () => {
    const keys = Object.fromEntries(API_SPECS.map((a) => [a.name, a.apiKey]));
    expect(keys).toMatchObject({
      Produce: 0,
      Fetch: 1,
      ListOffsets: 2,
      Metadata: 3,
      OffsetCommit: 8,
      OffsetFetch: 9,
      FindCoordinator: 10,
      ApiVersions: 18,
      CreateTopics: 19,
      InitProducerId: 22,
      DescribeAcls: 29,
      CreateAcls: 30,
      DeleteAcls: 31,
      DescribeUserScramCredentials: 50,
      AlterUserScramCredentials: 51,
      Vote: 52,
      AlterPartition: 56,
      BrokerHeartbeat: 63,
    });
  });
});

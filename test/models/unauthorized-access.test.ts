// unauthorized-access over hand-made histories and events: an intruder's attempts refused or not
// decided are clean; an answer that grants anything, a read of its value, a topic it named, an
// offset only it commits, or final metadata it changed trips the checker, naming the request.

import { describe, expect, it } from 'vitest';
import { HistoryCheckers } from '../../models/history/history-checkers.ts';
import { INTRUDER_OFFSET, INTRUDER_RETENTION_MS, intruderValue, type IntrudeInvoke } from '../../models/history/types.ts';
import type { FinalSecurityState } from '../../models/history/unauthorized-access.ts';
import type { Violation } from '../../models/violation.ts';
import { History, r } from './history-builder.ts';

const attempt = (api: string, resource: string): IntrudeInvoke => ({ api, resource, broker: 'b1', principal: 'User:intruder' });

function intrude(h: History, api: string, resource: string, errors: string[], gained: string[] = []): void {
  const invoke = attempt(api, resource);
  h.end('intruder', 'intrude', h.invoke('intruder', 'intrude', invoke), 'ok', { ...invoke, errors, gained });
}

const cleanState: FinalSecurityState = { allowedPrincipals: ['User:alice'], topicConfigs: new Map([['orders', {}]]), scramUsers: [] };

function run(h: History, events: (c: HistoryCheckers) => void = () => {}, state: FinalSecurityState = cleanState): Violation[] {
  const found: Violation[] = [];
  const checkers = new HistoryCheckers((info) => (v) => found.push({ name: info.name, class: 'safety', ...v }), undefined, undefined, undefined, ['orders']);
  for (const op of h.ops) checkers.observe(op);
  events(checkers);
  checkers.unauthorizedAccess.finalState(state);
  checkers.finish();
  return found.filter((v) => v.name === 'unauthorized-access');
}

describe('unauthorized-access', () => {
  it('is quiet when every attempt is refused or not decided and nothing changed', () => {
    const h = new History();
    intrude(h, 'Produce', 'topic orders/0', ['TOPIC_AUTHORIZATION_FAILED']);
    intrude(h, 'CreateAcls', 'ACLs', ['CLUSTER_AUTHORIZATION_FAILED']);
    intrude(h, 'JoinGroup', 'group g', ['NOT_COORDINATOR']);
    intrude(h, 'Metadata', 'every topic', []);
    h.send('p1', 0, 0, 'p1-0');
    h.poll('c1', r(0, 0, 'p1-0'));
    expect(
      run(h, (c) => c.unauthorizedAccess.observeEvent(9, 'b1', { kind: 'group-commit', group: 'g', generation: 1, member: 'm', offsets: [['orders', 0, 1]] })),
    ).toEqual([]);
  });

  it('reports an answer that granted the request, with the request and the answer', () => {
    const h = new History();
    intrude(h, 'Produce', 'topic orders/0', ['NONE']);
    intrude(h, 'OffsetCommit', 'group g', ['UNKNOWN_MEMBER_ID']);
    intrude(h, 'Metadata', 'every topic', ['NONE'], ['topic orders listed']);
    intrude(h, 'Fetch', 'topic orders/0', ['TOPIC_AUTHORIZATION_FAILED'], ['3 records of orders/0']);
    const found = run(h);
    expect(found.map((v) => v.message)).toEqual([
      'intruder (User:intruder) sent Produce about topic orders/0 to b1 and got through: answered NONE',
      'intruder (User:intruder) sent OffsetCommit about group g to b1 and got through: answered UNKNOWN_MEMBER_ID',
      'intruder (User:intruder) sent Metadata about every topic to b1 and got through: answered NONE, topic orders listed',
      'intruder (User:intruder) sent Fetch about topic orders/0 to b1 and got through: 3 records of orders/0',
    ]);
    expect(found[0]!.values).toMatchObject({ api: 'Produce', errors: ['NONE'], broker: 'b1' });
  });

  it('reports a read of an intruder value, also inside a processor copy', () => {
    const h = new History();
    intrude(h, 'Produce', 'topic orders/0', ['TOPIC_AUTHORIZATION_FAILED']);
    h.poll('c1', r(0, 4, intruderValue('intruder', 7)));
    h.poll('c2', r(0, 5, `${intruderValue('intruder', 8)}@x1.3`));
    expect(run(h).map((v) => v.values['reader'])).toEqual(['c1', 'c2']);
  });

  it('reports a topic the intruder named, an offset only it commits, and final metadata it changed', () => {
    const h = new History();
    intrude(h, 'CreateTopics', 'topic intruder-intruder-0', ['TOPIC_AUTHORIZATION_FAILED']);
    const found = run(
      h,
      (c) => {
        c.unauthorizedAccess.observeEvent(5, 'b2', {
          kind: 'partition-change',
          topic: 'intruder-intruder-0',
          partition: 0,
          leader: 'b2',
          isr: ['b2'],
          leaderEpoch: 0,
          partitionEpoch: 0,
        });
        c.unauthorizedAccess.observeEvent(6, 'b1', { kind: 'group-commit', group: 'g', generation: -1, member: '', offsets: [['orders', 0, INTRUDER_OFFSET]] });
      },
      {
        allowedPrincipals: ['User:intruder'],
        topicConfigs: new Map([['copies', { 'retention.ms': String(INTRUDER_RETENTION_MS) }]]),
        scramUsers: ['intruder'],
      },
    );
    expect(found.map((v) => v.message)).toEqual([
      'topic intruder-intruder-0, which only the intruder asked for, was created (seen on b2)',
      `group g committed offset ${INTRUDER_OFFSET} of orders/0, which only the intruder sends (coordinator b1)`,
      'an ALLOW ACL for User:intruder, which only the intruder asked for, is in the metadata',
      `topic copies has retention.ms ${INTRUDER_RETENTION_MS}, which only the intruder sets`,
      'user intruder has a SCRAM credential, which only the intruder asked for',
      'topic orders is gone, and only the intruder asked to delete it',
    ]);
  });
});

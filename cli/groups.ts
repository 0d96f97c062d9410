// `samsa groups list|describe`: the consumer groups of any Kafka cluster, their state, members and committed
// offsets with lag (what kafka-consumer-groups.sh --list and --describe show).

import type { Command } from 'commander';
import { printJson, table } from './output.ts';
import { connectionOptions, withAdmin, type ConnectionOptions } from './tool-options.ts';

interface JsonOption {
  json?: boolean;
}

export function registerGroups(program: Command): void {
  const groups = program.command('groups').description('list and describe the consumer groups of any Kafka cluster');

  connectionOptions(groups.command('list').description('every group the brokers coordinate'))
    .option('--json', 'print the groups as one JSON line')
    .action(async (opts: ConnectionOptions & JsonOption) => {
      const listed = await withAdmin(opts, (admin) => admin.listGroups());
      if (opts.json === true) return printJson({ groups: listed });
      if (listed.length === 0) return void process.stdout.write('no groups\n');
      process.stdout.write(
        table(
          ['group', 'protocol type', 'state', 'coordinator'],
          listed.map((g) => [g.groupId, g.protocolType, g.state ?? '', g.coordinator]),
        ) + '\n',
      );
    });

  connectionOptions(groups.command('describe').description("a group's state, members, committed offsets and lag"))
    .requiredOption('--group <id>', 'the group')
    .option('--json', 'print the description as one JSON line')
    .action(async (opts: ConnectionOptions & JsonOption & { group: string }) => {
      const { description, offsets } = await withAdmin(opts, async (admin) => {
        const description = await admin.describeGroup(opts.group);
        const committed = await admin.committedOffsets(opts.group);
        const topics = [...new Set(committed.map((c) => c.topic))];
        const ends = new Map<string, number>();
        for (const topic of topics) for (const o of await admin.listOffsets(topic, -1)) ends.set(`${topic}/${o.partition}`, o.offset);
        const offsets = committed
          .filter((c) => c.offset >= 0)
          .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
          .map((c) => {
            const end = ends.get(`${c.topic}/${c.partition}`) ?? null;
            return { topic: c.topic, partition: c.partition, committed: c.offset, end, lag: end === null ? null : Math.max(0, end - c.offset) };
          });
        return { description, offsets };
      });
      if (opts.json === true) return printJson({ ...description, offsets });
      process.stdout.write(
        `Group: ${description.groupId}\tState: ${description.state}\tProtocol: ${description.protocolType || '-'}/${description.protocol || '-'}\tMembers: ${description.members.length}\n`,
      );
      if (description.members.length > 0) {
        process.stdout.write(
          table(
            ['member', 'instance', 'client', 'host'],
            description.members.map((m) => [m.memberId, m.groupInstanceId ?? '', m.clientId, m.clientHost]),
          ) + '\n',
        );
      }
      if (offsets.length === 0) return void process.stdout.write('no committed offsets\n');
      process.stdout.write(
        table(
          ['topic', 'partition', 'committed', 'end', 'lag'],
          offsets.map((o) => [o.topic, o.partition, o.committed, o.end ?? '?', o.lag ?? '?']),
        ) + '\n',
      );
    });
}

// `samsa users add|delete|describe`: SCRAM credentials of a cluster's users, and the same through
// kafka-configs.sh's form (`samsa configs alter --user alice --add-config
// 'SCRAM-SHA-256=[iterations=8192,password=…]'`): the salt and the salted password are made here and
// sent with AlterUserScramCredentials; the password never leaves.

import type { Command } from 'commander';
import { ErrorCode, errorName } from '../core/protocol/errors.ts';
import {
  ScramMechanism,
  type AlterUserScramCredentialsRequest,
  type ScramCredentialUpsertion,
  type ScramMechanismCode,
  type ScramMechanismName,
} from '../core/protocol/security.ts';
import { badIterations, DEFAULT_SCRAM_ITERATIONS, isScramMechanism, scramUpsertion } from '../net/scram-credential.ts';
import { intOption, OperationError, printJson, table, UserError } from './output.ts';
import { collect, connectionOptions, withAdmin, type ConnectionOptions } from './tool-options.ts';

/** A credential to delete: a user's mechanism. */
type ScramCredentialDeletion = AlterUserScramCredentialsRequest['deletions'][number];

const MECHANISMS = Object.keys(ScramMechanism).filter(isScramMechanism);

function mechanismName(code: number): string {
  return MECHANISMS.find((m) => ScramMechanism[m] === code) ?? `UNKNOWN(${code})`;
}

/** The mechanisms named by --mechanism (repeatable), checked. */
export function parseMechanisms(values: readonly string[]): ScramMechanismName[] {
  return [
    ...new Set(
      values.map((v) => {
        const upper = v.toUpperCase();
        if (!isScramMechanism(upper)) throw new UserError(`--mechanism: expected ${MECHANISMS.join(' or ')}, got "${v}"`);
        return upper;
      }),
    ),
  ];
}

function checkResults(results: Array<{ user: string; errorCode: number; errorMessage: string | null }>): void {
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE);
  if (failed.length > 0) {
    throw new OperationError(failed.map((r) => `user ${r.user}: ${errorName(r.errorCode)}${r.errorMessage ? ` (${r.errorMessage})` : ''}`).join('; '));
  }
}

/** The changes kafka-configs.sh's SCRAM configs ask for: `SCRAM-SHA-256=[iterations=N,password=P]` added, `SCRAM-SHA-512` deleted. */
export function scramConfigChanges(
  user: string,
  added: ReadonlyArray<{ name: string; value: string }>,
  deleted: readonly string[],
): { upsertions: ScramCredentialUpsertion[]; deletions: ScramCredentialDeletion[] } {
  if (user === '') throw new UserError('--user: the user name is empty');
  const mechanism = (name: string, option: string) => {
    const upper = name.toUpperCase();
    if (!isScramMechanism(upper)) {
      throw new UserError(`${option}: a user's configs here are its SCRAM credentials (${MECHANISMS.join(', ')}), not "${name}" (Samsa has no quotas)`);
    }
    return upper;
  };
  const upsertions = added.map(({ name, value }) => {
    const m = mechanism(name, '--add-config');
    const fields = new Map<string, string>();
    for (const part of value.split(',')) {
      const at = part.indexOf('=');
      const key = part.slice(0, Math.max(at, 0)).trim();
      if (at < 0 || !['iterations', 'password'].includes(key) || fields.has(key)) {
        throw new UserError(`--add-config: expected ${m}=[iterations=N,password=P] (iterations optional), got "${name}=[${value}]"`);
      }
      fields.set(key, part.slice(at + 1));
    }
    const password = fields.get('password');
    if (password === undefined || password === '') throw new UserError(`--add-config: ${m} needs a password: ${m}=[password=P]`);
    const iterations = fields.has('iterations') ? Number(fields.get('iterations')) : DEFAULT_SCRAM_ITERATIONS;
    const bad = badIterations(iterations);
    if (bad !== null) throw new UserError(`--add-config: ${m}: ${bad}`);
    return scramUpsertion(user, m, password, iterations);
  });
  const deletions = deleted.map((name) => ({ name: user, mechanism: ScramMechanism[mechanism(name, '--delete-config')] }));
  return { upsertions, deletions };
}

/** Sends SCRAM changes and fails with the cluster's refusals. */
export async function alterScramCredentials(
  opts: ConnectionOptions,
  deletions: ScramCredentialDeletion[],
  upsertions: ScramCredentialUpsertion[],
): Promise<void> {
  checkResults(await withAdmin(opts, (admin) => admin.alterUserScramCredentials(deletions, upsertions)));
}

/** Users' SCRAM mechanisms and iterations, sorted by user (every user with a credential when `names` is empty). */
export async function describeScramUsers(
  opts: ConnectionOptions,
  names: string[],
): Promise<Array<{ user: string; credentials: Array<{ mechanism: string; iterations: number }> }>> {
  const results = await withAdmin(opts, (admin) => admin.describeUserScramCredentials(names.length > 0 ? names : null));
  checkResults(results);
  return results
    .map((r) => ({ user: r.user, credentials: r.credentialInfos.map((c) => ({ mechanism: mechanismName(c.mechanism), iterations: c.iterations })) }))
    .sort((a, b) => a.user.localeCompare(b.user));
}

interface AddOptions extends ConnectionOptions {
  password: string;
  mechanism: string[];
  iterations: number;
  json?: boolean;
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description("add, delete and describe users' SCRAM credentials (kafka-configs.sh --entity-type users)");

  connectionOptions(users.command('add').description('give a user a SCRAM credential for a password (replacing the one it had for that mechanism)'))
    .argument('<name>', 'the user name (its principal is User:<name>)')
    .requiredOption('--password <password>', 'the password (Kafka does not normalize it: its UTF-8 bytes are used)')
    .option('--mechanism <mechanism>', `SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable; default SCRAM-SHA-256)`, collect, [])
    .option('--iterations <n>', `PBKDF2 iterations, ${DEFAULT_SCRAM_ITERATIONS} to 16384`, intOption('--iterations', 1), DEFAULT_SCRAM_ITERATIONS)
    .option('--json', 'print the result as one JSON line')
    .action(async (name: string, opts: AddOptions) => {
      if (name === '') throw new UserError('users add: the user name is empty');
      const bad = badIterations(opts.iterations);
      if (bad !== null) throw new UserError(`--iterations: ${bad}`);
      const mechanisms = opts.mechanism.length > 0 ? parseMechanisms(opts.mechanism) : (['SCRAM-SHA-256'] as const);
      const upsertions = mechanisms.map((m) => scramUpsertion(name, m, opts.password, opts.iterations));
      await alterScramCredentials(opts, [], upsertions);
      if (opts.json === true) return printJson({ user: name, added: mechanisms.map((mechanism) => ({ mechanism, iterations: opts.iterations })) });
      process.stdout.write(`User ${name} now has ${mechanisms.join(' and ')} credentials (${opts.iterations} iterations).\n`);
    });

  connectionOptions(users.command('delete').description("delete a user's SCRAM credentials (every mechanism's, unless --mechanism names some)"))
    .argument('<name>', 'the user name')
    .option('--mechanism <mechanism>', 'SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable)', collect, [])
    .option('--json', 'print the result as one JSON line')
    .action(async (name: string, opts: ConnectionOptions & { mechanism: string[]; json?: boolean }) => {
      const named = parseMechanisms(opts.mechanism);
      const deleted = await withAdmin(opts, async (admin) => {
        let codes: ScramMechanismCode[] = named.map((m) => ScramMechanism[m]);
        if (codes.length === 0) {
          const [described] = await admin.describeUserScramCredentials([name]);
          if (described !== undefined) checkResults([described]);
          codes = (described?.credentialInfos ?? []).map((c) => c.mechanism);
        }
        checkResults(
          await admin.alterUserScramCredentials(
            codes.map((mechanism) => ({ name, mechanism })),
            [],
          ),
        );
        return codes.map(mechanismName);
      });
      if (opts.json === true) return printJson({ user: name, deleted });
      process.stdout.write(`Deleted the ${deleted.join(' and ')} credentials of user ${name}.\n`);
    });

  connectionOptions(users.command('describe').description('the SCRAM mechanisms and iterations of users (every user with a credential, unless named)'))
    .argument('[names...]', 'user names')
    .option('--json', 'print the users as one JSON line')
    .action(async (names: string[], opts: ConnectionOptions & { json?: boolean }) => {
      const shown = await describeScramUsers(opts, names);
      if (opts.json === true) return printJson({ users: shown });
      if (shown.length === 0) return void process.stdout.write('No user has a SCRAM credential.\n');
      process.stdout.write(
        table(
          ['user', 'mechanism', 'iterations'],
          shown.flatMap((u) => u.credentials.map((c) => [u.user, c.mechanism, String(c.iterations)])),
        ) + '\n',
      );
    });
}

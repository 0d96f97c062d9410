// The SCRAM credential admin APIs between the wire and the core (KIP-554, v0): DescribeUserScramCredentials
// (key 50; a null user list is every user) and AlterUserScramCredentials (key 51; the client sends the
// salted password, the controller keeps only the keys derived from it).

import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
  ScramMechanismCode,
} from '../../protocol/security.ts';
import type { ApiConverter } from './converter.ts';

const SERVED = { min: 0, max: 0 };

type WireDescribeResponse = {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  results: Array<{ user: string; errorCode: number; errorMessage: string | null; credentialInfos: Array<{ mechanism: number; iterations: number }> }>;
};
type WireDeletion = { name: string; mechanism: number };
type WireUpsertion = WireDeletion & { iterations: number; salt: Uint8Array; saltedPassword: Uint8Array };
type WireAlterResult = { user: string; errorCode: number; errorMessage: string | null };

export const describeUserScramCredentialsConverter: ApiConverter<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse> = {
  apiKey: 50,
  served: SERVED,
  requestFromWire: (body, _version, correlationId) => ({
    api: 'DescribeUserScramCredentials',
    kind: 'request',
    correlationId,
    users: body.users === null ? null : (body.users as Array<{ name: string }>).map((u) => u.name),
  }),
  requestToWire: (req) => ({ users: req.users === null ? null : req.users.map((name) => ({ name })) }),
  responseToWire(res) {
    const wire: WireDescribeResponse = {
      throttleTimeMs: res.throttleTimeMs,
      errorCode: res.errorCode,
      errorMessage: res.errorMessage,
      results: res.results.map((r) => ({ ...r, credentialInfos: r.credentialInfos.map((c) => ({ ...c })) })),
    };
    return wire;
  },
  responseFromWire(body, _version, correlationId) {
    const wire = body as WireDescribeResponse;
    return {
      api: 'DescribeUserScramCredentials',
      kind: 'response',
      correlationId,
      throttleTimeMs: wire.throttleTimeMs,
      errorCode: wire.errorCode,
      errorMessage: wire.errorMessage,
      results: wire.results.map((r) => ({
        user: r.user,
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        credentialInfos: r.credentialInfos.map((c) => ({ mechanism: c.mechanism as ScramMechanismCode, iterations: c.iterations })),
      })),
    };
  },
  errorResponse(_body, _version, errorCode, message) {
    const wire: WireDescribeResponse = { throttleTimeMs: 0, errorCode, errorMessage: message, results: [] };
    return wire;
  },
};

/** The users an alteration names, each once, in the order they first appear (one result each). */
function usersOf(deletions: readonly WireDeletion[], upsertions: readonly WireDeletion[]): string[] {
  return [...new Set([...deletions.map((d) => d.name), ...upsertions.map((u) => u.name)])];
}

export const alterUserScramCredentialsConverter: ApiConverter<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse> = {
  apiKey: 51,
  served: SERVED,
  requestFromWire(body, _version, correlationId) {
    // The mechanism stays as sent: an unknown one is the controller's UNSUPPORTED_SASL_MECHANISM.
    const deletions = (body.deletions as WireDeletion[]).map((d) => ({ name: d.name, mechanism: d.mechanism as ScramMechanismCode }));
    const upsertions = (body.upsertions as WireUpsertion[]).map((u) => ({
      name: u.name,
      mechanism: u.mechanism as ScramMechanismCode,
      iterations: u.iterations,
      salt: u.salt,
      saltedPassword: u.saltedPassword,
    }));
    return { api: 'AlterUserScramCredentials', kind: 'request', correlationId, deletions, upsertions };
  },
  requestToWire: (req) => ({
    deletions: req.deletions.map((d): WireDeletion => ({ ...d })),
    upsertions: req.upsertions.map((u): WireUpsertion => ({ ...u })),
  }),
  responseToWire: (res) => ({ throttleTimeMs: res.throttleTimeMs, results: res.results.map((r): WireAlterResult => ({ ...r })) }),
  responseFromWire(body, _version, correlationId) {
    const results = (body.results as WireAlterResult[]).map((r) => ({ user: r.user, errorCode: r.errorCode, errorMessage: r.errorMessage }));
    return { api: 'AlterUserScramCredentials', kind: 'response', correlationId, throttleTimeMs: body.throttleTimeMs as number, results };
  },
  errorResponse(body, _version, errorCode, message) {
    const users = usersOf(body.deletions as WireDeletion[], body.upsertions as WireDeletion[]);
    return { throttleTimeMs: 0, results: users.map((user): WireAlterResult => ({ user, errorCode, errorMessage: message })) };
  },
};

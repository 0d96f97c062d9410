// Errors Samsa's client library raises to its callers: a Kafka error code with its name, and a deadline
// that passed; plus the helper that bounds any wait by a deadline.

import { errorName } from '../core/protocol/errors.ts';

/** A Kafka error code the cluster answered with, named as Kafka names it. */
export class KafkaError extends Error {
  constructor(
    readonly errorCode: number,
    context: string,
    detail: string | null = null,
  ) {
    super(`${context}: ${errorName(errorCode)}${detail !== null && detail !== '' ? ` (${detail})` : ''}`);
    this.name = 'KafkaError';
  }
}

/** A call that got no final answer within its time (Kafka's TimeoutException). */
export class KafkaTimeoutError extends Error {
  constructor(what: string, ms: number, lastProblem: string | null = null) {
    super(`${what} timed out after ${ms} ms${lastProblem !== null ? ` (last problem: ${lastProblem})` : ''}`);
    this.name = 'KafkaTimeoutError';
  }
}

/** Resolves or rejects as `promise` does, or rejects with KafkaTimeoutError after `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string, lastProblem: () => string | null = () => null): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new KafkaTimeoutError(what, ms, lastProblem())), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

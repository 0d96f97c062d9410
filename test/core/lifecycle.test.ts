// The broker's lifecycle (KIP-631), message by message: it heartbeats every 10 ms until first
// unfenced and then every broker.heartbeat.interval.ms, as Kafka's BrokerLifecycleManager does in
// STARTING/RECOVERY and RUNNING; a controlled shutdown sends wantShutDown and ends when the
// controller answers shouldShutDown.
import { describe, expect, it } from 'vitest';
import type { Env, NodeId, TimerTag } from '../../core/env.ts';
import { BrokerLifecycle } from '../../core/broker/lifecycle.ts';
import type { BrokerHeartbeatRequest, ControllerMessage } from '../../core/protocol/controller.ts';
import type { NodeEvent } from '../../core/trace/schema.ts';
import { SimStorage } from '../../sim/disk.ts';

class LifecycleEnv implements Env<ControllerMessage> {
  readonly self: NodeId = 'b1';
  readonly storage = new SimStorage();
  readonly sent: ControllerMessage[] = [];
  readonly timers: Array<[number, TimerTag]> = [];
  now(): number {
    return 0;
  }
  random(): number {
    return 0.5;
  }
  send(_to: NodeId, msg: ControllerMessage): void {
    this.sent.push(msg);
  }
  setTimer(delayMs: number, tag: TimerTag): void {
    this.timers.push([delayMs, tag]);
  }
  cancelTimer(): void {}
  trace(_event: NodeEvent): void {}
}

const settings = { clusterId: 'c', heartbeatIntervalMs: 2000, requestTimeoutMs: 30_000, retryBackoffMs: 100 };

/** A lifecycle registered with epoch 5, its first heartbeat sent. */
function registered() {
  const env = new LifecycleEnv();
  const lifecycle = new BrokerLifecycle(
    'b1',
    settings,
    () => 'c1',
    () => 7,
  );
  lifecycle.start(env);
  lifecycle.fire(env, 'broker:lifecycle');
  lifecycle.receive(env, { api: 'BrokerRegistration', kind: 'response', correlationId: 1, errorCode: 0, brokerEpoch: 5 });
  lifecycle.fire(env, 'broker:lifecycle');
  return { env, lifecycle };
}

const lastHeartbeat = (env: LifecycleEnv) => env.sent.filter((m): m is BrokerHeartbeatRequest => m.api === 'BrokerHeartbeat' && m.kind === 'request').at(-1)!;
const answer = (env: LifecycleEnv, fields: { isFenced: boolean; shouldShutDown?: boolean }) => ({
  api: 'BrokerHeartbeat' as const,
  kind: 'response' as const,
  correlationId: lastHeartbeat(env).correlationId,
  errorCode: 0,
  isCaughtUp: true,
  isFenced: fields.isFenced,
  shouldShutDown: fields.shouldShutDown ?? false,
});
const nextTick = (env: LifecycleEnv) => env.timers.filter(([, tag]) => tag === 'broker:lifecycle').at(-1)![0];

describe('broker lifecycle', () => {
  it('heartbeats every 10 ms while fenced after registering, then at the interval once unfenced', () => {
    const { env, lifecycle } = registered();
    lifecycle.receive(env, answer(env, { isFenced: true }));
    expect(nextTick(env)).toBe(10);
    lifecycle.fire(env, 'broker:lifecycle');
    lifecycle.receive(env, answer(env, { isFenced: false }));
    expect(lifecycle.fenced).toBe(false);
    expect(nextTick(env)).toBe(2000);
  });

  it('a controlled shutdown heartbeats at once with wantShutDown and is done when the controller answers shouldShutDown', () => {
    const { env, lifecycle } = registered();
    lifecycle.receive(env, answer(env, { isFenced: false }));
    expect(lastHeartbeat(env).wantShutDown).toBe(false);
    let done = 0;
    lifecycle.beginControlledShutdown(env, () => done++);
    expect(lastHeartbeat(env).wantShutDown).toBe(true);
    lifecycle.receive(env, answer(env, { isFenced: false }));
    expect(done).toBe(0);
    lifecycle.fire(env, 'broker:lifecycle');
    expect(lastHeartbeat(env).wantShutDown).toBe(true);
    lifecycle.receive(env, answer(env, { isFenced: true, shouldShutDown: true }));
    expect(done).toBe(1);
  });

  it('a broker that never registered has nothing to hand over and is done at once', () => {
    const env = new LifecycleEnv();
    const lifecycle = new BrokerLifecycle(
      'b1',
      settings,
      () => null,
      () => -1,
    );
    lifecycle.start(env);
    let done = 0;
    lifecycle.beginControlledShutdown(env, () => done++);
    expect(done).toBe(1);
  });
});

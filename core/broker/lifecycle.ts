// The broker side of KIP-631 (BrokerLifecycleManager): register with the active controller to
// get a broker epoch, then heartbeat every broker.heartbeat.interval.ms with the metadata offset
// applied so far; the controller unfences the broker once it has caught up, and fences it when
// the heartbeats stop. While it starts (fenced since it registered) it heartbeats every 10 ms, as
// Kafka's does in its STARTING and RECOVERY states. A stale epoch or an unknown registration makes
// the broker register again.

import type { Env, NodeId, TimerTag } from '../env.ts';
import type {
  BrokerHeartbeatResponse,
  BrokerListener,
  BrokerRegistrationRequest,
  BrokerRegistrationResponse,
  ControllerMessage,
} from '../protocol/controller.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { randomUuid } from '../uuid.ts';

const TICK: TimerTag = 'broker:lifecycle';
const TIMEOUT: TimerTag = 'broker:lifecycle-timeout';
/** Kafka's BrokerLifecycleManager heartbeats this often until it is first unfenced (STARTING, RECOVERY). */
const STARTING_HEARTBEAT_MS = 10;

export interface LifecycleSettings {
  clusterId: string;
  heartbeatIntervalMs: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  /** The listeners registered with the controller, for Metadata answers and peers to reach this broker (none in the simulator). */
  advertisedListeners?: readonly BrokerListener[];
}

export class BrokerLifecycle {
  brokerEpoch = -1;
  fenced = true;
  private registered = false;
  /** Unfenced since the last registration: the broker runs, and heartbeats at the interval. */
  private running = false;
  /** Set by a controlled shutdown: heartbeats say wantShutDown, and this is called once the controller says shouldShutDown. */
  private shutdownReady: (() => void) | null = null;
  private incarnationId = '';
  private nextCorrelationId = 1;
  private outstanding: number | null = null;

  constructor(
    readonly id: NodeId,
    private readonly settings: LifecycleSettings,
    /** The active controller as far as this node knows (the quorum leader). */
    private readonly controller: () => NodeId | null,
    /** The highest metadata offset this broker has applied (-1: none). */
    private readonly metadataOffset: () => number,
    /** Called when a registration succeeds (the broker has a new epoch). */
    private readonly onRegistered: () => void = () => {},
  ) {}

  get isRegistered(): boolean {
    return this.registered;
  }

  start(env: Env<ControllerMessage>): void {
    this.incarnationId = randomUuid(() => env.random());
    env.setTimer(0, TICK);
  }

  /**
   * Kafka's controlled shutdown (BrokerLifecycleManager.beginControlledShutdown): heartbeats now
   * carry wantShutDown, the controller moves this broker's leaderships away, and `ready` runs when
   * it answers shouldShutDown. A broker that never registered has nothing to hand over.
   */
  beginControlledShutdown(env: Env<ControllerMessage>, ready: () => void): void {
    if (!this.registered) return ready();
    this.shutdownReady = ready;
    env.cancelTimer(TICK);
    this.send(env);
  }

  fire(env: Env<ControllerMessage>, tag: TimerTag): boolean {
    if (tag === TIMEOUT) {
      this.outstanding = null;
      this.send(env);
      return true;
    }
    if (tag !== TICK) return false;
    this.send(env);
    return true;
  }

  receive(env: Env<ControllerMessage>, msg: BrokerRegistrationResponse | BrokerHeartbeatResponse): void {
    if (msg.correlationId !== this.outstanding) return;
    this.outstanding = null;
    env.cancelTimer(TIMEOUT);
    if (msg.errorCode === ErrorCode.NOT_CONTROLLER || msg.errorCode === ErrorCode.DUPLICATE_BROKER_REGISTRATION) {
      env.setTimer(this.settings.retryBackoffMs * 5, TICK);
      return;
    }
    if (msg.api === 'BrokerRegistration') {
      if (msg.errorCode !== ErrorCode.NONE) {
        env.setTimer(this.settings.retryBackoffMs * 5, TICK);
        return;
      }
      this.registered = true;
      this.running = false;
      this.brokerEpoch = msg.brokerEpoch;
      env.trace({ kind: 'broker-state', brokerEpoch: this.brokerEpoch, fenced: this.fenced });
      this.onRegistered();
      // Heartbeat at once: the controller unfences a broker only on a heartbeat.
      env.setTimer(0, TICK);
      return;
    }
    if (msg.errorCode === ErrorCode.STALE_BROKER_EPOCH || msg.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED) {
      this.registered = false;
      this.fenced = true;
      // A broker shutting down whose registration is gone has nothing left to hand over.
      if (this.shutdownReady !== null) return this.shutdownReady();
      env.setTimer(0, TICK);
      return;
    }
    if (msg.errorCode === ErrorCode.NONE && msg.isFenced !== this.fenced) {
      this.fenced = msg.isFenced;
      env.trace({ kind: 'broker-state', brokerEpoch: this.brokerEpoch, fenced: this.fenced });
    }
    if (msg.errorCode === ErrorCode.NONE && msg.shouldShutDown && this.shutdownReady !== null) {
      const ready = this.shutdownReady;
      this.shutdownReady = null;
      return ready();
    }
    if (msg.errorCode === ErrorCode.NONE && !msg.isFenced) this.running = true;
    env.setTimer(this.running ? this.settings.heartbeatIntervalMs : STARTING_HEARTBEAT_MS, TICK);
  }

  private send(env: Env<ControllerMessage>): void {
    if (this.outstanding !== null) return;
    const controller = this.controller();
    if (controller === null) {
      env.setTimer(this.settings.retryBackoffMs * 5, TICK);
      return;
    }
    const correlationId = this.nextCorrelationId++;
    this.outstanding = correlationId;
    if (!this.registered) {
      const registration: BrokerRegistrationRequest = {
        api: 'BrokerRegistration',
        kind: 'request',
        correlationId,
        brokerId: this.id,
        clusterId: this.settings.clusterId,
        incarnationId: this.incarnationId,
        previousBrokerEpoch: this.brokerEpoch,
      };
      // Left out, not empty, without listeners: the simulator's traces show the request as it always was.
      const listeners = this.settings.advertisedListeners;
      if (listeners !== undefined && listeners.length > 0) registration.listeners = listeners.map((l) => ({ ...l }));
      env.send(controller, registration);
    } else {
      env.send(controller, {
        api: 'BrokerHeartbeat',
        kind: 'request',
        correlationId,
        brokerId: this.id,
        brokerEpoch: this.brokerEpoch,
        currentMetadataOffset: this.metadataOffset(),
        wantFence: false,
        wantShutDown: this.shutdownReady !== null,
      });
    }
    env.setTimer(this.settings.requestTimeoutMs, TIMEOUT);
  }
}

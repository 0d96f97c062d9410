// The producer ids a broker hands out (Kafka's RPCProducerIdManager, KIP-730): blocks of ids that
// the active controller allots through AllocateProducerIds and records in the metadata log, so no
// id is handed out twice in the cluster, across restarts and controller failovers. The next block
// is asked for once 90% of the current one is used; with no id left the broker answers
// InitProducerId with COORDINATOR_LOAD_IN_PROGRESS, which clients retry.

/** Kafka's ProducerIdManager.PidPrefetchThreshold. */
const PREFETCH_THRESHOLD = 0.9;
/** Kafka's RPCProducerIdManager.RetryBackoffMs: the pause after a refused or unanswered request. */
export const PRODUCER_ID_RETRY_BACKOFF_MS = 50;

interface Block {
  start: number;
  length: number;
}

export class ProducerIdBlocks {
  private current: Block = { start: 0, length: 0 };
  private nextId = 0;
  private prefetched: Block | null = null;
  /** The correlation id of the AllocateProducerIds request in flight, if any. */
  private inFlight: number | null = null;
  private retryAtMs = 0;
  /** Set when the current block runs low or out: the next request should go out. */
  private wanted = true;

  /** The next producer id, or null while no block has one (the caller answers COORDINATOR_LOAD_IN_PROGRESS). */
  next(): number | null {
    if (this.nextId >= this.current.start + this.current.length) {
      if (this.prefetched === null) {
        this.wanted = true;
        return null;
      }
      this.current = this.prefetched;
      this.nextId = this.current.start;
      this.prefetched = null;
    }
    const id = this.nextId++;
    if (id === this.current.start + Math.floor(this.current.length * PREFETCH_THRESHOLD)) this.wanted = true;
    return id;
  }

  /** Whether a request for the next block should go out now. */
  shouldRequest(now: number): boolean {
    return this.wanted && this.inFlight === null && this.prefetched === null && now >= this.retryAtMs;
  }

  requested(correlationId: number): void {
    this.inFlight = correlationId;
    this.wanted = false;
  }

  /** The controller's answer; false if it answers no request in flight. */
  answered(correlationId: number, errorCode: number, producerIdStart: number, producerIdLen: number, now: number): boolean {
    if (correlationId !== this.inFlight) return false;
    this.inFlight = null;
    if (errorCode !== 0 || producerIdLen <= 0 || producerIdStart < 0) {
      this.failed(now);
      return true;
    }
    const block = { start: producerIdStart, length: producerIdLen };
    if (this.nextId >= this.current.start + this.current.length) {
      this.current = block;
      this.nextId = block.start;
    } else this.prefetched = block;
    return true;
  }

  /** The request in flight went unanswered (its timeout): ask again after the backoff. */
  timedOut(now: number): void {
    if (this.inFlight !== null) this.failed(now);
  }

  private failed(now: number): void {
    this.inFlight = null;
    this.wanted = true;
    this.retryAtMs = now + PRODUCER_ID_RETRY_BACKOFF_MS;
  }
}

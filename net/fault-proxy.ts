// A fault-injecting TCP proxy for one link (Jepsen's network nemesis on localhost): it listens on
// 127.0.0.1, pipes every accepted connection to a target both ways, and cuts, delays or throttles each
// direction at run time with wall-clock timers, so real brokers and clients meet partitions and slow links.

import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/** `toTarget` carries what the connecting side sends (requests); `fromTarget` what the target answers. */
export type Direction = 'toTarget' | 'fromTarget';
export const DIRECTIONS: readonly Direction[] = ['toTarget', 'fromTarget'];

/** The faults of one direction: a cut holds everything; delay is added per chunk; bandwidth caps bytes per second. */
export interface DirectionFaults {
  cut: boolean;
  delayMs: number;
  /** Bytes per second; null is uncapped. */
  bytesPerSecond: number | null;
}

/** Bytes that arrived at the proxy and bytes it passed on, per direction (the difference is held, in flight, or was lost with its connection). */
export interface ProxyStats {
  connections: number;
  open: number;
  toTarget: { received: number; delivered: number };
  fromTarget: { received: number; delivered: number };
}

export interface FaultProxyOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  targetHost: string;
  targetPort: number;
}

const HOST = '127.0.0.1';
/** Above this many queued bytes the proxy stops reading the source, so TCP's flow control pushes back on the sender. */
const HIGH_WATER = 1 << 20;
/** Under a bandwidth cap a chunk goes out in pieces of at most this many milliseconds' worth of bytes, so the rate is smooth. */
const SLICE_MS = 50;

/** One connection the proxy carries: the accepted socket, the one to the target, and a pipe each way. */
interface Carried {
  client: Socket;
  upstream: Socket;
  pipes: Record<Direction, Pipe>;
  /** Connects to the target unless connected or every direction is cut. */
  connect: () => void;
}

const healthy = (): DirectionFaults => ({ cut: false, delayMs: 0, bytesPerSecond: null });

/** What travels one way: bytes, then a FIN ('end') or an RST ('reset'), each in order behind the bytes. */
type Segment = Buffer | 'end' | 'reset';

/** One direction of one connection: chunks queue with the time they may leave, and leave in order. */
class Pipe {
  private readonly queue: Array<{ data: Segment; dueAt: number }> = [];
  private queued = 0;
  private busyUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private blocked = false;
  private aborted = false;
  private stopped = false;
  /** The destination is connected (a connection accepted under a full cut connects to the target later). */
  ready: boolean;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly faults: () => DirectionFaults,
    private readonly count: { received: number; delivered: number },
    private readonly onEnd: () => void,
    private readonly onReset: () => void,
    destConnected: boolean,
  ) {
    this.ready = destConnected;
    source.on('data', (chunk: Buffer) => {
      count.received += chunk.length;
      this.push(chunk);
    });
    // A FIN or a reset (a crashed broker, a refused connect) travels in order behind the data and is held
    // by a cut like the data: over a partition the other side learns nothing until it heals.
    source.on('end', () => this.push('end'));
    const abort = () => {
      if (this.aborted) return;
      this.aborted = true;
      this.push('reset');
    };
    source.on('error', abort);
    source.on('close', () => {
      if (!source.readableEnded) abort();
    });
    dest.on('drain', () => {
      this.blocked = false;
      this.pump();
    });
  }

  private push(data: Segment): void {
    if (this.stopped) return;
    this.queue.push({ data, dueAt: Date.now() + this.faults().delayMs });
    if (typeof data !== 'string') {
      this.queued += data.length;
      if (this.queued > HIGH_WATER) this.source.pause();
    }
    this.pump();
  }

  /** Passes on every chunk whose time has come, unless cut, throttled or the destination is full. */
  pump(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const faults = this.faults();
    while (this.queue.length > 0 && this.ready && !this.blocked && !faults.cut) {
      const now = Date.now();
      const head = this.queue[0]!;
      if (head.data === 'reset') return this.onReset();
      // A destination that is gone has its own reset on its way, in the other direction.
      if (this.dest.destroyed) return;
      const at = Math.max(head.dueAt, faults.bytesPerSecond === null ? 0 : this.busyUntil);
      if (at > now) {
        this.timer = setTimeout(() => this.pump(), at - now);
        return;
      }
      if (head.data === 'end') {
        this.queue.shift();
        this.dest.end();
        this.onEnd();
        return;
      }
      let piece = head.data;
      if (faults.bytesPerSecond !== null) {
        const slice = Math.max(1, Math.floor((faults.bytesPerSecond * SLICE_MS) / 1000));
        if (piece.length > slice) {
          head.data = piece.subarray(slice);
          piece = piece.subarray(0, slice);
        } else this.queue.shift();
        this.busyUntil = Math.max(now, this.busyUntil) + (piece.length * 1000) / faults.bytesPerSecond;
      } else this.queue.shift();
      this.queued -= piece.length;
      this.count.delivered += piece.length;
      if (this.queued <= HIGH_WATER) this.source.resume();
      if (!this.dest.write(piece)) this.blocked = true;
    }
  }

  /** The connection is gone: nothing more is queued or timed. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

export class FaultProxy {
  private readonly faults: Record<Direction, DirectionFaults> = { toTarget: healthy(), fromTarget: healthy() };
  private readonly connections = new Set<Carried>();
  private readonly counts: ProxyStats = { connections: 0, open: 0, toTarget: { received: 0, delivered: 0 }, fromTarget: { received: 0, delivered: 0 } };

  private boundPort = 0;

  private constructor(
    private readonly server: Server,
    readonly options: FaultProxyOptions,
  ) {}

  /** Listens on 127.0.0.1 (a free port unless `port` is given) and forwards to the target. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
    const proxy = new FaultProxy(server, options);
    server.on('connection', (socket) => proxy.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, HOST, () => {
        server.off('error', reject);
        proxy.boundPort = (server.address() as AddressInfo).port;
        resolve();
      });
    });
    return proxy;
  }

  /** The port it listens on (kept after close, so a restarted proxy can take it again). */
  get port(): number {
    return this.boundPort;
  }

  /** A cut in one direction or both: nothing passes, everything sent meanwhile is held and flows on heal. */
  cut(direction: Direction | 'both' = 'both'): void {
    this.set(direction, { cut: true });
  }

  /** Adds `ms` of latency to every chunk, in order (a chunk never overtakes an earlier one). */
  delay(ms: number, direction: Direction | 'both' = 'both'): void {
    if (!(ms >= 0)) throw new RangeError(`delay: expected milliseconds >= 0, got ${ms}`);
    this.set(direction, { delayMs: ms });
  }

  /** Caps the throughput at `bytesPerSecond` (null lifts the cap). */
  bandwidth(bytesPerSecond: number | null, direction: Direction | 'both' = 'both'): void {
    if (bytesPerSecond !== null && !(bytesPerSecond > 0)) throw new RangeError(`bandwidth: expected bytes per second > 0, got ${bytesPerSecond}`);
    this.set(direction, { bytesPerSecond });
  }

  /** Lifts one kind of fault (the undo of one scenario fault) and leaves the others; what was held flows on. */
  lift(fault: 'cut' | 'delay' | 'bandwidth', direction: Direction | 'both' = 'both'): void {
    this.set(direction, fault === 'cut' ? { cut: false } : fault === 'delay' ? { delayMs: 0 } : { bytesPerSecond: null });
  }

  /** Lifts every fault of both directions; what was held flows on. */
  heal(): void {
    this.set('both', healthy());
  }

  /** The current faults of a direction (a copy). */
  faultsOf(direction: Direction): DirectionFaults {
    return { ...this.faults[direction] };
  }

  stats(): ProxyStats {
    return { ...this.counts, open: this.connections.size, toTarget: { ...this.counts.toTarget }, fromTarget: { ...this.counts.fromTarget } };
  }

  /** Stops listening and destroys every connection it carries, both ends. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections) this.drop(c);
    await closed;
  }

  private set(direction: Direction | 'both', change: Partial<DirectionFaults>): void {
    for (const d of direction === 'both' ? DIRECTIONS : [direction]) Object.assign(this.faults[d], change);
    for (const c of this.connections) {
      c.connect();
      for (const d of DIRECTIONS) c.pipes[d].pump();
    }
  }

  private accept(client: Socket): void {
    this.counts.connections++;
    // Half-open on both ends: a FIN is passed on (in order, through the faults), not answered by the proxy.
    const upstream = new Socket({ allowHalfOpen: true });
    let ended = 0;
    const onEnd = () => {
      if (++ended === 2) this.drop(entry);
    };
    const pipes = {
      toTarget: new Pipe(
        client,
        upstream,
        () => this.faults.toTarget,
        this.counts.toTarget,
        onEnd,
        () => this.drop(entry),
        false,
      ),
      fromTarget: new Pipe(
        upstream,
        client,
        () => this.faults.fromTarget,
        this.counts.fromTarget,
        onEnd,
        () => this.drop(entry),
        true,
      ),
    };
    let connecting = false;
    // A connection accepted while both directions are cut does not reach the target until one heals: over a
    // partition the SYN is lost, so the target learns nothing and the client's connect neither succeeds in
    // carrying anything nor fails fast. Accepting (rather than refusing) models that: a refusal is an RST,
    // what a host with no listener answers, which a partitioned client would never see.
    const connectUpstream = () => {
      if (connecting || (this.faults.toTarget.cut && this.faults.fromTarget.cut)) return;
      connecting = true;
      upstream.connect(this.options.targetPort, this.options.targetHost);
    };
    const entry: Carried = { client, upstream, pipes, connect: connectUpstream };
    this.connections.add(entry);
    upstream.on('connect', () => {
      pipes.toTarget.ready = true;
      pipes.toTarget.pump();
    });
    client.resume();
    connectUpstream();
  }

  private drop(entry: Carried): void {
    if (!this.connections.delete(entry)) return;
    for (const d of DIRECTIONS) entry.pipes[d].stop();
    entry.client.destroy();
    entry.upstream.destroy();
  }
}

// The simulator's pending events: a binary min-heap ordered by (time, sequence number).
// The sequence number breaks ties in insertion order, so simultaneous events run in the order
// they were scheduled and every run of a seed sees the same order. O(log n) push and pop keep
// it fast with a million events pending, where a sorted array would cost O(n) per insert.

export interface Scheduled {
  /** When the event is due, in simulated microseconds. */
  t: number;
  /** Insertion order; unique within one queue. */
  seq: number;
}

export class EventQueue<E extends Scheduled> {
  private heap: E[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): E | undefined {
    return this.heap[0];
  }

  push(event: E): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    // Sift up: move the hole towards the root while the parent is later than the event.
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.t < event.t || (parent.t === event.t && parent.seq < event.seq)) break;
      heap[i] = parent;
      i = parentIndex;
    }
    heap[i] = event;
  }

  pop(): E | undefined {
    const heap = this.heap;
    const n = heap.length;
    if (n === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (n > 1) this.siftDown(last, 0);
    return top;
  }

  /** Keeps only the events for which `keep` is true (used to sweep cancelled timers). */
  retain(keep: (event: E) => boolean): void {
    const kept = this.heap.filter(keep);
    this.heap = kept;
    // Floyd's heap construction: sift down every inner node, last first.
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) this.siftDown(kept[i]!, i);
  }

  private siftDown(event: E, start: number): void {
    const heap = this.heap;
    const n = heap.length;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let c = heap[child]!;
      const right = child + 1;
      if (right < n) {
        const r = heap[right]!;
        if (r.t < c.t || (r.t === c.t && r.seq < c.seq)) {
          child = right;
          c = r;
        }
      }
      if (event.t < c.t || (event.t === c.t && event.seq < c.seq)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = event;
  }
}

// window.samsaViz: what the browser tests and the benchmark read and drive.

export interface SamsaViz {
  /** True once the trace's first render and its state at the cursor are on the page. */
  ready: boolean;
  steps: number;
  rows: number;
  /** The cursor's row, and the kernel step of that row. */
  row: number;
  step: number;
  /** Moves to the last row whose step is at most `step`; resolves once rendered. */
  seek(step: number): Promise<void>;
  seekRow(row: number): Promise<void>;
  errors: string[];
}

declare global {
  interface Window {
    samsaViz?: SamsaViz;
  }
}

// The space-time diagram's geometry, shared by its layers: one lane per node and client from top to
// bottom, simulated time from left to right on the current (zoomed) scale.

export const LANE_HEIGHT = 30;
export const MARGIN = { top: 28, right: 16, bottom: 20, left: 64 };

export interface Frame {
  /** The x of simulated time `t` (ms) on the current scale. */
  x(t: number): number;
  /** As x, but held inside the plot. */
  clampX(t: number): number;
  /** The y of a lane's centre line. */
  laneY(lane: number): number;
  /** A lane's index by its node or client id. */
  laneOf(id: string): number | undefined;
  /** Whether `x` is inside the plot. */
  inside(x: number): boolean;
  readonly width: number;
  height(): number;
}

// The seeded bugs of the controller: switches that bring back mistakes in leader election and
// ISR handling, so the metadata checkers can be shown to catch them.

export const CONTROLLER_BUGS = {
  'controller-elect-outside-isr': 'When a leader is fenced, the controller elects any live replica, in the ISR or not, without unclean election enabled.',
  'controller-empty-isr': 'Fencing the last ISR member of a partition empties its ISR.',
  'controller-never-unfences': 'The controller ignores caught-up heartbeats, so a fenced broker stays fenced.',
  'controller-reuses-leader-epoch': "A leader change keeps the partition's leader epoch instead of bumping it, so two leaders share one epoch.",
} as const;

export type ControllerBug = keyof typeof CONTROLLER_BUGS;

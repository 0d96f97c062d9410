// A scenario for command-line tests that need a real run but not a long one.

/** A run of a second or two of one broker, a producer and a consumer: a trace of a few hundred lines. */
export const SHORT_SCENARIO = `samsa: 1
name: short
duration: 2s
cluster: { nodes: 1 }
topics:
  - { name: t, partitions: 1, replicationFactor: 1 }
clients:
  - { producer: p1, topic: t, rate: 20/s }
  - { consumer: c1, topic: t }
`;

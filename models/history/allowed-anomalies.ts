// The anomalies of Jepsen's Kafka workload that Kafka's transactions allow by design, so no checker
// reports them; runs with transactions say so beside their verdict (the and Jepsen's
// classification, `allowed-error-types` in jepsen/tests/kafka.clj).

export interface AllowedAnomaly {
  name: string;
  why: string;
}

export const ALLOWED_ANOMALIES: readonly AllowedAnomaly[] = [
  {
    name: 'G0',
    why: 'write cycles between transactions: Kafka orders writes per partition only, so two transactions may each come first in a different partition',
  },
  {
    name: 'int-send-skip',
    why: "other producers' records between one transaction's records in a partition: a transaction reserves no offsets",
  },
];

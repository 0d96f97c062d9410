// Broker addresses as the listener a request came in on names them: Kafka answers Metadata and
// FindCoordinator with each broker's endpoint of that listener (a client on the SASL_SSL listener
// must be sent to the SASL_SSL ports), where the core names a broker's first advertised listener.

import type { KafkaMessage } from '../core/node/kafka-node.ts';
import type { MetadataImage } from '../core/controller/image.ts';
import type { NodeId } from '../core/env.ts';

/** The response with its broker addresses taken from `listener`'s endpoints; other responses unchanged. */
export function addressedForListener(msg: KafkaMessage, listener: string, image: MetadataImage): KafkaMessage {
  if (msg.kind !== 'response') return msg;
  const endpoint = (id: NodeId) => image.brokers.get(id)?.listeners?.find((l) => l.name === listener);
  if (msg.api === 'Metadata') {
    return {
      ...msg,
      brokers: msg.brokers.map((b) => {
        const at = endpoint(b.nodeId);
        return at === undefined ? b : { ...b, host: at.host, port: at.port };
      }),
    };
  }
  if (msg.api === 'FindCoordinator') {
    return {
      ...msg,
      coordinators: msg.coordinators.map((c) => {
        const at = c.nodeId === null ? undefined : endpoint(c.nodeId);
        return at === undefined ? c : { ...c, host: at.host, port: at.port };
      }),
    };
  }
  return msg;
}

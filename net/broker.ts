// One real Kafka node from its server.properties: the log dir as file storage, the node's spec (roles,
// quorum voters, advertised broker listeners, broker config), and the runtime that serves it; stops
// cleanly (every unsynced write flushed) on SIGTERM or SIGINT. With a trace (net/node-trace.ts), every
// event of the node goes to it.

import type { NodeId } from '../core/env.ts';
import { KafkaNode, type KafkaNodeSpec } from '../core/node/kafka-node.ts';
import { raftSettings } from '../core/raft/settings.ts';
import { decodeRecordBatch } from '../core/wire/record-batch.ts';
import { NODE_COMPRESSORS } from './compression.ts';
import { FileStorage } from './file-storage.ts';
import { NodeRuntime, type Address } from './node-runtime.ts';
import type { NodeTraceFile } from './node-trace.ts';
import type { BrokerProperties } from './server-properties.ts';
import type { ScramCredential, ScramMechanismName } from './scram.ts';
import { ScramMechanism } from '../core/protocol/security.ts';

/**
 * How a broker's log reads back a stored batch: its header and bytes at once, its records only when
 * something asks for them (a fetch serves the bytes; the CRC is checked either way).
 */
export const STORED_WIRE_BATCHES = { decode: (bytes: Uint8Array, verified = false) => decodeRecordBatch(bytes, NODE_COMPRESSORS, true, !verified) };

const SECURITY_PROTOCOL_IDS = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 } as const;

export interface RunningBroker {
  runtime: NodeRuntime;
  storage: FileStorage;
  /** Stops the node and flushes and closes its storage. */
  stop(): Promise<void>;
}

/** A SCRAM credential from the node's metadata image (its UserScramCredentialRecords). */
function scramCredentialOf(runtime: NodeRuntime, user: string, mechanism: ScramMechanismName): ScramCredential | null {
  return runtime.node.image.scramCredential(user, ScramMechanism[mechanism]) ?? null;
}

/** A broker's log dir as storage: batches from producers and leaders stay RecordBatch v2 bytes on disk, read back with the node's codecs. */
export function openBrokerStorage(logDir: string): FileStorage {
  return new FileStorage(logDir, { wireBatches: STORED_WIRE_BATCHES });
}

/** The quorum's voters and their controller addresses; only static voters (controller.quorum.voters) are supported. */
function voters(props: BrokerProperties): Map<NodeId, Address> {
  if (props.quorum.kind !== 'voters') {
    throw new Error('controller.quorum.bootstrap.servers (a dynamic quorum, KIP-853) is not supported yet: list the voters in controller.quorum.voters');
  }
  return new Map(props.quorum.voters.map((v) => [String(v.id), { host: v.host, port: v.port }]));
}

/**
 * Starts the node of `props`; resolves once its listeners are bound and it has booted from its log dir.
 * `halt` ends a broker whose storage failed (by default the process exits); `trace` takes every event
 * of the node (the caller closes it).
 */
export async function startBroker(
  props: BrokerProperties,
  log: (line: string) => void,
  halt: (reason: string) => void = () => process.exit(1),
  trace: NodeTraceFile | null = null,
): Promise<RunningBroker> {
  const voterAddresses = voters(props);
  const storage = openBrokerStorage(props.logDir);
  const id = String(props.nodeId);
  const settings = {
    ...raftSettings(props.config, [...voterAddresses.keys()], new Set()),
    ...(props.clusterId !== null ? { clusterId: props.clusterId } : {}),
  };
  const runtime: NodeRuntime = new NodeRuntime({
    id,
    storage,
    listeners: props.listeners.map((l) => ({ ...l, ...(props.security.listeners[l.name] ?? {}) })),
    voters: voterAddresses,
    interBrokerListener: props.interBrokerListenerName,
    peerSecurity: props.security.peers,
    scramCredentials: (user, mechanism): ScramCredential | null => scramCredentialOf(runtime, user, mechanism),
    compressors: NODE_COMPRESSORS,
    maxRequestBytes: props.socketRequestMaxBytes,
    traced: trace !== null,
    trace: (event) => {
      trace?.record(event);
      if (event.kind === 'raft-state' || event.kind === 'partition-change') log(JSON.stringify(event));
    },
    log,
    halt: (reason) => {
      log(`halting: ${reason}`);
      halt(reason);
    },
    createNode: (bound) => {
      const spec: KafkaNodeSpec = {
        id,
        broker: props.broker,
        controller: props.controller,
        config: props.config,
        raft: settings,
        controllerBugs: new Set(),
        brokerBugs: new Set(),
        compressors: NODE_COMPRESSORS,
        advertisedListeners: props.brokerEndpoints.map((l) => ({
          name: l.name,
          host: l.host,
          // An advertised port 0 is the port the listener of that name got.
          port: l.port === 0 ? (bound.get(l.name)?.port ?? 0) : l.port,
          securityProtocol: SECURITY_PROTOCOL_IDS[props.securityProtocols[l.name] ?? 'PLAINTEXT'],
        })),
      };
      return new KafkaNode(spec);
    },
  });
  try {
    await runtime.start();
  } catch (err) {
    storage.close();
    throw err;
  }
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await runtime.stop();
      storage.flushAll();
      storage.close();
    })());
  return { runtime, storage, stop };
}

// server.properties: Java properties syntax, Kafka 4's KRaft example read as Kafka reads it, one exact
// message per refused setting, warnings for Kafka settings Samsa ignores, and the writer read back.
import { fc, test } from '@fast-check/vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { Config } from '../../core/protocol/configs.ts';
import {
  parseProperties,
  parseServerProperties,
  PropertiesError,
  readServerProperties,
  writeServerProperties,
  type BrokerProperties,
  type ProcessRole,
  type ServerPropertiesSpec,
} from '../../net/server-properties.ts';

/** Kafka 4.0's config/server.properties (license header left out), as `kafka-server-start.sh` gets it. */
const KAFKA_EXAMPLE = `############################# Server Basics #############################

# The role of this server. Setting this puts us in KRaft mode
process.roles=broker,controller

# The node id associated with this instance's roles
node.id=1

# List of controller endpoints used connect to the controller cluster
controller.quorum.bootstrap.servers=localhost:9093

############################# Socket Server Settings #############################

# The address the socket server listens on.
# Combined nodes (i.e. those with \`process.roles=broker,controller\`) must list the controller listener here at a minimum.
#   FORMAT:
#     listeners = listener_name://host_name:port
#   EXAMPLE:
#     listeners = PLAINTEXT://your.host.name:9092
listeners=PLAINTEXT://:9092,CONTROLLER://:9093

# Name of listener used for communication between brokers.
inter.broker.listener.name=PLAINTEXT

# Listener name, hostname and port the broker or the controller will advertise to clients.
# If not set, it uses the value for "listeners".
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093

# A comma-separated list of the names of the listeners used by the controller.
# If no explicit mapping set in \`listener.security.protocol.map\`, default will be using PLAINTEXT protocol
# This is required if running in KRaft mode.
controller.listener.names=CONTROLLER

# Maps listener names to security protocols, the default is for them to be the same. See the config documentation for more details
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL

# The number of threads that the server uses for receiving requests from the network and sending responses to the network
num.network.threads=3

# The number of threads that the server uses for processing requests, which may include disk I/O
num.io.threads=8

# The send buffer (SO_SNDBUF) used by the socket server
socket.send.buffer.bytes=102400

# The receive buffer (SO_RCVBUF) used by the socket server
socket.receive.buffer.bytes=102400

# The maximum size of a request that the socket server will accept (protection against OOM)
socket.request.max.bytes=104857600


############################# Log Basics #############################

# A comma separated list of directories under which to store log files
log.dirs=/tmp/kraft-combined-logs

# The default number of log partitions per topic.
num.partitions=1

# The number of threads per data directory to be used for log recovery at startup and flushing at shutdown.
num.recovery.threads.per.data.dir=1

############################# Internal Topic Settings  #############################
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1

############################# Log Flush Policy #############################

# The number of messages to accept before forcing a flush of data to disk
#log.flush.interval.messages=10000

# The maximum amount of time a message can sit in a log before we force a flush
#log.flush.interval.ms=1000

############################# Log Retention Policy #############################

# The minimum age of a log file to be eligible for deletion due to age
log.retention.hours=168

# A size-based retention policy for logs.
#log.retention.bytes=1073741824

# The maximum size of a log segment file. When this size is reached a new log segment will be created.
log.segment.bytes=1073741824

# The interval at which log segments are checked to see if they can be deleted according
# to the retention policies
log.retention.check.interval.ms=300000
`;

/** A small valid combined node, to break one line at a time. */
const BASE = [
  'process.roles=broker,controller',
  'node.id=1',
  'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
  'controller.listener.names=CONTROLLER',
  'controller.quorum.voters=1@localhost:9093',
  'log.dirs=/var/lib/samsa',
];

/** BASE with `key` set to `line` (or dropped when null), extra lines appended. */
function edit(changes: Record<string, string | null>, ...extra: string[]): string {
  const lines = BASE.flatMap((l) => {
    const key = l.slice(0, l.indexOf('='));
    if (!(key in changes)) return [l];
    return changes[key] === null ? [] : [`${key}=${changes[key]}`];
  });
  return [...lines, ...extra].join('\n') + '\n';
}

function errorOf(text: string, file?: string): string {
  try {
    parseServerProperties(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(PropertiesError);
    return (err as Error).message;
  }
  throw new Error('expected a PropertiesError');
}

describe('parseProperties', () => {
  test('separators, whitespace and comments as java.util.Properties reads them', () => {
    const text = [
      '# a comment',
      '! another comment',
      '   ',
      'a=1',
      'b:2',
      'c 3',
      '  d  =  4  ',
      'e\t:\tfive',
      'f',
      'g = ',
      'h==x',
      'i = a=b:c',
      '\t# indented comment',
    ].join('\n');
    expect(parseProperties(text)).toEqual([
      { key: 'a', value: '1', line: 4 },
      { key: 'b', value: '2', line: 5 },
      { key: 'c', value: '3', line: 6 },
      { key: 'd', value: '4  ', line: 7 },
      { key: 'e', value: 'five', line: 8 },
      { key: 'f', value: '', line: 9 },
      { key: 'g', value: '', line: 10 },
      { key: 'h', value: '=x', line: 11 },
      { key: 'i', value: 'a=b:c', line: 12 },
    ]);
  });

  test('escapes in keys and values', () => {
    const text = ['a\\=b\\:c\\ d=e', 'tab=x\\ty\\nz\\r\\f', 'uni=caf\\u00e9 \\u0041', 'other=\\q\\\\\\#', 'lead=\\  spaced', '\\#not-a-comment=1'].join('\n');
    expect(parseProperties(text)).toEqual([
      { key: 'a=b:c d', value: 'e', line: 1 },
      { key: 'tab', value: 'x\ty\nz\r\f', line: 2 },
      { key: 'uni', value: 'café A', line: 3 },
      { key: 'other', value: 'q\\#', line: 4 },
      { key: 'lead', value: '  spaced', line: 5 },
      { key: '#not-a-comment', value: '1', line: 6 },
    ]);
    expect(() => parseProperties('short=\\u00')).toThrow(PropertiesError);
    expect(() => parseProperties('x=1\nuni=\\u12G4\n', 'broker.properties')).toThrow('broker.properties:2: malformed \\uXXXX escape "\\u12G4"');
  });

  test('backslash continuations', () => {
    const text = [
      'listeners=PLAINTEXT://:9092,\\',
      '          CONTROLLER://:9093',
      '# a comment ending in a backslash does not continue \\',
      'next=1',
      'even=ends in a backslash\\\\',
      'odd=three\\\\\\',
      '   more',
      'blank=stops \\',
      '   ',
      'after=blank',
      '# continuation lines are never comments',
      'hash=a\\',
      '  # b',
      'last=dangling\\',
    ].join('\r\n');
    expect(parseProperties(text)).toEqual([
      { key: 'listeners', value: 'PLAINTEXT://:9092,CONTROLLER://:9093', line: 1 },
      { key: 'next', value: '1', line: 4 },
      { key: 'even', value: 'ends in a backslash\\', line: 5 },
      { key: 'odd', value: 'three\\more', line: 6 },
      { key: 'blank', value: 'stops ', line: 8 },
      { key: 'after', value: 'blank', line: 10 },
      { key: 'hash', value: 'a# b', line: 12 },
      { key: 'last', value: 'dangling', line: 14 },
    ]);
  });

  test('old Mac line ends, a byte order mark and repeated keys', () => {
    expect(parseProperties('\uFEFFa=1\rb=2\ra=3')).toEqual([
      { key: 'a', value: '1', line: 1 },
      { key: 'b', value: '2', line: 2 },
      { key: 'a', value: '3', line: 3 },
    ]);
  });
});

describe('parseServerProperties', () => {
  test("reads Kafka 4's KRaft example", () => {
    const props = parseServerProperties(KAFKA_EXAMPLE);
    expect(props.nodeId).toBe(1);
    expect(props.roles).toEqual(['broker', 'controller']);
    expect([props.broker, props.controller]).toEqual([true, true]);
    expect(props.listeners).toEqual([
      { name: 'PLAINTEXT', host: '', port: 9092, controller: false },
      { name: 'CONTROLLER', host: '', port: 9093, controller: true },
    ]);
    expect(props.advertisedListeners).toEqual([
      { name: 'PLAINTEXT', host: 'localhost', port: 9092, controller: false },
      { name: 'CONTROLLER', host: 'localhost', port: 9093, controller: true },
    ]);
    // The example advertises its controller listener; clients must still never see it.
    expect(props.brokerEndpoints).toEqual([{ name: 'PLAINTEXT', host: 'localhost', port: 9092, controller: false }]);
    expect(props.controllerListenerNames).toEqual(['CONTROLLER']);
    expect(props.interBrokerListenerName).toBe('PLAINTEXT');
    expect(props.securityProtocols).toEqual({
      CONTROLLER: 'PLAINTEXT',
      PLAINTEXT: 'PLAINTEXT',
      SSL: 'SSL',
      SASL_PLAINTEXT: 'SASL_PLAINTEXT',
      SASL_SSL: 'SASL_SSL',
    });
    expect(props.quorum).toEqual({ kind: 'bootstrap', servers: [{ host: 'localhost', port: 9093 }] });
    expect(props.logDir).toBe('/tmp/kraft-combined-logs');
    expect(props.clusterId).toBeNull();
    expect(props.socketRequestMaxBytes).toBe(104857600);
    expect(props.config.overrides()).toEqual({
      'num.partitions': 1,
      'offsets.topic.replication.factor': 1,
      'log.retention.hours': 168,
      'log.segment.bytes': 1073741824,
      'log.retention.check.interval.ms': 300000,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
    });
    expect(props.warnings).toEqual([
      'server.properties:38: num.network.threads: ignored: Samsa runs on one thread',
      'server.properties:41: num.io.threads: ignored: Samsa runs on one thread',
      'server.properties:44: socket.send.buffer.bytes: ignored: Samsa leaves socket and request tuning to the system',
      'server.properties:47: socket.receive.buffer.bytes: ignored: Samsa leaves socket and request tuning to the system',
      'server.properties:62: num.recovery.threads.per.data.dir: ignored: Samsa runs on one thread',
      'server.properties:66: share.coordinator.state.topic.replication.factor: ignored: Samsa has no share groups (KIP-932)',
      'server.properties:67: share.coordinator.state.topic.min.isr: ignored: Samsa has no share groups (KIP-932)',
    ]);
  });

  test('defaults: advertised from listeners on 127.0.0.1, the security map, the inter-broker listener, the log dir', () => {
    const props = parseServerProperties(
      edit(
        { listeners: 'PLAINTEXT://0.0.0.0:0,CONTROLLER://:9093,LOCAL://10.0.0.5:9094', 'log.dirs': null },
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,LOCAL:PLAINTEXT',
      ),
    );
    expect(props.advertisedListeners).toEqual([
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, controller: false },
      { name: 'CONTROLLER', host: '127.0.0.1', port: 9093, controller: true },
      { name: 'LOCAL', host: '10.0.0.5', port: 9094, controller: false },
    ]);
    expect(props.brokerEndpoints.map((l) => l.name)).toEqual(['PLAINTEXT', 'LOCAL']);
    expect(props.interBrokerListenerName).toBe('PLAINTEXT');
    expect(props.logDir).toBe('/tmp/kraft-combined-logs');
    expect(props.quorum).toEqual({ kind: 'voters', voters: [{ id: 1, host: 'localhost', port: 9093 }] });
    expect(props.warnings).toEqual([]);

    // Without a map, Kafka's default plus PLAINTEXT for any controller listener name.
    const quorum = parseServerProperties(edit({ listeners: 'PLAINTEXT://:9092,QUORUM://[::1]:9093', 'controller.listener.names': 'quorum' }));
    expect(quorum.securityProtocols).toEqual({
      PLAINTEXT: 'PLAINTEXT',
      SSL: 'SSL',
      SASL_PLAINTEXT: 'SASL_PLAINTEXT',
      SASL_SSL: 'SASL_SSL',
      CONTROLLER: 'PLAINTEXT',
      QUORUM: 'PLAINTEXT',
    });
    expect(quorum.listeners[1]).toEqual({ name: 'QUORUM', host: '::1', port: 9093, controller: true });
    expect(quorum.controllerListenerNames).toEqual(['QUORUM']);

    expect(parseServerProperties(edit({ 'log.dirs': null }, 'log.dir=/data/one')).logDir).toBe('/data/one');
    expect(parseServerProperties(edit({}, 'log.dir=/ignored')).logDir).toBe('/var/lib/samsa');
  });

  test('a broker-only node and a controller-only node', () => {
    const broker = parseServerProperties(
      edit({
        'process.roles': 'broker',
        'node.id': '4',
        listeners: 'PLAINTEXT://127.0.0.1:9092',
        'controller.quorum.voters': '1@h1:9093,2@h2:9093,3@[::1]:9093',
      }),
    );
    expect([broker.broker, broker.controller]).toEqual([true, false]);
    expect(broker.quorum).toEqual({
      kind: 'voters',
      voters: [
        { id: 1, host: 'h1', port: 9093 },
        { id: 2, host: 'h2', port: 9093 },
        { id: 3, host: '::1', port: 9093 },
      ],
    });
    const controller = parseServerProperties(edit({ 'process.roles': 'controller', listeners: 'CONTROLLER://:9093' }));
    expect([controller.broker, controller.controller]).toEqual([false, true]);
    expect(controller.brokerEndpoints).toEqual([]);
  });

  test('known broker configs go to the core Config; samsa.* knobs too', () => {
    const props = parseServerProperties(
      edit(
        {},
        'min.insync.replicas = 2',
        'unclean.leader.election.enable=true',
        'log.flush.interval.messages=9223372036854775807',
        'samsa.raft.flush.delay.ms=5',
      ),
    );
    expect(props.config.int('min.insync.replicas')).toBe(2);
    expect(props.config.bool('unclean.leader.election.enable')).toBe(true);
    expect(props.config.int('samsa.raft.flush.delay.ms')).toBe(5);
    expect(props.config.int('num.partitions')).toBe(1);
  });

  test('the broker defaults of topic configs (log.segment.bytes, log.roll.hours, message.max.bytes, ...) go to the core Config', () => {
    const props = parseServerProperties(
      edit(
        {},
        'log.segment.bytes=2097152',
        'log.roll.hours=2',
        'log.index.interval.bytes=128',
        'log.index.size.max.bytes=4096',
        'log.cleanup.policy=compact, delete',
        'log.cleaner.min.cleanable.ratio=0.25',
        'log.message.timestamp.type=LogAppendTime',
        'compression.type=gzip',
        'message.max.bytes=2000',
      ),
    );
    expect(props.warnings).toEqual([]);
    expect(props.config.int('log.segment.bytes')).toBe(2097152);
    expect(props.config.int('log.roll.hours')).toBe(2);
    expect(props.config.string('log.cleanup.policy')).toBe('compact,delete');
    expect(props.config.double('log.cleaner.min.cleanable.ratio')).toBe(0.25);
    expect(props.config.string('log.message.timestamp.type')).toBe('LogAppendTime');
    expect(props.config.string('compression.type')).toBe('gzip');
    expect(props.config.int('message.max.bytes')).toBe(2000);
  });

  test('warnings: ignored settings, repeated keys, voters over bootstrap servers, a heartbeat too slow for the session', () => {
    const props = parseServerProperties(
      edit(
        {},
        'ssl.cipher.suites=TLS_AES_128_GCM_SHA256',
        'auto.create.topics.enable=false',
        'listener.name.internal.ssl.cipher.suites=TLS_AES_128_GCM_SHA256',
        'num.partitions=3',
        'num.partitions=4',
        'controller.quorum.bootstrap.servers=localhost:9093',
        'broker.heartbeat.interval.ms=5000',
      ),
    );
    expect(props.config.int('num.partitions')).toBe(4);
    expect(props.config.bool('auto.create.topics.enable')).toBe(false);
    expect(props.warnings).toEqual([
      'server.properties:11: num.partitions: set again (first on line 10); the last value wins',
      'server.properties:7: ssl.cipher.suites: ignored: Samsa does not act on this security setting (it reads the PEM keystore and truststore, ssl.client.auth, ssl.enabled.protocols, ssl.principal.mapping.rules, the SASL mechanisms and JAAS entries)',
      'server.properties:9: listener.name.internal.ssl.cipher.suites: ignored: Samsa does not act on this security setting (it reads the PEM keystore and truststore, ssl.client.auth, ssl.enabled.protocols, ssl.principal.mapping.rules, the SASL mechanisms and JAAS entries)',
      'server.properties:12: controller.quorum.bootstrap.servers: ignored: controller.quorum.voters names the voters',
      'server.properties:13: broker.heartbeat.interval.ms: broker.heartbeat.interval.ms (5000) should be at most half of broker.session.timeout.ms (9000), or brokers get fenced between heartbeats',
    ]);
  });

  test('broker.id is node.id by another name', () => {
    expect(parseServerProperties(edit({ 'node.id': null }, 'broker.id=1')).nodeId).toBe(1);
    expect(parseServerProperties(edit({}, 'broker.id=1')).nodeId).toBe(1);
  });

  describe('refuses, naming the file, line, key and what was expected', () => {
    const cases: [string, string, string][] = [
      ['a node id that is not a number', edit({ 'node.id': 'x' }), 'server.properties:2: node.id: expected a non-negative integer, got "x"'],
      ['a negative node id', edit({ 'node.id': '-1' }), 'server.properties:2: node.id: expected a non-negative integer, got "-1"'],
      ['no node id', edit({ 'node.id': null }), 'server.properties: node.id: required: the id of this node, a non-negative integer'],
      ['broker.id unlike node.id', edit({}, 'broker.id=2'), 'server.properties:7: broker.id: must equal node.id (1) when both are set, got "2"'],
      [
        'no roles',
        edit({ 'process.roles': null }),
        'server.properties: process.roles: required: broker, controller or broker,controller (Samsa runs in KRaft mode only)',
      ],
      [
        'an unknown role',
        edit({ 'process.roles': 'broker,worker' }),
        'server.properties:1: process.roles: expected broker, controller or broker,controller, got "worker"',
      ],
      ['a role twice', edit({ 'process.roles': 'broker, broker' }), 'server.properties:1: process.roles: role "broker" appears twice'],
      [
        'a malformed listener',
        edit({ listeners: 'PLAINTEXT:9092,CONTROLLER://:9093' }),
        'server.properties:3: listeners: expected NAME://host:port entries (e.g. PLAINTEXT://127.0.0.1:9092), got "PLAINTEXT:9092"',
      ],
      [
        'a port out of range',
        edit({ listeners: 'PLAINTEXT://:70000,CONTROLLER://:9093' }),
        'server.properties:3: listeners: expected NAME://host:port entries (e.g. PLAINTEXT://127.0.0.1:9092), got "PLAINTEXT://:70000"',
      ],
      [
        'two listeners on one port',
        edit({ listeners: 'PLAINTEXT://:9092,CONTROLLER://localhost:9092' }),
        'server.properties:3: listeners: listeners PLAINTEXT and CONTROLLER both use port 9092',
      ],
      ['a listener twice', edit({ listeners: 'PLAINTEXT://:9092,plaintext://:9094' }), 'server.properties:3: listeners: listener PLAINTEXT appears twice'],
      [
        'no controller listener names',
        edit({ 'controller.listener.names': null }),
        'server.properties: controller.listener.names: required: the name of the listener the controllers serve the quorum on (e.g. CONTROLLER)',
      ],
      [
        'a controller without its listener',
        edit({ listeners: 'PLAINTEXT://:9092' }),
        'server.properties:4: controller.listener.names: a controller must listen on its controller listener, but CONTROLLER is not in listeners; expected one of PLAINTEXT',
      ],
      [
        'a broker-only node binding the controller listener',
        edit({ 'process.roles': 'broker', 'controller.quorum.voters': '2@localhost:9093' }),
        'server.properties:3: listeners: CONTROLLER is a controller listener, which a broker-only node must not bind',
      ],
      [
        'a broker without a broker listener',
        edit({ listeners: 'CONTROLLER://:9093' }),
        'server.properties:3: listeners: a broker needs a listener that is not in controller.listener.names (e.g. PLAINTEXT://:9092)',
      ],
      [
        'a controller-only node with a broker listener',
        edit({ 'process.roles': 'controller' }),
        'server.properties:3: listeners: a controller-only node binds only controller listeners, but PLAINTEXT is not in controller.listener.names',
      ],
      [
        'an SSL listener without a keystore',
        edit({ listeners: 'SSL://:9092,CONTROLLER://:9093' }, 'inter.broker.listener.name=SSL'),
        'server.properties: listener.name.ssl.ssl.keystore.location: listener SSL uses SSL: set ssl.keystore.location (a PEM file with the private key and certificate chain) or ssl.keystore.key and ssl.keystore.certificate.chain',
      ],
      [
        'a listener the explicit map leaves out',
        edit(
          { listeners: 'INTERNAL://:9092,CONTROLLER://:9093' },
          'listener.security.protocol.map=CONTROLLER:PLAINTEXT',
          'inter.broker.listener.name=INTERNAL',
        ),
        'server.properties:7: listener.security.protocol.map: no security protocol for listener INTERNAL; expected an entry INTERNAL:PLAINTEXT in listener.security.protocol.map',
      ],
      [
        'a malformed security map',
        edit({}, 'listener.security.protocol.map=CONTROLLER:TLS'),
        'server.properties:7: listener.security.protocol.map: expected NAME:PROTOCOL entries with PROTOCOL one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "CONTROLLER:TLS"',
      ],
      [
        'an inter-broker listener that is not advertised',
        edit({}, 'inter.broker.listener.name=INTERNAL'),
        'server.properties:7: inter.broker.listener.name: inter-broker listener INTERNAL must be an advertised broker listener; expected one of PLAINTEXT',
      ],
      [
        'advertising a listener that is not bound',
        edit({}, 'advertised.listeners=EXTERNAL://example.com:9092'),
        'server.properties:7: advertised.listeners: listener EXTERNAL is not in listeners; expected one of PLAINTEXT, CONTROLLER',
      ],
      [
        'advertising 0.0.0.0',
        edit({}, 'advertised.listeners=PLAINTEXT://0.0.0.0:9092'),
        'server.properties:7: advertised.listeners: PLAINTEXT cannot advertise the meta-address 0.0.0.0; use a routable address',
      ],
      [
        'advertising only the controller listener',
        edit({}, 'advertised.listeners=CONTROLLER://localhost:9093'),
        'server.properties:7: advertised.listeners: there must be at least one advertised broker listener (every advertised listener is in controller.listener.names)',
      ],
      [
        'no quorum',
        edit({ 'controller.quorum.voters': null }),
        'server.properties: controller.quorum.voters: required: either controller.quorum.voters (id@host:port,...) or controller.quorum.bootstrap.servers (host:port,...) must name the controllers',
      ],
      [
        'malformed voters',
        edit({ 'controller.quorum.voters': '1@localhost:9093,localhost:9094' }),
        'server.properties:5: controller.quorum.voters: expected id@host:port entries (e.g. 1@localhost:9093), got "localhost:9094"',
      ],
      ['a voter twice', edit({ 'controller.quorum.voters': '1@a:9093,1@b:9093' }), 'server.properties:5: controller.quorum.voters: voter 1 appears twice'],
      [
        'a controller that is not a voter',
        edit({ 'controller.quorum.voters': '2@a:9093,3@b:9093' }),
        'server.properties:5: controller.quorum.voters: node 1 is a controller, so it must be one of the voters; expected it among 2, 3',
      ],
      [
        'a broker-only node among the voters',
        edit({ 'process.roles': 'broker', listeners: 'PLAINTEXT://:9092' }),
        'server.properties:5: controller.quorum.voters: node 1 is only a broker, so it must not be a voter (voters: 1)',
      ],
      [
        'malformed bootstrap servers',
        edit({ 'controller.quorum.voters': null }, 'controller.quorum.bootstrap.servers=localhost'),
        'server.properties:6: controller.quorum.bootstrap.servers: expected host:port entries (e.g. localhost:9093), got "localhost"',
      ],
      ['two log dirs', edit({ 'log.dirs': '/data/a, /data/b' }), 'server.properties:6: log.dirs: Samsa supports one log directory, got 2 (/data/a, /data/b)'],
      [
        'a separate metadata log dir',
        edit({}, 'metadata.log.dir=/data/meta'),
        'server.properties:7: metadata.log.dir: Samsa keeps the metadata log in the log directory (/var/lib/samsa); expected that directory or no setting, got "/data/meta"',
      ],
      ['a misspelt key', edit({}, 'num.partition=3'), 'server.properties:7: num.partition: unknown setting; did you mean num.partitions?'],
      [
        'a misspelt node key',
        edit({}, 'advertized.listeners=PLAINTEXT://h:9092'),
        'server.properties:7: advertized.listeners: unknown setting; did you mean advertised.listeners?',
      ],
      ['a key nobody knows', edit({}, 'frobnicate.level=11'), 'server.properties:7: frobnicate.level: unknown setting'],
      [
        'ZooKeeper',
        edit({}, 'zookeeper.connect=localhost:2181'),
        'server.properties:7: zookeeper.connect: ZooKeeper mode is gone (Kafka 4 and Samsa run in KRaft mode only); remove this line',
      ],
      ['a broker config of the wrong type', edit({}, 'num.partitions=three'), 'server.properties:7: num.partitions: expected an integer, got "three"'],
      ['a number Kafka would not parse', edit({}, 'num.partitions=1e3'), 'server.properties:7: num.partitions: expected an integer, got "1e3"'],
      [
        'a boolean config',
        edit({}, 'unclean.leader.election.enable=yes'),
        'server.properties:7: unclean.leader.election.enable: expected true or false, got "yes"',
      ],
      ['a request limit of 0', edit({}, 'socket.request.max.bytes=0'), 'server.properties:7: socket.request.max.bytes: expected a positive integer, got "0"'],
      [
        'a cluster id with spaces',
        edit({}, 'cluster.id=my cluster'),
        "server.properties:7: cluster.id: expected letters, digits, '-' and '_' (e.g. a base64 UUID), got \"my cluster\"",
      ],
      [
        'a fetch wait above the lag limit',
        edit({}, 'replica.lag.time.max.ms=100'),
        'server.properties:7: replica.lag.time.max.ms: replica.fetch.wait.max.ms (500) must be at most replica.lag.time.max.ms (100), or followers keep leaving the ISR',
      ],
      ['a segment below 1 MiB', edit({}, 'log.segment.bytes=1024'), 'server.properties:7: log.segment.bytes: expected an integer >= 1048576, got "1024"'],
      [
        'an unknown timestamp type',
        edit({}, 'log.message.timestamp.type=BrokerTime'),
        'server.properties:7: log.message.timestamp.type: expected one of CreateTime, LogAppendTime, got "BrokerTime"',
      ],
      [
        'an unknown cleanup policy',
        edit({}, 'log.cleanup.policy=delete,shred'),
        'server.properties:7: log.cleanup.policy: expected a comma-separated list of delete, compact, got "delete,shred"',
      ],
      [
        'a cleanable ratio above 1',
        edit({}, 'log.cleaner.min.cleanable.ratio=1.5'),
        'server.properties:7: log.cleaner.min.cleanable.ratio: expected a number between 0 and 1, got "1.5"',
      ],
      [
        'an unknown broker codec',
        edit({}, 'compression.type=brotli'),
        'server.properties:7: compression.type: expected one of uncompressed, zstd, lz4, snappy, gzip, producer, got "brotli"',
      ],
      [
        'a fetch wait above the socket timeout',
        edit({}, 'replica.fetch.wait.max.ms=40000'),
        'server.properties:7: replica.fetch.wait.max.ms: replica.socket.timeout.ms (30000) must be at least replica.fetch.wait.max.ms (40000), or every follower fetch times out',
      ],
    ];
    for (const [what, text, message] of cases) {
      test(what, () => {
        expect(errorOf(text)).toBe(message);
      });
    }

    test('the file name as given, with the line of a continued entry', () => {
      expect(errorOf(edit({ 'node.id': null }, 'node.id=\\', '  seven'), 'config/broker-1.properties')).toBe(
        'config/broker-1.properties:6: node.id: expected a non-negative integer, got "seven"',
      );
    });
  });

  test('readServerProperties names the path in its messages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-props-'));
    try {
      const path = join(dir, 'server.properties');
      writeFileSync(path, KAFKA_EXAMPLE);
      expect(readServerProperties(path).nodeId).toBe(1);
      writeFileSync(path, edit({ 'node.id': 'x' }));
      expect(() => readServerProperties(path)).toThrow(`${path}:2: node.id: expected a non-negative integer, got "x"`);
      expect(() => readServerProperties(join(dir, 'missing.properties'))).toThrow(PropertiesError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('writeServerProperties', () => {
  const withoutWarnings = (props: BrokerProperties) => ({ ...props, warnings: [] });

  test("Kafka's example reads back the same", () => {
    const props = parseServerProperties(KAFKA_EXAMPLE);
    const again = parseServerProperties(writeServerProperties(props));
    expect(withoutWarnings(again)).toEqual(withoutWarnings(props));
    expect(again.warnings).toEqual([]);
  });

  test('what the cluster command writes for each node', () => {
    const voters = [1, 2, 3].map((id) => ({ id, host: '127.0.0.1', port: 19090 + id }));
    const spec: ServerPropertiesSpec = {
      nodeId: 2,
      roles: ['broker', 'controller'],
      listeners: [
        { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
        { name: 'CONTROLLER', host: '127.0.0.1', port: 19092 },
      ],
      controllerListenerNames: ['CONTROLLER'],
      quorum: { kind: 'voters', voters },
      logDir: '/tmp/samsa/node-2',
      clusterId: 'samsa-local',
      config: new Config({ 'min.insync.replicas': 2, 'log.flush.interval.ms': 9223372036854775807 }),
    };
    const text = writeServerProperties(spec);
    expect(text).toBe(
      [
        '# Node 2 (broker, controller), written by Samsa.',
        'process.roles=broker,controller',
        'node.id=2',
        'listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:19092',
        'controller.listener.names=CONTROLLER',
        'controller.quorum.voters=1@127.0.0.1:19091,2@127.0.0.1:19092,3@127.0.0.1:19093',
        'log.dirs=/tmp/samsa/node-2',
        'cluster.id=samsa-local',
        '',
        '# Broker configs',
        'min.insync.replicas=2',
        'log.flush.interval.ms=9223372036854775807',
        '',
      ].join('\n'),
    );
    const props = parseServerProperties(text);
    expect(props).toMatchObject({
      nodeId: 2,
      roles: ['broker', 'controller'],
      controllerListenerNames: ['CONTROLLER'],
      quorum: spec.quorum,
      logDir: spec.logDir,
    });
    expect(props.clusterId).toBe('samsa-local');
    expect(props.config.overrides()).toEqual(spec.config!.overrides());
    expect(props.warnings).toEqual([]);
    expect(withoutWarnings(parseServerProperties(writeServerProperties(props)))).toEqual(withoutWarnings(props));
  });

  const host = fc.constantFrom('', '127.0.0.1', 'localhost', 'broker-1.example.com', '::1', 'fe80::1%eth0');
  const port = fc.integer({ min: 1, max: 65535 });
  const awkward = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter((s) => s.trim() === s && s !== '' && !s.includes(','));
  const spec = fc
    .record({
      nodeId: fc.integer({ min: 0, max: 2147483647 }),
      roles: fc.constantFrom<readonly ProcessRole[]>(['broker', 'controller'], ['controller', 'broker'], ['broker'], ['controller']),
      brokerHost: host,
      brokerPort: port,
      controllerHost: host,
      controllerPort: port,
      otherVoters: fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { maxLength: 4 }),
      bootstrap: fc.boolean(),
      logDir: awkward,
      clusterId: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,22}$/), { nil: null }),
      partitions: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
      unclean: fc.option(fc.boolean(), { nil: undefined }),
    })
    .filter((s) => s.brokerPort !== s.controllerPort)
    .map((s): ServerPropertiesSpec => {
      const broker = s.roles.includes('broker');
      const controller = s.roles.includes('controller');
      const voterIds = [...new Set([...(controller ? [s.nodeId] : []), ...s.otherVoters.filter((id) => id !== s.nodeId)])];
      if (voterIds.length === 0) voterIds.push(s.nodeId === 0 ? 1 : s.nodeId - 1);
      const overrides: Record<string, number | boolean> = {};
      if (s.partitions !== undefined) overrides['num.partitions'] = s.partitions;
      if (s.unclean !== undefined) overrides['unclean.leader.election.enable'] = s.unclean;
      return {
        nodeId: s.nodeId,
        roles: s.roles,
        listeners: [
          ...(broker ? [{ name: 'PLAINTEXT', host: s.brokerHost, port: s.brokerPort }] : []),
          ...(controller ? [{ name: 'CONTROLLER', host: s.controllerHost, port: s.controllerPort }] : []),
        ],
        controllerListenerNames: ['CONTROLLER'],
        quorum: s.bootstrap
          ? { kind: 'bootstrap', servers: [{ host: s.controllerHost || 'localhost', port: s.controllerPort }] }
          : { kind: 'voters', voters: voterIds.map((id) => ({ id, host: s.controllerHost || 'localhost', port: s.controllerPort })) },
        logDir: s.logDir,
        clusterId: s.clusterId,
        config: new Config(overrides),
      };
    });

  test.prop([spec])('any node spec reads back as written, and its parse writes back to itself', (s) => {
    const props = parseServerProperties(writeServerProperties(s));
    expect(props.nodeId).toBe(s.nodeId);
    expect(props.roles).toEqual(s.roles);
    expect(props.listeners.map(({ name, host, port }) => ({ name, host, port }))).toEqual(s.listeners);
    expect(props.quorum).toEqual(s.quorum);
    expect(props.logDir).toBe(s.logDir);
    expect(props.clusterId).toBe(s.clusterId);
    expect(props.config.overrides()).toEqual(s.config!.overrides());
    expect(props.warnings).toEqual([]);
    const written = writeServerProperties(props);
    expect(writeServerProperties(parseServerProperties(written))).toBe(written);
    expect(withoutWarnings(parseServerProperties(written))).toEqual(withoutWarnings(props));
  });
});

/* Produce latency at a fixed rate with librdkafka (the client library behind kcat): records scheduled
 * open loop, RATE per second for SECONDS, each one's latency taken from its scheduled send time to its
 * delivery report, so a stall delays the figures of every record scheduled during it (no coordinated
 * omission). Prints one JSON line. Usage: rdkafka-latency BOOTSTRAP TOPIC ACKS RATE SECONDS RECORD_BYTES */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <librdkafka/rdkafka.h>

static int64_t *scheduled; /* ns, per record */
static double *latency_ms; /* per delivered record */
static long delivered, failed;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk, (void)opaque;
  long i = (long)(intptr_t)m->_private;
  if (i < 0) return; /* the warm-up record */
  if (m->err) failed++;
  else latency_ms[delivered++] = (now_ns() - scheduled[i]) / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double percentile(double q) {
  if (delivered == 0) return -1;
  long i = (long)(q * delivered);
  return latency_ms[i >= delivered ? delivered - 1 : i];
}

static void produce(rd_kafka_t *rk, rd_kafka_topic_t *topic, char *payload, int bytes, long i) {
  while (rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payload, bytes, NULL, 0, (void *)(intptr_t)i) == -1) {
    rd_kafka_poll(rk, 1); /* the local queue is full: wait for deliveries; the record's clock keeps running */
  }
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: rdkafka-latency BOOTSTRAP TOPIC ACKS RATE SECONDS RECORD_BYTES LINGER_MS\n");
    return 64;
  }
  double rate = atof(argv[4]), seconds = atof(argv[5]);
  int bytes = atoi(argv[6]);
  long records = (long)(rate * seconds);
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  const char *settings[][2] = {{"bootstrap.servers", argv[1]}, {"acks", argv[3]}, {"linger.ms", argv[7]}, {"log_level", "3"}};
  for (size_t s = 0; s < sizeof settings / sizeof settings[0]; s++) {
    if (rd_kafka_conf_set(conf, settings[s][0], settings[s][1], err, sizeof err) != RD_KAFKA_CONF_OK) {
      fprintf(stderr, "%s\n", err);
      return 1;
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", err);
    return 1;
  }
  rd_kafka_topic_t *topic = rd_kafka_topic_new(rk, argv[2], NULL);
  char *payload = malloc(bytes);
  memset(payload, 'x', bytes);
  scheduled = malloc(sizeof *scheduled * (records + 1));
  latency_ms = malloc(sizeof *latency_ms * (records + 1));
  /* One record first, delivered before the clock starts: metadata and connections are in place. */
  produce(rk, topic, payload, bytes, -1);
  rd_kafka_flush(rk, 30000);
  int64_t start = now_ns();
  double interval_ns = 1e9 / rate;
  for (long i = 0; i < records; i++) {
    scheduled[i] = start + (int64_t)(i * interval_ns);
    for (;;) {
      rd_kafka_poll(rk, 0);
      int64_t wait = scheduled[i] - now_ns();
      if (wait <= 0) break;
      struct timespec ts = {0, wait > 200000 ? 200000 : wait};
      nanosleep(&ts, NULL);
    }
    produce(rk, topic, payload, bytes, i);
  }
  double sending_s = (now_ns() - start) / 1e9;
  rd_kafka_flush(rk, 60000);
  qsort(latency_ms, delivered, sizeof *latency_ms, by_value);
  printf("{\"records\":%ld,\"delivered\":%ld,\"failed\":%ld,\"sendSeconds\":%.3f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,\"maxMs\":%.3f}\n",
         records, delivered, failed, sending_s, percentile(0.5), percentile(0.99), percentile(0.999), percentile(1.0));
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(rk);
  return 0;
}

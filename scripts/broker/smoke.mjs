#!/usr/bin/env node
// End-to-end check of the dev broker with kafkajs, the client mlbridge ships with:
// admin createTopics, a produce, two consumer groups that each receive the message after
// GROUP_JOIN, then cleanup. Proves the broker version and kafkajs still speak to each other.
// Usage: node smoke.mjs [--brokers host:port,...]   (default $KAFKA_BROKERS or 127.0.0.1:9092)
import { Kafka, logLevel } from "kafkajs";

const argIdx = process.argv.indexOf("--brokers");
const brokers = (argIdx > 0 ? process.argv[argIdx + 1] : process.env.KAFKA_BROKERS || "127.0.0.1:9092")
  .split(",")
  .map((s) => s.trim());
const run = `${Date.now()}-${process.pid}`;
const topic = `mlbridge.smoke.${run}`;
const kafka = new Kafka({ clientId: "mlbridge-smoke", brokers, logLevel: logLevel.NOTHING });
const t0 = Date.now();
const ms = () => `${Date.now() - t0} ms`;

async function consumeOne(groupId) {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  // A new group starts at the latest offset unless told otherwise: read the topic from the start.
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, (e) => resolve(e)));
  const got = new Promise((resolve) => {
    consumer.run({ eachMessage: async ({ message }) => resolve(message.value.toString()) });
  });
  const join = await joined;
  console.log(`  ${groupId}: GROUP_JOIN after ${ms()} (member ${join.payload.memberId.slice(0, 24)}…)`);
  const value = await Promise.race([
    got,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${groupId}: no message within 20 s`)), 20000)),
  ]);
  await consumer.disconnect();
  return value;
}

const admin = kafka.admin();
let failed = false;
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  console.log(`cluster ${cluster.clusterId}, controller ${cluster.controller}, brokers ${cluster.brokers.length}`);
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  console.log(`createTopics ${topic}: ${ms()}`);

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const payload = `hello ${run}`;
  const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: "k", value: payload }] });
  console.log(`produce: offset ${meta.baseOffset} at ${ms()}`);
  await producer.disconnect();

  for (const group of [`mlbridge-smoke-a-${run}`, `mlbridge-smoke-b-${run}`]) {
    const value = await consumeOne(group);
    if (value !== payload) throw new Error(`${group} received ${value}, expected ${payload}`);
    console.log(`  ${group}: received the message at ${ms()}`);
  }
  await admin.deleteGroups([`mlbridge-smoke-a-${run}`, `mlbridge-smoke-b-${run}`]).catch(() => {});
  await admin.deleteTopics({ topics: [topic] });
  console.log(`smoke OK in ${ms()}`);
} catch (err) {
  failed = true;
  console.error(`smoke FAILED: ${err && err.stack ? err.stack : err}`);
} finally {
  await admin.disconnect().catch(() => {});
}
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// Waits until a Kafka cluster answers a metadata request (admin.describeCluster).
// Usage: node wait-ready.mjs [--brokers host:port,...] [--timeout seconds] [--pid N] [--warm] [--quiet]
//        [--expect-brokers N]
// Brokers default to $KAFKA_BROKERS, then 127.0.0.1:9092. With --pid, gives up as soon as that
// process is gone, so a broker that crashed on startup fails fast instead of after the timeout.
// With --warm, also waits for the group coordinator: on a fresh cluster the first FindCoordinator
// creates __consumer_offsets (50 partitions, ~1 s), a cost better paid here than by the first test.
// Exit 0 when ready, 1 on timeout, 2 when the watched process died.
// The secured broker: --ca FILE (TLS trusting that CA) and --sasl-user U --sasl-password-file FILE
// (SCRAM-SHA-512).
import { readFileSync } from "node:fs";
import { Kafka, logLevel } from "kafkajs";

function parseArgs(argv) {
  const out = { brokers: process.env.KAFKA_BROKERS || "127.0.0.1:9092", timeout: 90, pid: 0, warm: false, quiet: false, expectBrokers: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--brokers") out.brokers = argv[++i];
    else if (a === "--timeout") out.timeout = Number(argv[++i]);
    else if (a === "--pid") out.pid = Number(argv[++i]);
    else if (a === "--warm") out.warm = true;
    else if (a === "--quiet") out.quiet = true;
    else if (a === "--expect-brokers") out.expectBrokers = Number(argv[++i]);
    else if (a === "--ca") out.ca = argv[++i];
    else if (a === "--sasl-user") out.saslUser = argv[++i];
    else if (a === "--sasl-password-file") out.saslPasswordFile = argv[++i];
    else throw new Error(`unknown argument: ${a}`);
  }
  return out;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

const opts = parseArgs(process.argv.slice(2));
const brokers = opts.brokers.split(",").map((s) => s.trim()).filter(Boolean);
const deadline = Date.now() + opts.timeout * 1000;
// Retries are ours (the loop below), so each attempt is short and kafkajs stays silent.
const kafka = new Kafka({
  clientId: "mlbridge-wait-ready",
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 3000,
  retry: { retries: 0 },
  ...(opts.ca ? { ssl: { ca: [readFileSync(opts.ca, "utf8")] } } : {}),
  ...(opts.saslUser
    ? { sasl: { mechanism: "scram-sha-512", username: opts.saslUser, password: readFileSync(opts.saslPasswordFile, "utf8").trim() } }
    : {}),
});

let lastError = "no attempt made";
while (Date.now() < deadline) {
  if (opts.pid && !alive(opts.pid)) {
    console.error(`wait-ready: process ${opts.pid} exited before the broker answered (${lastError})`);
    process.exit(2);
  }
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    // A cluster (--expect-brokers N) is ready once all N brokers registered.
    const hasController = cluster.controller !== null && cluster.controller !== undefined && cluster.brokers.length >= opts.expectBrokers;
    if (cluster.brokers.length > 0 && hasController && opts.warm) {
      // Throws (GROUP_COORDINATOR_NOT_AVAILABLE) until __consumer_offsets is ready; loop retries.
      await admin.describeGroups(["mlbridge-wait-ready"]);
    }
    if (cluster.brokers.length > 0 && hasController) {
      if (!opts.quiet) {
        const ids = cluster.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(", ");
        console.log(`wait-ready: cluster ${cluster.clusterId} answers (brokers ${ids})`);
      }
      await admin.disconnect().catch(() => {});
      process.exit(0);
    }
    lastError = "cluster has no brokers or controller yet";
  } catch (err) {
    lastError = err && err.message ? err.message : String(err);
  }
  await admin.disconnect().catch(() => {});
  await new Promise((r) => setTimeout(r, 300));
}
if (!opts.quiet) console.error(`wait-ready: no answer from ${brokers.join(",")} within ${opts.timeout}s (${lastError})`);
process.exit(1);

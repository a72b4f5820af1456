/**
 * Records of the runner presence topic `<requestTopic>.runners` (schemas/presence.avsc,
 * single-object framed, key = runner id, compacted): what one runner said about itself last.
 * Written by the Python runner (mlbridge_runner/presence/); a tombstone means it stopped cleanly.
 */
import {CodecError} from '../codec/codec-errors.js';
import {frame, unframe} from '../codec/framing.js';
import {wireSchemas} from '../codec/schemas.js';

/** One presence record, with the field names of schemas/presence.avsc. */
export type PresenceRecord = {
	/** Runner identity `host/pid/hex`, as in a reply's `runner` and the catalogue. */
	readonly id: string;
	/** Kafka client.id of the runner's request consumer; its job-lane consumer's is `clientId + '-jobs'`. */
	readonly clientId: string;
	readonly host: string;
	readonly pid: number;
	/** The runner package version. */
	readonly version: string;
	/** The call lane's consumer group (the job lane's is `<group>.jobs`). */
	readonly group: string;
	readonly requestTopic: string;
	/** Names of the pipelines served, sorted. */
	readonly pipelines: readonly string[];
	/** Request topic partitions assigned when the record was written. */
	readonly callPartitions: readonly number[];
	/** Job topic partitions assigned when the record was written. */
	readonly jobPartitions: readonly number[];
	readonly inFlight: number;
	readonly queued: number;
	readonly jobsRunning: number;
	/** Calls replied to since the runner started. */
	readonly served: number;
	readonly startedAtMs: number;
	/** When the record was written (runner's clock). */
	readonly updatedAtMs: number;
	/** The runner's publish period. */
	readonly intervalMs: number;
	/** `http://host:port/metrics` when the runner serves metrics; `""` otherwise. */
	readonly metricsUrl: string;
};

/** A record older than this many publish periods means its runner is gone. */
export const livePeriods = 3;

/** The compacted topic runners announce themselves on. */
export function presenceTopicFor(requestTopic: string): string {
	return `${requestTopic}.runners`;
}

/** Whether the runner that wrote `record` counts as alive at `nowMs`. */
export function isLive(record: Pick<PresenceRecord, 'updatedAtMs' | 'intervalMs'>, nowMs: number): boolean {
	return nowMs - record.updatedAtMs < livePeriods * record.intervalMs;
}

/** The framed bytes of a record (the runner writes them; this side for tests and tools). */
export function encodePresenceRecord(record: PresenceRecord): Buffer {
	return frame(wireSchemas.presence.fingerprint, wireSchemas.presence.type.toBuffer(record));
}

/** Read a framed record. Throws CodecError for other schemas, bad frames or bodies. */
export function decodePresenceRecord(bytes: Buffer): PresenceRecord {
	const {fingerprint, body} = unframe(bytes);
	if (!fingerprint.equals(wireSchemas.presence.fingerprint)) {
		throw new CodecError('unknown-fingerprint', `Not a presence record: schema fingerprint ${fingerprint.toString('hex')}, expected ${wireSchemas.presence.fingerprintHex}`);
	}

	let raw: Record<string, unknown>;
	try {
		raw = wireSchemas.presence.type.fromBuffer(body) as Record<string, unknown>;
	} catch (error) {
		throw new CodecError('malformed-body', `Bad presence record body: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}

	return {
		id: raw['id'] as string,
		clientId: raw['clientId'] as string,
		host: raw['host'] as string,
		pid: raw['pid'] as number,
		version: raw['version'] as string,
		group: raw['group'] as string,
		requestTopic: raw['requestTopic'] as string,
		pipelines: raw['pipelines'] as string[],
		callPartitions: raw['callPartitions'] as number[],
		jobPartitions: raw['jobPartitions'] as number[],
		inFlight: raw['inFlight'] as number,
		queued: raw['queued'] as number,
		jobsRunning: raw['jobsRunning'] as number,
		served: Number(raw['served']),
		startedAtMs: Number(raw['startedAtMs']),
		updatedAtMs: Number(raw['updatedAtMs']),
		intervalMs: raw['intervalMs'] as number,
		metricsUrl: raw['metricsUrl'] as string,
	};
}

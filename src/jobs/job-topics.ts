/**
 * The two topics of the jobs protocol (docs/jobs.md). Names derive from the request topic on both
 * sides, so a client and a runner that agree on the request topic agree on these.
 */
import type {TopicSpec} from '../transport/transport.js';

/** Partitions of both job topics when this client creates them (docs/jobs.md). */
export const jobTopicPartitions = 6;

/** Job results and states are kept this long unless `jobRetentionMs` says otherwise: 7 days. */
export const defaultJobRetentionMs = 7 * 24 * 3_600_000;

/** `<requestTopic>.jobs`: the job requests. */
export function defaultJobTopic(requestTopic: string): string {
	return `${requestTopic}.jobs`;
}

/** `<requestTopic>.jobs.state`: the job records. */
export function defaultJobStateTopic(requestTopic: string): string {
	return `${requestTopic}.jobs.state`;
}

/** Job requests: deleted after the retention, like calls. */
export function jobTopicSpec(topic: string, retentionMs: number): TopicSpec {
	return {
		topic,
		numPartitions: jobTopicPartitions,
		config: {'cleanup.policy': 'delete', 'retention.ms': String(retentionMs)},
	};
}

/**
 * Job state: compacted (the newest record per id is the state) and deleted after the retention
 * (finished jobs do not pile up forever). Hour-long segments and a low dirty ratio let compaction
 * run often, so a reader that starts from the beginning reads about one record per job.
 */
export function jobStateTopicSpec(topic: string, retentionMs: number): TopicSpec {
	return {
		topic,
		numPartitions: jobTopicPartitions,
		config: {
			'cleanup.policy': 'compact,delete',
			'retention.ms': String(retentionMs),
			'segment.ms': String(Math.min(3_600_000, retentionMs)),
			'min.cleanable.dirty.ratio': '0.1',
		},
	};
}

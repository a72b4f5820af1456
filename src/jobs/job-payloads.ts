/**
 * A job's args and result by reference (docs/jobs.md, docs/protocol.md "Large payloads by
 * reference"): args above the client's threshold are written to the blob store before submit, and
 * the job request and its QUEUED record carry the BlobRef; a result the runner stored by reference
 * is fetched and verified when read. Job blobs are not deleted on read: any client may reattach and
 * read a job again while its record lives, so they go with the store's sweep for job blobs
 * (`job-` names; `gc --job-older-than`, default the jobs' retention of 7 days).
 */
import {randomBytes} from 'node:crypto';
import {blobRefSchemaRef} from '../blobs/blob-ref.js';
import {type ClaimCheck, noStoreError} from '../blobs/claim-check.js';
import {JOB_BLOB_PREFIX} from '../blobs/sweep.js';
import type {JobRecord} from './job-record.js';

/** A job's args as the client encoded them (a body and the ref of its schema). */
export type JobBody = {readonly args: Buffer; readonly argsSchema: string};

/** The blob name of a job's args: its id made name-safe, plus a random part (a resubmitted id writes anew). */
export function jobBlobName(jobId: string, role: 'args' | 'result'): string {
	return `${JOB_BLOB_PREFIX}${jobId.replaceAll(/[^\w.-]/g, '_').slice(0, 160)}-${randomBytes(4).toString('hex')}.${role}`;
}

export class JobPayloads {
	constructor(private readonly blobs: ClaimCheck | undefined) {}

	/** The args body to submit: a BlobRef when it is above the threshold and a store is configured. */
	async offloadArgs(jobId: string, pipeline: string, body: JobBody): Promise<JobBody> {
		if (this.blobs === undefined) return body;
		const {args, argsSchema} = await this.blobs.offload(jobId, pipeline, body.args, body.argsSchema, jobBlobName(jobId, 'args'));
		return {args, argsSchema};
	}

	/** `record` with its result fetched when it is a reference. Rejects with BlobUnavailableError. */
	async withResult(record: JobRecord): Promise<JobRecord> {
		if (record.resultSchema !== blobRefSchemaRef) return record;
		if (this.blobs === undefined) throw noStoreError(record.id, record.pipeline, record.runner);
		const {body, schema} = await this.blobs.fetch(record.result, record.resultSchema, record.id, record.pipeline, record.runner);
		return {...record, result: body, resultSchema: schema};
	}

	/** `record` with its args fetched when they went by reference. Rejects with BlobUnavailableError. */
	async withArgs(record: JobRecord): Promise<JobRecord> {
		if (record.argsSchema !== blobRefSchemaRef) return record;
		if (this.blobs === undefined) throw noStoreError(record.id, record.pipeline, record.runner);
		const {body, schema} = await this.blobs.fetch(record.args, record.argsSchema, record.id, record.pipeline, record.runner);
		return {...record, args: body, argsSchema: schema};
	}
}

/**
 * An S3-compatible store (AWS S3, MinIO, Ceph…): `s3://bucket/prefix`. The AWS SDK v3
 * (`@aws-sdk/client-s3`, an optional peer supporting Node 20) is loaded only when such a URL is
 * opened; credentials and endpoint come from the SDK's usual environment (AWS_ENDPOINT_URL for MinIO).
 * The store talks to the SDK through {@link S3Api}, four calls, so it can be tested without a server.
 */
import {createHash} from 'node:crypto';
import {BlobExistsError, BlobStoreError, BlobStorePackageMissingError} from './blob-errors.js';
import type {BlobStore, StoredBlob} from './blob-store.js';
import {sweepAge} from './sweep.js';

/** The four S3 operations the store needs. */
export interface S3Api {
	/** `ifAbsent`: only if there is no such key (S3's `If-None-Match: *`); rejects with BlobExistsError. */
	put(bucket: string, key: string, body: Uint8Array, sha256: string, ifAbsent?: boolean): Promise<void>;
	/** The object's chunks, or undefined when there is no such key. */
	get(bucket: string, key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
	delete(bucket: string, key: string): Promise<void>;
	/** Keys under `prefix` with their last-modified time. */
	list(bucket: string, prefix: string): Promise<Array<{key: string; lastModifiedMs: number}>>;
}

/** Named in a variable: the package is optional, so its types are not required to compile. */
const SDK_PACKAGE = '@aws-sdk/client-s3';

type Command = new (input: Record<string, unknown>) => unknown;
/** The part of `@aws-sdk/client-s3` used here. */
type S3Sdk = {
	S3Client: new (config: Record<string, unknown>) => {send(command: unknown): Promise<any>}; // eslint-disable-line @typescript-eslint/no-explicit-any
	PutObjectCommand: Command;
	GetObjectCommand: Command;
	DeleteObjectCommand: Command;
	ListObjectsV2Command: Command;
};

export class S3BlobStore implements BlobStore {
	readonly url: string;
	readonly #bucket: string;
	readonly #prefix: string;

	constructor(url: string, private readonly api: S3Api) {
		const parsed = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
		if (parsed === null) throw new Error(`not an s3://bucket/prefix URL: ${url.slice(0, 200)}`);
		this.#bucket = parsed[1]!;
		this.#prefix = parsed[2] === '' || parsed[2]!.endsWith('/') ? parsed[2]! : `${parsed[2]}/`;
		this.url = url;
	}

	/** The store over the AWS SDK v3 client (loaded now). */
	static async open(url: string): Promise<S3BlobStore> {
		let sdk: S3Sdk;
		try {
			sdk = (await import(SDK_PACKAGE)) as S3Sdk;
		} catch (error) {
			throw new BlobStorePackageMissingError('@aws-sdk/client-s3', {cause: error});
		}

		const client = new sdk.S3Client({});
		const api: S3Api = {
			async put(Bucket, Key, Body, sha256, ifAbsent) {
				try {
					await client.send(new sdk.PutObjectCommand({
						Bucket, Key, Body, ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'), ...(ifAbsent ? {IfNoneMatch: '*'} : {}),
					}));
				} catch (error) {
					if (ifAbsent && (error as {name?: string}).name === 'PreconditionFailed') throw new BlobExistsError(`s3://${Bucket}/${Key}`);
					throw error;
				}
			},
			async get(Bucket, Key) {
				try {
					const out = await client.send(new sdk.GetObjectCommand({Bucket, Key}));
					return out.Body as AsyncIterable<Uint8Array>;
				} catch (error) {
					if ((error as {name?: string}).name === 'NoSuchKey') return undefined;
					throw error;
				}
			},
			async delete(Bucket, Key) {
				await client.send(new sdk.DeleteObjectCommand({Bucket, Key}));
			},
			async list(Bucket, Prefix) {
				const found: Array<{key: string; lastModifiedMs: number}> = [];
				let ContinuationToken: string | undefined;
				do {
					// eslint-disable-next-line no-await-in-loop -- pages follow each other
					const page = await client.send(new sdk.ListObjectsV2Command({Bucket, Prefix, ContinuationToken}));
					for (const item of (page.Contents ?? []) as Array<{Key: string; LastModified?: Date}>) found.push({key: item.Key, lastModifiedMs: item.LastModified?.getTime() ?? 0});
					ContinuationToken = page.NextContinuationToken as string | undefined;
				} while (ContinuationToken !== undefined);
				return found;
			},
		};
		return new S3BlobStore(url, api);
	}

	async put(name: string, body: Uint8Array): Promise<StoredBlob> {
		return this.#write(name, body, false);
	}

	async putNew(name: string, body: Uint8Array): Promise<StoredBlob> {
		return this.#write(name, body, true);
	}

	async #write(name: string, body: Uint8Array, ifAbsent: boolean): Promise<StoredBlob> {
		const key = this.#prefix + name;
		const uri = `s3://${this.#bucket}/${key}`;
		const sha256 = createHash('sha256').update(body).digest('hex');
		try {
			await (ifAbsent ? this.api.put(this.#bucket, key, body, sha256, true) : this.api.put(this.#bucket, key, body, sha256));
		} catch (error) {
			if (error instanceof BlobExistsError) throw error;
			throw new BlobStoreError('BlobStoreUnreachable', uri, `cannot write: ${String(error)}`, {cause: error});
		}

		return {uri, size: body.length, sha256};
	}

	async get(uri: string, size: number, sha256: string): Promise<Buffer> {
		const key = this.#keyOf(uri);
		let chunks: AsyncIterable<Uint8Array> | undefined;
		try {
			chunks = await this.api.get(this.#bucket, key);
		} catch (error) {
			throw new BlobStoreError('BlobStoreUnreachable', uri, String(error), {cause: error});
		}

		if (chunks === undefined) throw new BlobStoreError('BlobMissing', uri, 'no such object');
		const body = Buffer.allocUnsafe(size);
		const hash = createHash('sha256');
		let offset = 0;
		try {
			for await (const chunk of chunks) {
				if (offset + chunk.length > size) throw new BlobStoreError('BlobCorrupt', uri, `longer than the ${size} bytes the reference says`);
				body.set(chunk, offset);
				hash.update(chunk);
				offset += chunk.length;
			}
		} catch (error) {
			throw error instanceof BlobStoreError ? error : new BlobStoreError('BlobStoreUnreachable', uri, String(error), {cause: error});
		}

		if (offset !== size) throw new BlobStoreError('BlobCorrupt', uri, `ends after ${offset} of ${size} bytes`);
		const digest = hash.digest('hex');
		if (digest !== sha256) throw new BlobStoreError('BlobCorrupt', uri, `SHA-256 ${digest}, the reference says ${sha256}`);
		return body;
	}

	async delete(uri: string): Promise<void> {
		await this.api.delete(this.#bucket, this.#keyOf(uri));
	}

	async sweep(olderThanMs: number, jobOlderThanMs?: number): Promise<number> {
		const now = Date.now();
		const old = (await this.api.list(this.#bucket, this.#prefix))
			.filter(item => item.lastModifiedMs < now - sweepAge(item.key.slice(this.#prefix.length), olderThanMs, jobOlderThanMs));
		for (const item of old) await this.api.delete(this.#bucket, item.key); // eslint-disable-line no-await-in-loop
		return old.length;
	}

	#keyOf(uri: string): string {
		const start = `s3://${this.#bucket}/${this.#prefix}`;
		if (!uri.startsWith(start) || uri.length === start.length) {
			throw new BlobStoreError('BlobMissing', uri, `not a blob of the store ${this.url}`);
		}

		return uri.slice(`s3://${this.#bucket}/`.length);
	}
}

/**
 * A directory as a blob store (a dev machine, an NFS/EFS mount). Writes go to a temporary name and
 * are renamed when complete, so a reader never sees half a blob; reads land in one buffer of the
 * announced size, hashed as they stream in.
 */
import {createHash, randomBytes} from 'node:crypto';
import {link, mkdir, open, readdir, rename, rm, stat, unlink} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {BlobExistsError, BlobStoreError} from './blob-errors.js';
import type {BlobStore, StoredBlob} from './blob-store.js';
import {sweepAge} from './sweep.js';

/** Chunk of the streamed reads and writes: large enough for throughput, small against the body. */
const CHUNK = 8 * 1024 * 1024;
const SAFE_NAME = /^[A-Za-z0-9._-]{1,200}$/;

export class FileBlobStore implements BlobStore {
	readonly url: string;
	readonly #dir: string;

	constructor(url: string) {
		this.#dir = fileURLToPath(url);
		this.url = pathToFileURL(this.#dir).href;
	}

	async put(name: string, body: Uint8Array): Promise<StoredBlob> {
		return this.#write(name, body, false);
	}

	async putNew(name: string, body: Uint8Array): Promise<StoredBlob> {
		return this.#write(name, body, true);
	}

	async #write(name: string, body: Uint8Array, exclusive: boolean): Promise<StoredBlob> {
		if (!SAFE_NAME.test(name)) {
			throw new Error(`blob name ${JSON.stringify(name.slice(0, 200))} is not [A-Za-z0-9._-]{1,200}`);
		}

		const path = join(this.#dir, name);
		// Racing writers of one name each write their own temporary file.
		const temporary = exclusive ? `${path}.${randomBytes(4).toString('hex')}.partial` : `${path}.partial`;
		const hash = createHash('sha256');
		try {
			await mkdir(this.#dir, {recursive: true});
			const file = await open(temporary, 'w');
			try {
				for (let offset = 0; offset < body.length; offset += CHUNK) {
					const chunk = body.subarray(offset, Math.min(offset + CHUNK, body.length));
					hash.update(chunk);
					await file.write(chunk);
				}

				if (exclusive) await file.sync();
			} finally {
				await file.close();
			}

			if (exclusive) {
				try {
					await link(temporary, path); // fails if the name exists: link(2) is create-if-absent, also on NFS
				} catch (error) {
					if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BlobExistsError(pathToFileURL(path).href);
					throw error;
				} finally {
					await rm(temporary, {force: true});
				}
			} else {
				await rename(temporary, path);
			}
		} catch (error) {
			if (error instanceof BlobExistsError) throw error;
			await rm(temporary, {force: true}).catch(() => undefined); // the directory itself may be what failed
			throw new BlobStoreError('BlobStoreUnreachable', pathToFileURL(path).href, `cannot write: ${String(error)}`, {cause: error});
		}

		return {uri: pathToFileURL(path).href, size: body.length, sha256: hash.digest('hex')};
	}

	async get(uri: string, size: number, sha256: string): Promise<Buffer> {
		const path = this.#pathOf(uri);
		let file;
		try {
			file = await open(path, 'r');
		} catch (error) {
			const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
			throw new BlobStoreError(missing ? 'BlobMissing' : 'BlobStoreUnreachable', uri, missing ? 'no such blob' : String(error), {cause: error});
		}

		try {
			const {size: actual} = await file.stat();
			if (actual !== size) {
				throw new BlobStoreError('BlobCorrupt', uri, `${actual} bytes, the reference says ${size}`);
			}

			const body = Buffer.allocUnsafe(size);
			const hash = createHash('sha256');
			let offset = 0;
			while (offset < size) {
				// eslint-disable-next-line no-await-in-loop -- sequential reads into one buffer
				const {bytesRead} = await file.read(body, offset, Math.min(CHUNK, size - offset), offset);
				if (bytesRead === 0) {
					throw new BlobStoreError('BlobCorrupt', uri, `ends after ${offset} of ${size} bytes`);
				}

				hash.update(body.subarray(offset, offset + bytesRead));
				offset += bytesRead;
			}

			const digest = hash.digest('hex');
			if (digest !== sha256) {
				throw new BlobStoreError('BlobCorrupt', uri, `SHA-256 ${digest}, the reference says ${sha256}`);
			}

			return body;
		} catch (error) {
			throw error instanceof BlobStoreError ? error : new BlobStoreError('BlobStoreUnreachable', uri, String(error), {cause: error});
		} finally {
			await file.close();
		}
	}

	async delete(uri: string): Promise<void> {
		await rm(this.#pathOf(uri), {force: true});
	}

	async sweep(olderThanMs: number, jobOlderThanMs?: number): Promise<number> {
		const now = Date.now();
		let names: string[];
		try {
			names = await readdir(this.#dir);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
			throw error;
		}

		let deleted = 0;
		for (const name of names) {
			const path = join(this.#dir, name);
			try {
				// eslint-disable-next-line no-await-in-loop -- a sweep is background work; keep it gentle
				if ((await stat(path)).mtimeMs < now - sweepAge(name, olderThanMs, jobOlderThanMs)) {
					await unlink(path); // eslint-disable-line no-await-in-loop
					deleted++;
				}
			} catch {
				// Deleted meanwhile by its reader: nothing to do.
			}
		}

		return deleted;
	}

	/** Only blobs inside this store's directory are read or deleted: a reference cannot name /etc/passwd. */
	#pathOf(uri: string): string {
		let path: string;
		try {
			path = fileURLToPath(uri);
		} catch (error) {
			throw new BlobStoreError('BlobMissing', uri, 'not a file:// URI', {cause: error});
		}

		const name = path.slice(this.#dir.length + 1);
		if (!path.startsWith(`${this.#dir}/`) || !SAFE_NAME.test(name)) {
			throw new BlobStoreError('BlobMissing', uri, `not a blob of the store ${this.url}`);
		}

		return path;
	}
}

/**
 * How old a blob must be before the TTL sweep deletes it (twin of python-runner's blobs/sweep.py):
 * a call's blobs once its caller has surely given up, a job's (`job-…` names) once its record is gone.
 */

/** The jobs' default retention (7 days): any client may read a job's args and result while its record lives. */
export const DEFAULT_JOB_BLOB_AGE_MS = 7 * 24 * 3600 * 1000;
export const JOB_BLOB_PREFIX = 'job-';
/** Model versions (`model-…` names, written by runners) are never swept: a record on the model topic names them. */
export const MODEL_BLOB_PREFIX = 'model-';

/**
 * The age past which the blob `name` is swept (infinite for model versions; a write left half done
 * by a process that died, `….partial`, goes with the calls' age whatever its name).
 */
export function sweepAge(name: string, olderThanMs: number, jobOlderThanMs: number | undefined): number {
	if (name.endsWith('.partial')) return olderThanMs;
	if (name.startsWith(MODEL_BLOB_PREFIX)) return Number.POSITIVE_INFINITY;
	return name.startsWith(JOB_BLOB_PREFIX) ? Math.max(olderThanMs, jobOlderThanMs ?? DEFAULT_JOB_BLOB_AGE_MS) : olderThanMs;
}

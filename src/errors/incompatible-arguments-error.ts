import {RemoteError, type RemoteErrorDetails} from './remote-errors.js';

/**
 * `INCOMPATIBLE_ARGUMENTS`: the call carries a field that the answering runner's version of the
 * pipeline does not have, with a value other than that field's default, so reading it there would
 * have dropped the argument and returned a different answer. Retryable: runners hand such a call on
 * to a live runner of a version that has the field (docs/protocol.md §14, rolling upgrades); this
 * error means none could take it within the hop limit or the deadline.
 *
 * The runner states the field and both schemas in a fixed form (`field '<path>'`, `client schema
 * <ref> (version <n|unknown>)`, `runner schema <ref> (version <n>)`), read here into properties;
 * a part the message lacks reads as `''` (or `undefined` for a version).
 */
export class IncompatibleArgumentsError extends RemoteError {
	/** Path of the field that would be dropped, e.g. `c` or `config.momentum`. */
	readonly field: string;
	/** The ref (`crc64:…`) of the schema the call was written with. */
	readonly clientSchema: string;
	/** The catalogue version of that schema; `undefined` when the runner did not know it. */
	readonly clientVersion: number | undefined;
	/** The ref of the answering runner's args schema. */
	readonly runnerSchema: string;
	/** The answering runner's version of the pipeline. */
	readonly runnerVersion: number | undefined;

	constructor(requestId: string, pipeline: string, details: RemoteErrorDetails, runner: string) {
		super(requestId, pipeline, details, runner);
		const message = details.message;
		this.field = /field '([^']*)'/.exec(message)?.[1] ?? '';
		const client = /client schema (\S+) \(version (\d+|unknown)\)/.exec(message);
		const ours = /runner schema (\S+) \(version (\d+)\)/.exec(message);
		this.clientSchema = client?.[1] ?? '';
		this.clientVersion = client?.[2] === undefined || client[2] === 'unknown' ? undefined : Number(client[2]);
		this.runnerSchema = ours?.[1] ?? '';
		this.runnerVersion = ours?.[2] === undefined ? undefined : Number(ours[2]);
	}
}

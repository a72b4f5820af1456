/**
 * Compiled schemas by ref: each ref is compiled once, from the pinned contract or from the text a
 * catalogue entry carries, then reused by every call.
 */
import type {Logger} from '../logging/logger.js';
import type {AvroSchema} from './contract.js';
import {TypedSchema} from './typed-codec.js';

/** Where schema texts come from when a ref is not compiled yet (the catalogue view). */
export type SchemaSource = {
	schemaText(ref: string): string | undefined;
	waitForSchema(ref: string, timeoutMs: number): Promise<string | undefined>;
};

export class SchemaStore {
	readonly #byRef = new Map<string, TypedSchema>();
	/** Refs whose published text does not compile: not tried (and logged) again. */
	readonly #invalid = new Set<string>();
	readonly #source: SchemaSource | undefined;
	readonly #logger: Logger;

	constructor(logger: Logger, source?: SchemaSource) {
		this.#logger = logger;
		this.#source = source;
	}

	/** Compile (or reuse) a schema given as JSON. */
	add(schema: AvroSchema | string): TypedSchema {
		const compiled = TypedSchema.compile(schema);
		const known = this.#byRef.get(compiled.ref);
		if (known !== undefined) {
			return known;
		}

		this.#byRef.set(compiled.ref, compiled);
		return compiled;
	}

	/** The compiled schema of `ref`, compiling the source's text on first use; undefined when unknown. */
	get(ref: string): TypedSchema | undefined {
		const known = this.#byRef.get(ref);
		if (known !== undefined) {
			return known;
		}

		const text = this.#source?.schemaText(ref);
		return text === undefined ? undefined : this.#fromText(ref, text);
	}

	/** Like get(), but waits up to `timeoutMs` for the source to learn the ref. */
	async wait(ref: string, timeoutMs: number): Promise<TypedSchema | undefined> {
		const known = this.get(ref);
		if (known !== undefined || this.#source === undefined) {
			return known;
		}

		const text = await this.#source.waitForSchema(ref, timeoutMs);
		return text === undefined ? undefined : this.#fromText(ref, text);
	}

	#fromText(ref: string, text: string): TypedSchema | undefined {
		if (this.#invalid.has(ref)) {
			return undefined;
		}

		let compiled: TypedSchema;
		try {
			compiled = TypedSchema.compile(text);
		} catch (error) {
			this.#invalid.add(ref);
			this.#logger.warn('schema.invalid', {ref, error: String(error)});
			return undefined;
		}

		if (compiled.ref !== ref && ref.startsWith('crc64:')) {
			// The publisher fingerprinted differently; the text is still what it wrote with.
			this.#logger.warn('schema.ref_mismatch', {ref, computed: compiled.ref});
		}

		this.#byRef.set(ref, compiled);
		return compiled;
	}
}

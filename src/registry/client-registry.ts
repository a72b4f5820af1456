/**
 * What a PipelineClient does differently with `schemaRegistry` set: requests are Confluent frames
 * (request.avsc registered under `<requestTopic>-value`), typed arguments name their schema as
 * `registry:<id>` (registered under `mlbridge.pipeline.<name>.args-value`), `registry:<id>` result
 * refs are looked up in the registry, and replies are decoded in either framing, in arrival order.
 */
import {AvroReader} from '../codec/avro-reader.js';
import type {ReplyEnvelope, RequestEnvelope} from '../codec/envelopes.js';
import type {SchemaSource} from '../contract/schema-store.js';
import type {TypedSchema} from '../contract/typed-codec.js';
import {CONFLUENT_HEADER_LENGTH, detectFraming} from './confluent-framing.js';
import {encodeRequestConfluent, RegistryEnvelopes} from './registry-envelopes.js';
import {SchemaRegistryError} from './registry-errors.js';
import {ConfluentSchemaRegistry, type RegistryTransport, type SchemaRegistryOptions} from './schema-registry.js';
import {argsSubject, parseRegistryRef, registryRef} from './subjects.js';

/** What the reply handler does with each message. */
export type ReplyHandlers = {
	/** A decoded reply, in the order the messages arrived. */
	readonly route: (reply: ReplyEnvelope) => void;
	/** The reply of request `requestId` cannot be read because the registry failed. */
	readonly fail: (requestId: string, error: SchemaRegistryError) => void;
	/** Bytes that are no reply at all (or whose id cannot be read): nobody to tell but the log. */
	readonly undecodable: (error: unknown, bytes: number) => void;
};

export class ClientRegistry {
	readonly registry: ConfluentSchemaRegistry;
	readonly envelopes: RegistryEnvelopes;
	/** Registry id of request.avsc under `<requestTopic>-value`. */
	readonly requestSchemaId: number;
	readonly #argsRefs = new Map<string, Promise<string>>();

	private constructor(registry: ConfluentSchemaRegistry, envelopes: RegistryEnvelopes, requestSchemaId: number) {
		this.registry = registry;
		this.envelopes = envelopes;
		this.requestSchemaId = requestSchemaId;
	}

	/**
	 * Registers the envelope schemas (the reply one too, so replies of runners that registered the
	 * same text decode without a lookup). Rejects with SchemaRegistryError when the registry cannot.
	 */
	static async open(options: SchemaRegistryOptions, requestTopic: string, transport?: RegistryTransport): Promise<ClientRegistry> {
		const registry = new ConfluentSchemaRegistry(options, transport);
		const envelopes = new RegistryEnvelopes(registry);
		// One after the other: concurrent registrations are what makes a busy registry time out.
		const requestSchemaId = await envelopes.requestSchemaId(requestTopic);
		await envelopes.replySchemaId();
		return new ClientRegistry(registry, envelopes, requestSchemaId);
	}

	/** `registry:<id>` of a typed pipeline's arguments schema, registered once per schema. */
	argsRef(pipeline: string, args: TypedSchema, requestId: string): Promise<string> {
		const key = `${pipeline}\u0000${args.ref}`;
		let ref = this.#argsRefs.get(key);
		if (ref === undefined) {
			ref = this.registry.register(argsSubject(pipeline), args.schema).then(registryRef);
			ref.catch(() => this.#argsRefs.delete(key));
			this.#argsRefs.set(key, ref);
		}
		return ref.catch((error: unknown) => {
			throw withRequestId(error, requestId);
		});
	}

	/** The request as a Confluent frame. */
	encodeRequest(request: RequestEnvelope): Buffer {
		return encodeRequestConfluent(this.requestSchemaId, request);
	}

	/**
	 * A schema source answering `registry:<id>` refs from the registry and every other ref from
	 * `base` (the catalogue). An unknown id is "not found" (undefined); an unreachable registry
	 * rejects with SchemaRegistryError, so the call fails with that rather than a wrong reason.
	 */
	schemaSource(base: SchemaSource | undefined): SchemaSource {
		const {registry} = this;
		return {
			schemaText(ref) {
				const id = parseRegistryRef(ref);
				return id === undefined ? base?.schemaText(ref) : registry.cachedSchemaText(id);
			},
			async waitForSchema(ref, timeoutMs) {
				const id = parseRegistryRef(ref);
				if (id === undefined) return base?.waitForSchema(ref, timeoutMs);
				try {
					return await registry.schemaText(id);
				} catch (error) {
					if (error instanceof SchemaRegistryError && error.reason === 'schema-not-found') return undefined;
					throw error;
				}
			},
		};
	}

	/**
	 * The reply topic's message handler. Frames whose schema is known are handled at once; one that
	 * needs a registry lookup waits, and so do the messages behind it, so a call's progress reports
	 * and its result keep their order.
	 */
	replyHandler(handlers: ReplyHandlers): (value: Buffer) => void {
		let queue: Promise<void> | undefined;
		const fail = (value: Buffer, error: unknown): void => {
			const requestId = error instanceof SchemaRegistryError ? peekConfluentReplyId(value) : undefined;
			if (requestId === undefined || !(error instanceof SchemaRegistryError)) {
				handlers.undecodable(error, value.length);
				return;
			}
			handlers.fail(requestId, withRequestId(error, requestId) as SchemaRegistryError);
		};
		return value => {
			if (queue === undefined) {
				let reply: ReplyEnvelope | undefined;
				try {
					reply = this.envelopes.decodeReplyNow(value);
				} catch (error) {
					fail(value, error);
					return;
				}
				if (reply !== undefined) {
					handlers.route(reply);
					return;
				}
			}
			const next = (queue ?? Promise.resolve()).then(async () => {
				let reply: ReplyEnvelope;
				try {
					reply = await this.envelopes.decodeReply(value);
				} catch (error) {
					fail(value, error);
					return;
				}
				handlers.route(reply);
			});
			queue = next;
			void next.finally(() => {
				if (queue === next) queue = undefined;
			});
		};
	}
}

/**
 * A schema source that sends `registry:<id>` refs to the registry once `registry()` returns one
 * (the client opens it while connecting) and everything else to `base`.
 */
export function withRegistry(registry: () => ClientRegistry | undefined, base: SchemaSource): SchemaSource {
	return {
		schemaText: ref => (parseRegistryRef(ref) === undefined ? base : registry()?.schemaSource(base) ?? base).schemaText(ref),
		waitForSchema: async (ref, timeoutMs) => (parseRegistryRef(ref) === undefined ? base : registry()?.schemaSource(base) ?? base).waitForSchema(ref, timeoutMs),
	};
}

/** The id (first field) of a Confluent-framed reply, read without its schema; undefined if unreadable. */
export function peekConfluentReplyId(buf: Buffer): string | undefined {
	if (detectFraming(buf) !== 'confluent') return undefined;
	try {
		return new AvroReader(buf, CONFLUENT_HEADER_LENGTH).string();
	} catch {
		return undefined;
	}
}

function withRequestId(error: unknown, requestId: string): unknown {
	if (!(error instanceof SchemaRegistryError) || error.requestId === requestId) return error;
	return new SchemaRegistryError(error.reason, error.message, {
		host: error.host,
		status: error.status,
		schemaId: error.schemaId,
		subject: error.subject,
		requestId,
		cause: error.cause,
	});
}

/**
 * The client side of a Confluent-compatible schema registry: register a schema under a subject,
 * find a schema by id. Both are cached for the life of the client (a registry id never changes
 * meaning), and concurrent asks for the same thing share one HTTP request.
 *
 * HTTP goes through @kafkajs/confluent-schema-registry's REST client (retries, basic auth, the
 * registry's content type). Its `SchemaRegistry.register()` is not used: it insists on a
 * per-subject BACKWARD compatibility level (and fails on registries that report the global level
 * for a subject, such as Apicurio), and refuses unnamed schemas such as a `long` result.
 */
import type {SchemaRegistryAPIClientArgs} from '@kafkajs/confluent-schema-registry/dist/api/index.js';
import apiModule from '@kafkajs/confluent-schema-registry/dist/api/index.js';
import type {AvroSchema} from '../contract/contract.js';
import {SchemaRegistryError} from './registry-errors.js';

/** Client option `schemaRegistry`. */
export interface SchemaRegistryOptions {
	/** Base URL the Confluent API lives under, e.g. `http://localhost:8081` (Apicurio: `…/apis/ccompat/v6`). */
	host: string;
	/** HTTP basic auth (Confluent Cloud: API key and secret). */
	auth?: {username: string; password: string};
	/** Sent as the client id header; default `mlbridge`. */
	clientId?: string;
	/** Retries of a failed HTTP request (transport errors, 5xx); default 2. */
	retries?: number;
	/** Time limit of one HTTP request in ms; default 5000. */
	requestTimeoutMs?: number;
}

/** The HTTP calls this module needs; the default goes through @kafkajs/confluent-schema-registry. */
export interface RegistryTransport {
	/** POST /subjects/{subject}/versions: the id of `schemaText` (registered if new). */
	register(subject: string, schemaText: string): Promise<number>;
	/** GET /schemas/ids/{id}: the schema text. */
	schemaText(schemaId: number): Promise<string>;
}

/** A schema as the registry holds it. */
export interface RegistrySchema {
	readonly id: number;
	/** Schema JSON text as returned by the registry. */
	readonly text: string;
}

type ApiFactory = typeof apiModule.default;
type ApiClient = ReturnType<ApiFactory>;
type Middleware = NonNullable<SchemaRegistryAPIClientArgs['middlewares']>[number];

// The package is CommonJS with `exports.default`: under Node's ESM loader the default import is
// the whole exports object, under some loaders it is already the function.
function apiFactory(): ApiFactory {
	const imported = apiModule as unknown as ApiFactory | {default: ApiFactory};
	return typeof imported === 'function' ? imported : imported.default;
}

function timeoutMiddleware(timeoutMs: number): Middleware {
	return () => ({
		async prepareRequest(next) {
			const request = await next();
			return request.enhance({timeout: timeoutMs});
		},
	});
}

/** Data of a mappersmith response: a parsed JSON object for a registry answer. */
function field(data: unknown, name: string): unknown {
	return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : undefined;
}

/** The default transport: @kafkajs/confluent-schema-registry's REST client. */
export function kafkajsTransport(options: SchemaRegistryOptions): RegistryTransport {
	const api: ApiClient = apiFactory()({
		host: options.host.replace(/\/+$/, ''),
		clientId: options.clientId ?? 'mlbridge',
		...(options.auth === undefined ? {} : {auth: options.auth}),
		retry: {retries: options.retries ?? 2, maxRetryTimeInSecs: 2},
		middlewares: [timeoutMiddleware(options.requestTimeoutMs ?? 5000)],
	});
	return {
		async register(subject, schemaText) {
			const response = await api.Subject.register({subject, body: {schema: schemaText}});
			const id = field(response.data(), 'id');
			if (typeof id !== 'number') throw new Error(`The registry answered without an id: ${JSON.stringify(response.data())}`);
			return id;
		},
		async schemaText(schemaId) {
			const response = await api.Schema.find({id: schemaId});
			const schema = field(response.data(), 'schema');
			if (typeof schema !== 'string') throw new Error(`The registry answered without a schema: ${JSON.stringify(response.data())}`);
			const schemaType = field(response.data(), 'schemaType');
			if (schemaType !== undefined && schemaType !== 'AVRO') {
				throw new SchemaRegistryError('bad-schema', `Schema id ${schemaId} is a ${String(schemaType)} schema, not Avro`, {
					host: options.host,
					schemaId,
				});
			}
			return schema;
		},
	};
}

/**
 * Turns whatever the transport threw into a SchemaRegistryError. The REST client reports a
 * transport failure as status 400 without a registry body ("Error, status 400: connect
 * ECONNREFUSED …"); a registry always answers errors with a JSON `message`.
 */
export function toRegistryError(
	error: unknown,
	context: {host: string; action: string; schemaId?: number; subject?: string},
): SchemaRegistryError {
	if (error instanceof SchemaRegistryError) return error;
	const status = field(error, 'status');
	const message = error instanceof Error ? error.message : String(error);
	const where = {host: context.host, schemaId: context.schemaId, subject: context.subject, cause: error};
	const noRegistryBody = /Error, status \d+/.test(message);
	if (typeof status !== 'number' || status >= 500 || status === 408 || status === 429 || (status === 400 && noRegistryBody)) {
		return new SchemaRegistryError('unavailable', `Schema registry at ${context.host} is unavailable (${context.action}): ${message}`, {
			...where,
			status: typeof status === 'number' ? status : undefined,
		});
	}
	if (status === 401 || status === 403) {
		return new SchemaRegistryError('unauthorized', `Schema registry at ${context.host} refused the credentials (${context.action}): ${message}`, {...where, status});
	}
	if (status === 404) {
		return new SchemaRegistryError('schema-not-found', `Schema registry at ${context.host} does not know ${context.action.replace(/^\w+ /, '')}: ${message}`, {...where, status});
	}
	return new SchemaRegistryError('rejected', `Schema registry at ${context.host} refused ${context.action}: ${message}`, {...where, status});
}

/** Attempts at registering one schema while the registry answers 5xx (backoff 250, 500, 1000 ms). */
const registerAttempts = 4;

/** Registers and looks up Avro schemas in one Confluent-compatible registry, with caches. */
export class ConfluentSchemaRegistry {
	readonly host: string;
	readonly #transport: RegistryTransport;
	/** Settled lookups; the fast path of decoding a frame whose id was seen before. */
	readonly #texts = new Map<number, string>();
	/** Lookups in flight, so a burst of frames with a new id asks the registry once. */
	readonly #fetching = new Map<number, Promise<string>>();
	/** Ids by subject + schema text, settled or in flight (a failure is forgotten, so it is retried). */
	readonly #ids = new Map<string, Promise<number>>();

	constructor(options: SchemaRegistryOptions, transport?: RegistryTransport) {
		if (typeof options?.host !== 'string' || !/^https?:\/\/[^/]/.test(options.host)) {
			throw new TypeError(`schemaRegistry.host must be an http(s) URL, got ${JSON.stringify(options?.host)}`);
		}
		this.host = options.host;
		this.#transport = transport ?? kafkajsTransport(options);
	}

	/**
	 * The registry id of `schema` under `subject`, registering it if the subject does not have it
	 * yet (what KafkaAvroSerializer does with auto.register.schemas).
	 */
	register(subject: string, schema: AvroSchema | string): Promise<number> {
		const text = typeof schema === 'string' ? schema : JSON.stringify(schema);
		const key = `${subject}\u0000${text}`;
		let id = this.#ids.get(key);
		if (id === undefined) {
			id = this.#registerWithRetry(subject, text).then(
				(registered) => {
					// The schema we sent is the schema of that id: no lookup needed when it comes back.
					if (!this.#texts.has(registered)) this.#texts.set(registered, text);
					return registered;
				},
				(error: unknown) => {
					this.#ids.delete(key);
					throw toRegistryError(error, {host: this.host, action: `registering a schema under ${subject}`, subject});
				},
			);
			this.#ids.set(key, id);
		}
		return id;
	}

	/**
	 * A registry answering 5xx is often busy rather than down (Apicurio's in-memory store times out
	 * on a table lock when several clients register at once): a few more attempts with backoff,
	 * beyond the REST client's own quick retries. Refusals (4xx) are final at once.
	 */
	async #registerWithRetry(subject: string, text: string): Promise<number> {
		for (let attempt = 1; ; attempt++) {
			try {
				// eslint-disable-next-line no-await-in-loop
				return await this.#transport.register(subject, text);
			} catch (error) {
				const status = field(error, 'status');
				if (attempt >= registerAttempts || typeof status !== 'number' || status < 500) throw error;
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => {
					setTimeout(resolve, 250 * 2 ** (attempt - 1));
				});
			}
		}
	}

	/** The schema text of a registry id, from the cache when it was seen before. */
	async schema(schemaId: number): Promise<RegistrySchema> {
		return {id: schemaId, text: await this.schemaText(schemaId)};
	}

	/** Like schema(), the text only. */
	schemaText(schemaId: number): Promise<string> {
		const known = this.#texts.get(schemaId);
		if (known !== undefined) return Promise.resolve(known);
		if (!Number.isInteger(schemaId) || schemaId < 0) {
			return Promise.reject(new SchemaRegistryError('schema-not-found', `${String(schemaId)} is not a registry schema id`, {host: this.host}));
		}
		let pending = this.#fetching.get(schemaId);
		if (pending === undefined) {
			pending = this.#fetch(schemaId).finally(() => this.#fetching.delete(schemaId));
			this.#fetching.set(schemaId, pending);
		}
		return pending;
	}

	async #fetch(schemaId: number): Promise<string> {
		let text: string;
		try {
			text = await this.#transport.schemaText(schemaId);
		} catch (error) {
			throw toRegistryError(error, {host: this.host, action: `looking up schema id ${schemaId}`, schemaId});
		}
		try {
			JSON.parse(text);
		} catch (error) {
			throw new SchemaRegistryError('bad-schema', `Schema id ${schemaId} is not JSON: ${String(error)}`, {host: this.host, schemaId, cause: error});
		}
		this.#texts.set(schemaId, text);
		return text;
	}

	/** The text of a schema id already fetched or registered by this client; no HTTP. */
	cachedSchemaText(schemaId: number): string | undefined {
		return this.#texts.get(schemaId);
	}
}

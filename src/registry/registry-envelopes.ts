/**
 * Request and reply envelopes in the Confluent wire format. The Avro body is the same as in the
 * single-object frame; only the header differs (`00` + registry id instead of `C3 01` +
 * fingerprint). A frame's writer schema is found by id in the registry: when it is our envelope
 * schema (same Parsing Canonical Form) the hand-written codec reads it, otherwise avsc resolves
 * the writer's schema to ours (a producer built from an older or newer request.avsc).
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import avsc from 'avsc';
import type {Resolver, Schema, Type} from 'avsc';
import {createExactLongType} from '../codec/avsc-long.js';
import {CodecError} from '../codec/codec-errors.js';
import {
	decodeReply,
	decodeRequest,
	encodeReply,
	encodeRequest,
	type ReplyEnvelope,
	type RequestEnvelope,
} from '../codec/envelopes.js';
import {FRAME_HEADER_LENGTH, frameHeader} from '../codec/framing.js';
import {schemaDir, type WireSchema, wireSchemas} from '../codec/schemas.js';
import {detectFraming, frameConfluent, unframeConfluent} from './confluent-framing.js';
import type {ConfluentSchemaRegistry} from './schema-registry.js';
import {REPLY_SUBJECT, requestSubject} from './subjects.js';

type EnvelopeKind = 'request' | 'reply';

/**
 * The schema text registered for an envelope: the .avsc file, compact. The Python runner
 * registers the same text, so both sides get the same id from a registry that dedups by text.
 */
export function envelopeSchemaText(kind: EnvelopeKind): string {
	return JSON.stringify(JSON.parse(readFileSync(join(schemaDir, `${kind}.avsc`), 'utf8')));
}

/** A request as a Confluent frame, written with the registry's `schemaId` for request.avsc. */
export function encodeRequestConfluent(schemaId: number, request: RequestEnvelope): Buffer {
	return frameConfluent(schemaId, encodeRequest(request).subarray(FRAME_HEADER_LENGTH));
}

/** A reply as a Confluent frame, written with the registry's `schemaId` for reply.avsc. */
export function encodeReplyConfluent(schemaId: number, reply: ReplyEnvelope): Buffer {
	return frameConfluent(schemaId, encodeReply(reply).subarray(FRAME_HEADER_LENGTH));
}

/** How to read bodies of one writer schema id. */
type Reading = {exact: true} | {exact: false; resolver: Resolver};

function compileWriter(text: string, schemaId: number): Type {
	try {
		return avsc.Type.forSchema(JSON.parse(text) as Schema, {registry: {long: createExactLongType()}});
	} catch (error) {
		throw new CodecError('unknown-fingerprint', `Schema id ${schemaId} is not a valid Avro schema: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}
}

/**
 * Encodes and decodes envelopes in the Confluent wire format against one registry, and decodes
 * either framing (first byte `C3` or `00`), as a runner does on its request topic.
 */
export class RegistryEnvelopes {
	readonly registry: ConfluentSchemaRegistry;
	readonly #readings = new Map<string, Reading>();

	constructor(registry: ConfluentSchemaRegistry) {
		this.registry = registry;
	}

	/** Registers request.avsc under `<requestTopic>-value` (TopicNameStrategy); the id to frame with. */
	requestSchemaId(requestTopic: string): Promise<number> {
		return this.registry.register(requestSubject(requestTopic), envelopeSchemaText('request'));
	}

	/** Registers reply.avsc under `mlbridge.reply-value`; the id to frame with. */
	replySchemaId(): Promise<number> {
		return this.registry.register(REPLY_SUBJECT, envelopeSchemaText('reply'));
	}

	/**
	 * A request in either framing. Throws CodecError for bytes that are no request frame or a
	 * schema id whose schema cannot be read as a request, SchemaRegistryError when the registry
	 * cannot be asked or does not know the id.
	 */
	async decodeRequest(buf: Buffer): Promise<RequestEnvelope> {
		if (detectFraming(buf) !== 'confluent') return decodeRequest(buf);
		return this.#decode(buf, 'request', wireSchemas.request, decodeRequest);
	}

	/** A reply in either framing; errors as decodeRequest(). */
	async decodeReply(buf: Buffer): Promise<ReplyEnvelope> {
		if (detectFraming(buf) !== 'confluent') return decodeReply(buf);
		return this.#decode(buf, 'reply', wireSchemas.reply, decodeReply);
	}

	/**
	 * A reply decoded without waiting, or undefined when its schema id has not been looked up yet
	 * (then use decodeReply()). Throws CodecError as decodeReply() does.
	 */
	decodeReplyNow(buf: Buffer): ReplyEnvelope | undefined {
		if (detectFraming(buf) !== 'confluent') return decodeReply(buf);
		const {schemaId} = unframeConfluent(buf);
		const reading = this.#readings.get(`reply:${schemaId}`);
		return reading === undefined ? undefined : this.#read(buf, 'reply', wireSchemas.reply, decodeReply, reading);
	}

	async #decode<T>(buf: Buffer, kind: EnvelopeKind, wire: WireSchema, decodeFramed: (b: Buffer) => T): Promise<T> {
		const {schemaId} = unframeConfluent(buf);
		return this.#read(buf, kind, wire, decodeFramed, await this.#reading(kind, wire, schemaId));
	}

	#read<T>(buf: Buffer, kind: EnvelopeKind, wire: WireSchema, decodeFramed: (b: Buffer) => T, reading: Reading): T {
		const {schemaId, body} = unframeConfluent(buf);
		if (reading.exact) {
			return decodeFramed(Buffer.concat([frameHeader(wire.fingerprint), body]));
		}
		let value: unknown;
		try {
			value = wire.type.fromBuffer(body, reading.resolver, false);
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			throw new CodecError(/trailing/i.test(message) ? 'trailing-bytes' : 'malformed-body', `Cannot read a ${kind} written with schema id ${schemaId}: ${message}`, {cause: error});
		}
		// Through the hand-written codec once more, so the result has exactly its shape and checks.
		const framed = wire.type.toBuffer(value);
		return decodeFramed(Buffer.concat([frameHeader(wire.fingerprint), framed]));
	}

	async #reading(kind: EnvelopeKind, wire: WireSchema, schemaId: number): Promise<Reading> {
		const key = `${kind}:${schemaId}`;
		const known = this.#readings.get(key);
		if (known !== undefined) return known;
		const text = await this.registry.schemaText(schemaId);
		const writer = compileWriter(text, schemaId);
		let reading: Reading;
		if (JSON.stringify(writer.schema()) === wire.canonicalForm) {
			reading = {exact: true};
		} else {
			try {
				reading = {exact: false, resolver: wire.type.createResolver(writer)};
			} catch (error) {
				throw new CodecError('unknown-fingerprint', `Schema id ${schemaId} (${describe(writer)}) cannot be read as a ${kind} envelope: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
			}
		}
		this.#readings.set(key, reading);
		return reading;
	}
}

function describe(type: Type): string {
	return type.name ?? type.typeName;
}

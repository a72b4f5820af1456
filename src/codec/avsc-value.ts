/**
 * Conversion between WireValue and avsc's wrapped-union form of `wireSchemas.value.type`
 * (`{v: {long: 5}}`, `{v: {array: [{v: ...}]}}`). Not used on the hot path: it lets the tests and the
 * benchmark run avsc itself, the source of truth the hand-written codec is checked against.
 */
import type {WireValue} from './value.js';

export type AvscValue = {v: AvscBranch};
type AvscBranch =
	| null
	| {boolean: boolean}
	| {long: number | bigint}
	| {double: number}
	| {string: string}
	| {bytes: Buffer}
	| {array: AvscValue[]}
	| {map: Record<string, AvscValue>};

/** The avsc form of a value, with the same typing rules as encodeValue (no refusals checked). */
export function toAvscValue(v: WireValue): AvscValue {
	switch (typeof v) {
		case 'boolean':
			return {v: {boolean: v}};
		case 'number':
			return {v: Number.isSafeInteger(v) ? {long: v} : {double: v}};
		case 'bigint':
			return {v: {long: v}};
		case 'string':
			return {v: {string: v}};
		default:
			if (v === null) return {v: null};
			if (Array.isArray(v)) return {v: {array: (v as readonly WireValue[]).map(toAvscValue)}};
			if (v instanceof Uint8Array) return {v: {bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength)}};
			{
				const map: Record<string, AvscValue> = {};
				for (const [k, item] of Object.entries(v as Record<string, WireValue | undefined>)) {
					if (item !== undefined) map[k] = toAvscValue(item);
				}
				return {v: {map}};
			}
	}
}

/** The WireValue of avsc's decoded form. */
export function fromAvscValue(record: AvscValue): WireValue {
	const b = record.v;
	if (b === null) return null;
	if ('boolean' in b) return b.boolean;
	if ('long' in b) return b.long;
	if ('double' in b) return b.double;
	if ('string' in b) return b.string;
	if ('bytes' in b) return b.bytes;
	if ('array' in b) return b.array.map(fromAvscValue);
	const out: Record<string, WireValue> = {};
	for (const [k, item] of Object.entries(b.map)) out[k] = fromAvscValue(item);
	return out;
}

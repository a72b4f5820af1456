/**
 * The tensor element types: Open Inference Protocol (KServe v2 / Triton) datatype names, each with
 * its byte width and the typed array that holds it in JavaScript. BYTES (variable-length strings) is
 * not supported: a list of strings already crosses as a Value array.
 */

/** A tensor's element type, by its Open Inference Protocol name. */
export type Dtype = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64';

/** The typed arrays a tensor's elements live in (FP16 as raw Uint16Array bits, BOOL as Uint8Array of 0/1). */
export type TensorArray =
	| Uint8Array
	| Uint16Array
	| Uint32Array
	| BigUint64Array
	| Int8Array
	| Int16Array
	| Int32Array
	| BigInt64Array
	| Float32Array
	| Float64Array;

/** The typed array class holding each dtype. */
export type TensorArrayOf = {
	BOOL: Uint8Array;
	UINT8: Uint8Array;
	UINT16: Uint16Array;
	UINT32: Uint32Array;
	UINT64: BigUint64Array;
	INT8: Int8Array;
	INT16: Int16Array;
	INT32: Int32Array;
	INT64: BigInt64Array;
	FP16: Uint16Array;
	FP32: Float32Array;
	FP64: Float64Array;
};

type ArrayConstructor = {
	readonly BYTES_PER_ELEMENT: number;
	new (buffer: ArrayBufferLike, byteOffset: number, length: number): TensorArray;
	new (length: number): TensorArray;
};

/** Per dtype: its typed array class (whose BYTES_PER_ELEMENT is the dtype's item size). */
export const DTYPES: Readonly<Record<Dtype, ArrayConstructor>> = {
	BOOL: Uint8Array,
	UINT8: Uint8Array,
	UINT16: Uint16Array,
	UINT32: Uint32Array,
	UINT64: BigUint64Array,
	INT8: Int8Array,
	INT16: Int16Array,
	INT32: Int32Array,
	INT64: BigInt64Array,
	FP16: Uint16Array,
	FP32: Float32Array,
	FP64: Float64Array,
};

/** Whether `name` is a supported dtype. */
export function isDtype(name: string): name is Dtype {
	return Object.hasOwn(DTYPES, name);
}

/**
 * The dtype a bare typed array stands for. Uint8Array has none: a bare Uint8Array (or Buffer) is
 * `bytes` in the Value encoding, as it always was; wrap it in a Tensor to send UINT8 or BOOL.
 */
export function dtypeOf(data: ArrayBufferView): Dtype | undefined {
	if (data instanceof Float32Array) return 'FP32';
	if (data instanceof Float64Array) return 'FP64';
	if (data instanceof Int32Array) return 'INT32';
	if (data instanceof Int16Array) return 'INT16';
	if (data instanceof Int8Array) return 'INT8';
	if (data instanceof Uint16Array) return 'UINT16';
	if (data instanceof Uint32Array) return 'UINT32';
	if (data instanceof BigInt64Array) return 'INT64';
	if (data instanceof BigUint64Array) return 'UINT64';
	return undefined;
}

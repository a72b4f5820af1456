/**
 * avsc logical types for tensors and Arrow tables in typed schemas (issue 14 item 3): the Tensor
 * record (`"logicalType": "mlbridge-tensor"`, optional `"dtype"` and `"shape"` with -1 for any
 * length) ↔ `Tensor`, and the Table record (`"logicalType": "mlbridge-arrow-table"`) ↔ an
 * apache-arrow `Table`. The bytes are those of the same branches of the generic Value.
 */
import avsc from 'avsc';
import type {Schema, Type} from 'avsc';
import {arrowIfLoaded, looksLikeArrowTable} from '../data/arrow.js';
import {dtypeOf, type Dtype, isDtype, type TensorArray} from '../data/dtypes.js';
import {shapeSize, Tensor, tensorArray, tensorBytes} from '../data/tensor.js';

type TensorRecord = {dtype: string; shape: number[]; data: Buffer};

/** A Tensor record; `dtype` and `shape` (when the schema gives them) are checked on the way in. */
export class TensorType extends avsc.types.LogicalType {
	readonly dtype: Dtype | undefined;
	readonly shape: readonly number[] | undefined;

	constructor(schema: Schema, opts?: unknown) {
		super(schema, opts);
		const {dtype, shape} = schema as {dtype?: unknown; shape?: unknown};
		this.dtype = typeof dtype === 'string' && isDtype(dtype) ? dtype : undefined;
		this.shape = Array.isArray(shape) && shape.every(d => Number.isInteger(d)) ? (shape as number[]) : undefined;
	}

	/** `Tensor<'FP32'>` (or `Tensor`), with the shape when the schema fixes one. */
	describe(): string {
		const base = this.dtype === undefined ? 'Tensor' : `Tensor<'${this.dtype}'>`;
		return this.shape === undefined ? base : `${base} of shape [${this.shape.map(d => (d === -1 ? '*' : String(d))).join(', ')}]`;
	}

	protected override _fromValue(value: TensorRecord): Tensor {
		const {dtype, shape} = value;
		const size = shapeSize(shape);
		if (!isDtype(dtype) || typeof size === 'string' || size * tensorArrayWidth(dtype) !== value.data.length) {
			throw new Error(`a tensor record with dtype ${JSON.stringify(dtype)}, shape [${shape.join(', ')}] and ${value.data.length} bytes`);
		}
		return new Tensor(tensorArray(dtype, value.data) as never, shape, dtype);
	}

	protected override _toValue(value: unknown): TensorRecord | undefined {
		const tensor = value instanceof Tensor ? value : ArrayBuffer.isView(value) && dtypeOf(value) !== undefined && !(value instanceof Uint8Array) ? new Tensor(value as never) : undefined;
		if (tensor === undefined || !this.fits(tensor)) return undefined;
		return {dtype: tensor.dtype, shape: [...tensor.shape], data: Buffer.from(tensorBytes(tensor.data as TensorArray).buffer, tensor.data.byteOffset, tensor.data.byteLength)};
	}

	fits(tensor: Tensor): boolean {
		if (this.dtype !== undefined && tensor.dtype !== this.dtype) return false;
		const want = this.shape;
		return want === undefined || (want.length === tensor.shape.length && want.every((d, i) => d === -1 || d === tensor.shape[i]));
	}

	protected override _resolve(writer: Type): ((value: unknown) => unknown) | undefined {
		return writer instanceof TensorType ? value => value : undefined;
	}
}

function tensorArrayWidth(dtype: Dtype): number {
	return {BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8}[dtype];
}

const EOS = Buffer.from('ffffffff00000000', 'hex');
/** Streams of tables validated and then encoded in the same call: written once. */
const streams = new WeakMap<object, Buffer>();

/** A Table record ↔ an apache-arrow Table (loadArrow() must have resolved). */
export class ArrowTableType extends avsc.types.LogicalType {
	protected override _fromValue(value: {arrowStream: Buffer}): object {
		const arrow = arrowIfLoaded();
		if (arrow === undefined) throw new Error('an Arrow table, and apache-arrow is not loaded (await loadArrow() once, before receiving tables)');
		const stream = value.arrowStream;
		if (stream.length < 16 || !stream.subarray(stream.length - 8).equals(EOS)) throw new Error('the Arrow IPC stream has no end-of-stream marker (truncated)');
		return arrow.tableFromIPC(stream);
	}

	protected override _toValue(value: unknown): {arrowStream: Buffer} | undefined {
		const arrow = arrowIfLoaded();
		if (arrow === undefined || typeof value !== 'object' || value === null || !(value instanceof arrow.Table)) return undefined;
		let stream = streams.get(value);
		if (stream === undefined) {
			const written = arrow.tableToIPC(value as never, 'stream');
			stream = Buffer.from(written.buffer, written.byteOffset, written.byteLength);
			streams.set(value, stream);
		}
		return {arrowStream: stream};
	}

	protected override _resolve(writer: Type): ((value: unknown) => unknown) | undefined {
		return writer instanceof ArrowTableType ? value => value : undefined;
	}
}

/** What a tensor or table slot was given, for validation messages. */
export function describeData(value: unknown): string | undefined {
	if (value instanceof Tensor) return `a ${value.dtype} Tensor of shape [${value.shape.join(', ')}]`;
	if (typeof value === 'object' && value !== null && looksLikeArrowTable(value)) {
		return arrowIfLoaded() === undefined ? 'an Arrow Table, and apache-arrow is not loaded (await loadArrow() first)' : 'an Arrow Table';
	}
	return undefined;
}

/**
 * Tensor: a dense n-dimensional array as it crosses the wire (value-v2.avsc's Tensor branch): an
 * Open Inference Protocol dtype, a shape, and the elements in one typed array, row-major. A bare
 * typed array other than Uint8Array is sent as a 1-d tensor; tensors always come back as Tensor.
 */
import {dtypeOf, DTYPES, type Dtype, isDtype, type TensorArray, type TensorArrayOf} from './dtypes.js';
import {TensorShapeError} from './data-errors.js';

/** The largest element count of one tensor (2^53 - 1: beyond it lengths are not exact). */
const MAX_ELEMENTS = Number.MAX_SAFE_INTEGER;

/** Element count of `shape`, or a message saying why the shape is not valid. */
export function shapeSize(shape: readonly number[]): number | string {
	let n = 1;
	for (let i = 0; i < shape.length; i++) {
		const d = shape[i]!;
		if (!Number.isSafeInteger(d) || d < 0) return `dimension ${i} is ${String(d)}, not an integer >= 0`;
		n *= d;
		if (n > MAX_ELEMENTS) return 'more than 2^53 elements';
	}
	return n;
}

/** A dense tensor: `data` holds prod(shape) elements of `dtype` in row-major order. */
export class Tensor<D extends Dtype = Dtype> {
	readonly dtype: D;
	readonly shape: readonly number[];
	readonly data: TensorArrayOf[D];

	/**
	 * `dtype` defaults to the typed array's own (required for Uint8Array, which may be UINT8 or
	 * BOOL, and for FP16 held as Uint16Array bits); `shape` defaults to `[data.length]`.
	 * Throws TensorShapeError when the parts disagree.
	 */
	constructor(data: TensorArrayOf[D], shape?: readonly number[], dtype?: D) {
		const type = dtype ?? (dtypeOf(data) as D | undefined);
		if (type === undefined || !isDtype(type)) {
			throw new TensorShapeError(
				type === undefined
					? `A Tensor of ${data.constructor.name} needs its dtype named (UINT8 or BOOL)`
					: `Unknown tensor dtype ${JSON.stringify(type)}; expected one of ${Object.keys(DTYPES).join(', ')}`,
			);
		}
		const expected = DTYPES[type];
		if (!(data instanceof expected)) {
			throw new TensorShapeError(`A ${type} tensor holds its elements in a ${expected.name}, got ${data.constructor.name}`);
		}
		const dims = shape === undefined ? [data.length] : [...shape];
		const size = shapeSize(dims);
		if (typeof size === 'string') throw new TensorShapeError(`Tensor shape [${dims.join(', ')}]: ${size}`);
		if (size !== data.length) {
			throw new TensorShapeError(`Tensor shape [${dims.join(', ')}] has ${size} elements, the data ${data.length}`);
		}
		this.dtype = type;
		this.shape = Object.freeze(dims);
		this.data = data;
	}

	/** Element count (the product of the shape; 1 for a 0-d tensor). */
	get size(): number {
		return this.data.length;
	}
}

/** The elements of a tensor body: a typed array of `dtype` over `bytes` (copied when not aligned). */
export function tensorArray(dtype: Dtype, bytes: Uint8Array): TensorArray {
	const kind = DTYPES[dtype];
	const width = kind.BYTES_PER_ELEMENT;
	const source = bytes.byteOffset % width === 0 ? bytes : Uint8Array.prototype.slice.call(bytes);
	return new kind(source.buffer, source.byteOffset, source.byteLength / width);
}

/** The raw little-endian bytes of a tensor's elements (a view, no copy). */
export function tensorBytes(data: TensorArray): Uint8Array {
	return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

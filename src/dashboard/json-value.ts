/** A value made safe for JSON.stringify: bigints as strings, bytes as a size, depth bounded. */
export function toJsonSafe(value: unknown, depth = 0): unknown {
	if (depth > 20) {
		return '…';
	}

	if (typeof value === 'bigint') {
		return value.toString();
	}

	if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
		return null;
	}

	if (value === null || typeof value !== 'object') {
		return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
	}

	if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
		return `<${value.byteLength} bytes>`;
	}

	if (ArrayBuffer.isView(value)) {
		return `<${value.constructor.name}, ${value.byteLength} bytes>`;
	}

	if (value instanceof Map) {
		return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonSafe(v, depth + 1)]));
	}

	if (value instanceof Date) {
		return value.toISOString();
	}

	if (Array.isArray(value)) {
		return value.map(item => toJsonSafe(item, depth + 1));
	}

	return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSafe(v, depth + 1)]));
}

/** JSON values printed as TypeScript literals, in the house style (tabs, bare keys, single quotes). */
import {propertyKey, quote} from './ts-names.js';

/** Arrays and objects of scalars up to this long stay on one line (`{name: 'a', type: 'long'}`). */
const inlineWidth = 80;

function isScalar(value: unknown): boolean {
	return typeof value !== 'object' || value === null;
}

export function tsLiteral(value: unknown, indent = ''): string {
	if (value === null) {
		return 'null';
	}

	switch (typeof value) {
		case 'string': {
			return quote(value);
		}

		case 'number': {
			if (!Number.isFinite(value)) {
				throw new TypeError(`${value} has no JSON form`);
			}

			return String(value);
		}

		case 'boolean': {
			return String(value);
		}

		case 'object': {
			break;
		}

		default: {
			throw new TypeError(`a ${typeof value} is not a JSON value`);
		}
	}

	const inner = `${indent}\t`;
	if (Array.isArray(value)) {
		if (value.length === 0) {
			return '[]';
		}

		const items = value.map(item => tsLiteral(item, inner));
		const oneLine = `[${items.join(', ')}]`;
		if (value.every(item => isScalar(item)) && oneLine.length <= inlineWidth) {
			return oneLine;
		}

		return `[\n${items.map(item => `${inner}${item},\n`).join('')}${indent}]`;
	}

	const entries = Object.entries(value as Record<string, unknown>);
	if (entries.length === 0) {
		return '{}';
	}

	if (entries.every(([, item]) => isScalar(item) || (Array.isArray(item) && item.every(i => isScalar(i))))) {
		const oneLine = `{${entries.map(([key, item]) => `${propertyKey(key)}: ${tsLiteral(item, inner)}`).join(', ')}}`;
		if (oneLine.length <= inlineWidth) {
			return oneLine;
		}
	}

	return `{\n${entries.map(([key, item]) => `${inner}${propertyKey(key)}: ${tsLiteral(item, inner)},\n`).join('')}${indent}}`;
}

/**
 * A pipeline's signature as one line of text, from its catalogue schemas — for the CLI's
 * `pipelines` table and the dashboard's pipelines page.
 */
import type {AvroSchema} from '../contract/contract.js';
import type {PipelineDescription} from './pipeline-description.js';

/** An Avro type as a reader writes it: `long`, `string | null`, `array<double>`, `Config`. */
export function avroTypeText(schema: AvroSchema): string {
	if (typeof schema === 'string') {
		return schema.slice(schema.lastIndexOf('.') + 1);
	}

	if (Array.isArray(schema)) {
		return (schema as readonly AvroSchema[]).map(branch => avroTypeText(branch)).join(' | ');
	}

	const complex = schema as Exclude<AvroSchema, string | readonly AvroSchema[]>;
	if (typeof complex.logicalType === 'string') {
		return complex.logicalType;
	}

	switch (complex.type) {
		case 'array': {
			return `array<${avroTypeText(complex.items as AvroSchema)}>`;
		}

		case 'map': {
			return `map<${avroTypeText(complex.values as AvroSchema)}>`;
		}

		case 'record':
		case 'error':
		case 'enum':
		case 'fixed': {
			return avroTypeText(String(complex.name));
		}

		default: {
			return complex.type;
		}
	}
}

/** `(dataset: string, epochs: long = 5) -> Model`; `(untyped)` without schemas. */
export function signatureText(pipeline: PipelineDescription): string {
	const {argsSchema, resultSchema} = pipeline;
	if (argsSchema === undefined || typeof argsSchema !== 'object' || Array.isArray(argsSchema) || !('fields' in argsSchema)) {
		return '(untyped)';
	}

	const fields = (argsSchema.fields as ReadonlyArray<{name: string; type: AvroSchema; default?: unknown}>).map(
		field => `${field.name}: ${avroTypeText(field.type)}${field.default === undefined ? '' : ` = ${JSON.stringify(field.default)}`}`,
	);
	return `(${fields.join(', ')}) -> ${resultSchema === undefined ? 'unknown' : avroTypeText(resultSchema)}`;
}

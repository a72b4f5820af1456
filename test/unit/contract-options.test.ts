/** The typed-contract client options: contract, catalogTopic, validateArguments. */
import assert from 'node:assert/strict';
import test from 'node:test';
import {resolveClientOptions} from '../../src/client/resolve-options.js';
import type {Contract, PipelineTypes} from '../../src/index.js';

test('catalogTopic: default, MLBRIDGE_CATALOG_TOPIC, option; a bad name is a TypeError', () => {
	const saved = process.env['MLBRIDGE_CATALOG_TOPIC'];
	try {
		delete process.env['MLBRIDGE_CATALOG_TOPIC'];
		assert.equal(resolveClientOptions({}).catalogTopic, 'ml.pipeline.catalog');
		process.env['MLBRIDGE_CATALOG_TOPIC'] = 'env.catalog';
		assert.equal(resolveClientOptions({}).catalogTopic, 'env.catalog');
		assert.equal(resolveClientOptions({catalogTopic: 'opt.catalog'}).catalogTopic, 'opt.catalog');
	} finally {
		if (saved === undefined) delete process.env['MLBRIDGE_CATALOG_TOPIC'];
		else process.env['MLBRIDGE_CATALOG_TOPIC'] = saved;
	}

	assert.throws(() => resolveClientOptions({catalogTopic: 'bad topic'}), /Expected `catalogTopic` to be a Kafka topic name/);
	assert.throws(() => resolveClientOptions({catalogTopic: ''}), TypeError);
});

test('validateArguments defaults to true and must be a boolean', () => {
	assert.equal(resolveClientOptions({}).validateArguments, true);
	assert.equal(resolveClientOptions({validateArguments: false}).validateArguments, false);
	assert.throws(() => resolveClientOptions({validateArguments: 'no' as unknown as boolean}), /Expected `validateArguments` to be a boolean, got "no" \(string\)/);
});

test('contract: undefined by default; the shape is checked, naming the pipeline', () => {
	assert.equal(resolveClientOptions({}).contract, undefined);
	const contract: Contract<{p: {args: {a: number}; result: number}}> = {
		pipelines: {p: {version: 1, argsSchema: {type: 'record', name: 'Args', fields: [{name: 'a', type: 'long'}]}, resultSchema: 'long'}},
	};
	assert.equal(resolveClientOptions({contract}).contract, contract);
	const bad = (value: unknown): Contract<PipelineTypes> => value as Contract<PipelineTypes>;
	assert.throws(() => resolveClientOptions({contract: bad('x')}), /Expected `contract` to be the contract printed by `mlbridge codegen`/);
	assert.throws(() => resolveClientOptions({contract: bad({pipelines: []})}), /Expected `contract`/);
	assert.throws(() => resolveClientOptions({contract: bad({pipelines: {p: null}})}), /Expected `contract\.pipelines\.p` to be \{version, argsSchema, resultSchema\}/);
	assert.throws(() => resolveClientOptions({contract: bad({pipelines: {p: {version: 1.5, argsSchema: null, resultSchema: null}}})}), /contract\.pipelines\.p/);
	const untyped = bad({pipelines: {p: {version: 1, argsSchema: null, resultSchema: null}}});
	assert.equal(resolveClientOptions({contract: untyped}).contract, untyped, 'null schemas: an untyped pipeline, accepted as given');
});

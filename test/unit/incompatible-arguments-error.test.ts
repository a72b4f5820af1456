import assert from 'node:assert/strict';
import {test} from 'node:test';
import {ErrorCode, IncompatibleArgumentsError, MlbridgeError, RemoteError} from '../../src/index.js';
import {errorFromReply} from '../../src/errors/index.js';

/** The message form the runner writes (python-runner/mlbridge_runner/errors.py, IncompatibleArguments). */
const message = "typed_add(): field 'config.momentum' is not in this runner's arguments schema and its value is not the field's default, "
	+ 'so reading the call would drop it; client schema crc64:0123456789abcdef (version 2), runner schema crc64:fedcba9876543210 (version 1)';

test('INCOMPATIBLE_ARGUMENTS becomes IncompatibleArgumentsError with the field, both schemas and versions, retryable', () => {
	const error = errorFromReply('req-9', 'typed_add', {
		code: ErrorCode.INCOMPATIBLE_ARGUMENTS, type: 'mlbridge_runner.errors.IncompatibleArguments', message, traceback: '', retryable: true, causes: [],
	}, 'host/1/abcd');
	assert.ok(error instanceof IncompatibleArgumentsError);
	assert.ok(error instanceof RemoteError && error instanceof MlbridgeError);
	assert.equal(error.requestId, 'req-9');
	assert.equal(error.code, 'INCOMPATIBLE_ARGUMENTS');
	assert.equal(error.retryable, true);
	assert.equal(error.pipeline, 'typed_add');
	assert.equal(error.runner, 'host/1/abcd');
	assert.equal(error.field, 'config.momentum');
	assert.equal(error.clientSchema, 'crc64:0123456789abcdef');
	assert.equal(error.clientVersion, 2);
	assert.equal(error.runnerSchema, 'crc64:fedcba9876543210');
	assert.equal(error.runnerVersion, 1);
});

test('a client schema of unknown version, or a message without the fixed parts, reads as empty', () => {
	const unknown = new IncompatibleArgumentsError('r', 'p', {
		code: 'INCOMPATIBLE_ARGUMENTS', type: 'T', message: message.replace('(version 2)', '(version unknown)'), traceback: '', retryable: true, causes: [],
	}, 'x');
	assert.equal(unknown.clientVersion, undefined);
	assert.equal(unknown.clientSchema, 'crc64:0123456789abcdef');
	const bare = new IncompatibleArgumentsError('r', 'p', {code: 'INCOMPATIBLE_ARGUMENTS', type: 'T', message: 'no details', traceback: '', retryable: true, causes: []}, 'x');
	assert.deepEqual([bare.field, bare.clientSchema, bare.clientVersion, bare.runnerSchema, bare.runnerVersion], ['', '', undefined, '', undefined]);
});

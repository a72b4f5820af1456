/** `mlbridge dashboard`'s command line: what it refuses before connecting to anything. */
import assert from 'node:assert/strict';
import {Writable} from 'node:stream';
import {test} from 'node:test';
import type {CliIo} from '../../src/cli/command-context.js';
import {runDashboardCommand} from '../../src/cli/dashboard-command.js';

function fakeIo(env: NodeJS.ProcessEnv = {}): CliIo & {out(): string; err(): string} {
	let out = '';
	let err = '';
	const sink = (append: (text: string) => void): Writable => new Writable({
		write(chunk: Buffer, _encoding, done) {
			append(chunk.toString());
			done();
		},
	});
	return {
		stdout: sink(t => (out += t)),
		stderr: sink(t => (err += t)),
		env,
		tty: false,
		onInterrupt: () => () => undefined,
		now: Date.now,
		out: () => out,
		err: () => err,
	};
}

test('binding beyond loopback without a token is refused at start (exit 2), naming --token and the env', async () => {
	const io = fakeIo();
	assert.equal(await runDashboardCommand(['--host', '0.0.0.0', '--brokers', '127.0.0.1:1'], io), 2);
	assert.match(io.err(), /needs an access token: pass --token or set MLBRIDGE_DASHBOARD_TOKEN/);
	assert.equal(io.out(), '');
});

test('a bad port is bad usage; --help lists the flags', async () => {
	const bad = fakeIo();
	assert.equal(await runDashboardCommand(['--port', 'eighty'], bad), 2);
	assert.match(bad.err(), /expected a port/);
	const help = fakeIo();
	assert.equal(await runDashboardCommand(['--help'], help), 0);
	for (const flag of ['--port', '--host', '--token', '--group', '--brokers']) {
		assert.match(help.out(), new RegExp(flag));
	}
});

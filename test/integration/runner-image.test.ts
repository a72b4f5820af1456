/**
 * The runner image's command line, run outside a container (no container engine can build or run the
 * image here: no registry answers for the python base image, and podman's crun cannot start a
 * container in this sandbox). From docker/runner/Dockerfile: ENTRYPOINT + CMD with /app/pipelines
 * mapped to docker/runner/pipelines, the image's environment, its HEALTHCHECK command, and the stop
 * signal; against the test broker. tini is left out (not installed on this host): the runner is
 * signalled directly, as tini would forward it.
 */
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {createServer} from 'node:net';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {PipelineClient} from '../../src/index.js';
import {brokers, uniqueName} from '../helpers/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const venvBin = path.join(root, '.venv', 'bin');
const dockerfile = readFileSync(path.join(root, 'docker', 'runner', 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');

function instruction(op: string): string {
	const line = dockerfile.split('\n').filter(l => l.startsWith(`${op} `)).at(-1);
	assert.ok(line, `${op} in the Dockerfile`);
	return line.slice(op.length + 1).trim();
}

/** The image's paths on this host: its executables in the venv, /app/pipelines in the repository. */
function onHost(arg: string): string {
	if (arg === 'mlbridge-runner' || arg === 'python') {
		return path.join(venvBin, arg);
	}

	return arg.replace('/app/pipelines', path.join(root, 'docker', 'runner', 'pipelines'));
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const {port} = server.address() as {port: number};
			server.close(() => {
				resolve(port);
			});
		}).on('error', reject);
	});
}

test('the image\'s entrypoint serves the default pipelines, passes its health check and stops cleanly on its STOPSIGNAL', {timeout: 180_000}, async () => {
	const entry = JSON.parse(instruction('ENTRYPOINT')) as string[];
	const cmd = JSON.parse(instruction('CMD')) as string[];
	const argv = [...entry.slice(entry.indexOf('--') + 1), ...cmd].map(onHost);
	const requestTopic = uniqueName('test.image');
	const catalogTopic = `${requestTopic}.catalog`;
	const port = await freePort();
	const env = {
		...process.env,
		KAFKA_BROKERS: brokers.join(','),
		MLBRIDGE_REQUEST_TOPIC: requestTopic,
		MLBRIDGE_CATALOG_TOPIC: catalogTopic,
		MLBRIDGE_METRICS_PORT: String(port),
		MLBRIDGE_METRICS_HOST: /MLBRIDGE_METRICS_HOST=(\S+)/.exec(dockerfile)?.[1] ?? '',
		PYTHONUNBUFFERED: '1',
	};
	const runner = spawn(argv[0]!, argv.slice(1), {env, stdio: ['ignore', 'pipe', 'pipe']});
	let output = '';
	runner.stdout.on('data', (b: Buffer) => (output += b.toString()));
	runner.stderr.on('data', (b: Buffer) => (output += b.toString()));
	const exited = new Promise<number | null>(resolve => runner.on('exit', code => {
		resolve(code);
	}));
	const check = JSON.parse(instruction('HEALTHCHECK').replace(/^.*?CMD\s+/, '')) as string[];
	const healthy = () => spawnSync(onHost(check[0]!), check.slice(1).map(onHost), {env, timeout: 10_000}).status === 0;
	let client: PipelineClient | undefined;
	try {
		// Before the port answers the check fails: it is not a check that always passes.
		assert.equal(healthy(), false, 'unhealthy before the runner serves its probes');
		let ok = false;
		for (let i = 0; i < 120 && !ok; i++) {
			await new Promise(resolve => {
				setTimeout(resolve, 500);
			});
			ok = healthy();
		}

		assert.ok(ok, `the HEALTHCHECK passes once the runner is up\n${output}`);
		client = await PipelineClient.connect({brokers, requestTopic, catalogTopic, connectTimeoutMs: 30_000});
		assert.equal(await client.invoke('echo', {text: 'from the image'}, {timeoutMs: 60_000}), 'from the image');
	} finally {
		await client?.close();
		runner.kill(instruction('STOPSIGNAL') as NodeJS.Signals);
	}

	assert.equal(await exited, 0, `stopped cleanly on SIGTERM\n${output}`);
});

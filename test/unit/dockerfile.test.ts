/**
 * The runner image's key properties, read from docker/runner/Dockerfile and docker/compose.cluster.yml
 * (no container engine can build or run them on this machine: test/integration/runner-image.test.ts
 * runs the same command line outside a container instead).
 */
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dockerfilePath = path.join(root, 'docker', 'runner', 'Dockerfile');

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(text: string): Array<{op: string; args: string}> {
	return text
		.replace(/\\\n/g, ' ')
		.split('\n')
		.map(line => line.trim())
		.filter(line => line !== '' && !line.startsWith('#'))
		.map(line => {
			const [op = '', ...rest] = line.split(/\s+/);
			return {op: op.toUpperCase(), args: rest.join(' ')};
		});
}

const all = instructions(readFileSync(dockerfilePath, 'utf8'));
const last = (op: string) => all.filter(i => i.op === op).at(-1);

test('the base is a slim Python image', () => {
	const from = all.filter(i => i.op === 'FROM');
	assert.equal(from.length, 1);
	assert.match(from[0]!.args, /^python:\$\{PYTHON_VERSION\}-slim$/);
	assert.ok(all.some(i => i.op === 'ARG' && /^PYTHON_VERSION=3\.\d+$/.test(i.args)));
});

test('the runner runs as a non-root user', () => {
	const user = last('USER');
	assert.ok(user, 'a USER instruction');
	assert.doesNotMatch(user.args, /^(root|0)(:|$)/);
	// USER comes after the last RUN: nothing later runs as root.
	const lastRun = all.map(i => i.op).lastIndexOf('RUN');
	assert.ok(all.lastIndexOf(user) > lastRun);
});

test('ENTRYPOINT is exec form with an init that forwards SIGTERM, and STOPSIGNAL is SIGTERM', () => {
	const entry = JSON.parse(last('ENTRYPOINT')!.args) as string[];
	assert.deepEqual(entry, ['/usr/bin/tini', '--', 'mlbridge-runner']);
	assert.equal(last('STOPSIGNAL')?.args, 'SIGTERM');
	const cmd = JSON.parse(last('CMD')!.args) as string[];
	assert.deepEqual(cmd, ['--pipelines', '/app/pipelines/pipelines.py']);
});

test('HEALTHCHECK asks the runner\'s /healthz on MLBRIDGE_METRICS_PORT, in exec form', () => {
	const check = last('HEALTHCHECK')!.args;
	const json = check.slice(check.indexOf('CMD') + 3).trim();
	const argv = JSON.parse(json) as string[];
	assert.equal(argv[0], 'python');
	assert.match(argv[2]!, /MLBRIDGE_METRICS_PORT/);
	assert.match(argv[2]!, /\/healthz/);
	assert.match(check, /--interval=\d+s/);
});

test('the runner package is installed with the EXTRAS build arg, metrics by default', () => {
	assert.ok(all.some(i => i.op === 'ARG' && i.args === 'EXTRAS=metrics'));
	assert.ok(all.some(i => i.op === 'RUN' && i.args.includes('pip install "/tmp/python-runner${EXTRAS:+[$EXTRAS]}"')));
	assert.ok(all.some(i => i.op === 'COPY' && i.args.includes('${PIPELINES_DIR}/ /app/pipelines/')));
});

test('the compose file has three brokers with RF 3 / min.insync 2 and two runners from the image', () => {
	const compose = readFileSync(path.join(root, 'docker', 'compose.cluster.yml'), 'utf8');
	for (const name of ['kafka1', 'kafka2', 'kafka3', 'runner1', 'runner2']) {
		assert.match(compose, new RegExp(`^  ${name}:$`, 'm'), name);
	}

	assert.match(compose, /KAFKA_DEFAULT_REPLICATION_FACTOR: 3/);
	assert.match(compose, /KAFKA_MIN_INSYNC_REPLICAS: 2/);
	assert.match(compose, /KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka1:9093,2@kafka2:9093,3@kafka3:9093/);
	assert.match(compose, /dockerfile: docker\/runner\/Dockerfile/);
	assert.match(compose, /KAFKA_BROKERS: kafka1:9092,kafka2:9092,kafka3:9092/);
	// Longer than the runner's default --grace-seconds (30).
	const grace = /stop_grace_period: (\d+)s/.exec(compose);
	assert.ok(grace && Number(grace[1]) > 30);
});

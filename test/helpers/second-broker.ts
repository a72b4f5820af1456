/**
 * A second, throw-away Kafka broker for the scenario that kills one: same scripts as the dev broker
 * (scripts/broker/start.sh, stop.sh) on other ports and its own run directory, so the shared broker
 * on 9092 is never touched.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {alive, reliabilityDir, sleep} from './reliability.js';

const root = path.join(reliabilityDir, '..', '..');

export type SecondBroker = {
	readonly brokers: string[];
	readonly runDir: string;
	/** Start (formatting storage on first use) and wait until it answers. */
	start(): Promise<void>;
	/** kill -9 the broker process; resolves once it is gone. */
	kill9(): Promise<number>;
	/** Graceful stop; `wipe` deletes its data. */
	stop(wipe?: boolean): Promise<void>;
};

export function secondBroker(options: {port?: number; controllerPort?: number} = {}): SecondBroker {
	const port = options.port ?? Number(process.env['MLBRIDGE_RELIABILITY_BROKER_PORT'] ?? 19_092);
	const controllerPort = options.controllerPort ?? port + 1;
	const runDir = path.join(root, '.cache', 'kafka', `run-reliability-${port}`);
	const env: Record<string, string | undefined> = {
		...process.env,
		KAFKA_BROKERS: undefined,
		MLBRIDGE_BROKER_PORT: String(port),
		MLBRIDGE_CONTROLLER_PORT: String(controllerPort),
		MLBRIDGE_BROKER_RUN_DIR: runDir,
		KAFKA_HEAP_OPTS: process.env['MLBRIDGE_RELIABILITY_BROKER_HEAP'] ?? '-Xms128m -Xmx512m',
	};
	delete env['KAFKA_BROKERS'];
	const script = async (name: string, args: string[] = []): Promise<void> => {
		const result = await execa('bash', [path.join(root, 'scripts', 'broker', name), ...args], {env, extendEnv: false, reject: false, all: true, timeout: 240_000});
		if (result.exitCode !== 0) {
			throw new Error(`${name} failed (${result.exitCode}):\n${result.all}`);
		}
	};

	const pid = (): number | undefined => {
		try {
			const found = Number(readFileSync(path.join(runDir, 'broker.pid'), 'utf8').trim());
			// Only ever our own broker: its command line names our run directory.
			const cmdline = readFileSync(`/proc/${found}/cmdline`, 'utf8');
			return cmdline.includes(runDir) ? found : undefined;
		} catch {
			return undefined;
		}
	};

	return {
		brokers: [`127.0.0.1:${port}`],
		runDir,
		async start() {
			await script('start.sh');
		},
		async kill9() {
			const found = pid();
			if (found === undefined) {
				throw new Error(`no broker of ours in ${runDir}`);
			}

			process.kill(found, 'SIGKILL');
			while (alive(found)) {
				await sleep(50);
			}

			return found;
		},
		async stop(wipe = false) {
			await script('stop.sh', wipe ? ['--wipe'] : []);
		},
	};
}

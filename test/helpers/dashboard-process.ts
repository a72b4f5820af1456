import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa, type ResultPromise} from 'execa';

const mainTs = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.ts');

export type DashboardProcess = {
	readonly url: string;
	readonly port: number;
	/** From spawning the process to its printed address (it reads the job states before printing). */
	readonly startMs: number;
	/** Ctrl-C, as an operator would; resolves with the exit code. */
	stop(): Promise<number | undefined>;
};

/** `mlbridge dashboard ARGS` as a process of its own; resolves once it printed its address. */
export async function startDashboardProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<DashboardProcess> {
	const child: ResultPromise = execa('node', ['--import', 'tsx', mainTs, 'dashboard', ...args], {
		env: {MLBRIDGE_DASHBOARD_TOKEN: '', ...env},
		reject: false,
		buffer: false,
		stdin: 'ignore',
	});
	let output = '';
	const spawnedAt = Date.now();
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`the dashboard did not start in 30 s: ${output}`)), 30_000);
		const onData = (chunk: Buffer): void => {
			output += chunk.toString();
			const match = /mlbridge dashboard: (http:\/\/\S+\/)/.exec(output);
			if (match !== null) {
				clearTimeout(timer);
				resolve(match[1]!);
			}
		};

		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		void child.then(result => {
			clearTimeout(timer);
			reject(new Error(`the dashboard exited (${String(result.exitCode)}): ${output}`));
		});
	});
	return {
		url,
		port: Number(new URL(url).port),
		startMs: Date.now() - spawnedAt,
		async stop() {
			child.kill('SIGINT');
			const result = await child;
			return result.exitCode;
		},
	};
}

/**
 * The Java client rung (issue 17): the same runner and measurement as the `mlbridge` rung of
 * bench/run.ts — `echo` with a 100-byte payload (mlbridge's no-op), closed-loop latency at
 * concurrency 1, closed-loop throughput at c1 and c256 — once through the TypeScript client and
 * once through the Java client (java/, driven by bench/java/JavaBench.java in a JVM of its own),
 * in interleaved rounds against one runner, medians. Figures only; nothing is asserted.
 * Needs java and mvn on PATH; without them it says so and measures nothing.
 */
import {execFileSync, spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {Kafka, logLevel} from 'kafkajs';
import {PipelineClient, RunnerProcess} from '../dist/src/index.js';
import {here, payload, root} from './systems.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const python = process.env['MLBRIDGE_PYTHON'] ?? path.join(root, '.venv/bin/python');
const mvnEnv = {...process.env, MAVEN_OPTS: process.env['MAVEN_OPTS'] ?? '-Xmx512m'};

export type JavaConfig = {rounds: number; latCalls: number; warmup: number; seconds: number; concurrency: number[]};
export type JavaSample = Record<string, number>;
export type JavaResults = {
	skipped?: string;
	config: JavaConfig;
	rungs: Record<string, {median: JavaSample; rounds: JavaSample[]}>;
	errors: string[];
};

export function javaConfig(smoke: boolean): JavaConfig {
	const env = (name: string, full: number, smokeValue: number) => Number(process.env[name] ?? (smoke ? smokeValue : full));
	return {
		rounds: env('BENCH_JAVA_ROUNDS', 3, 1),
		latCalls: env('BENCH_JAVA_LAT_CALLS', 3000, 200),
		warmup: env('BENCH_JAVA_WARMUP', 500, 50),
		seconds: env('BENCH_JAVA_SECONDS', 2, 0.5),
		concurrency: [1, 256],
	};
}

/** Why the rung cannot run here, or undefined. */
export function javaMissing(): string | undefined {
	for (const tool of ['java', 'mvn']) {
		try {
			execFileSync('sh', ['-c', `command -v ${tool}`], {stdio: 'ignore'});
		} catch {
			return `no ${tool} on PATH`;
		}
	}

	return undefined;
}

/** The Java client installed into ~/.m2 and the bench program compiled; its classpath. */
function buildJava(): string {
	const mvn = (args: string[]) => execFileSync('mvn', ['-q', '-B', '-Dstyle.color=never', ...args], {cwd: root, env: mvnEnv, stdio: ['ignore', 'ignore', 'inherit']});
	mvn(['-f', 'java/pom.xml', 'install', '-DskipTests']);
	const cpFile = path.join(here, 'java/target/classpath.txt');
	mvn(['-f', 'bench/java/pom.xml', 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`]);
	return `${path.join(here, 'java/target/classes')}:${readFileSync(cpFile, 'utf8').trim()}`;
}

async function javaRound(classpath: string, requestTopic: string, cfg: JavaConfig): Promise<JavaSample> {
	const args = ['-Xmx512m', '-cp', classpath, 'dev.mlbridge.bench.JavaBench', brokers.join(','), requestTopic,
		String(cfg.latCalls), String(cfg.warmup), String(cfg.seconds), cfg.concurrency.join(',')];
	return new Promise((resolve, reject) => {
		const child = spawn('java', args, {stdio: ['ignore', 'pipe', 'inherit']});
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString('utf8');
		});
		child.on('error', reject);
		child.on('exit', code => {
			const line = out.trim().split('\n').at(-1) ?? '';
			if (code === 0 && line.startsWith('{')) {
				resolve(JSON.parse(line) as JavaSample);
			} else {
				reject(new Error(`JavaBench exited ${code}: ${out.slice(-500)}`));
			}
		});
	});
}

async function tsRound(client: PipelineClient, cfg: JavaConfig): Promise<JavaSample> {
	const call = async () => client.invoke('echo', {payload: payload(100)}, {timeoutMs: 60_000});
	for (let i = 0; i < cfg.warmup; i++) await call();
	const nanos: number[] = [];
	for (let i = 0; i < cfg.latCalls; i++) {
		const t = process.hrtime.bigint();
		await call();
		nanos.push(Number(process.hrtime.bigint() - t));
	}

	nanos.sort((a, b) => a - b);
	const s: JavaSample = {
		'lat.p50': nanos[Math.floor(cfg.latCalls * 0.5)]! / 1e6,
		'lat.p99': nanos[Math.min(cfg.latCalls - 1, Math.floor(cfg.latCalls * 0.99))]! / 1e6,
	};
	for (const conc of cfg.concurrency) {
		for (const seconds of [Math.min(0.3, cfg.seconds * 0.2), cfg.seconds]) {
			let done = 0;
			const start = performance.now();
			const end = start + seconds * 1000;
			await Promise.all(Array.from({length: conc}, async () => {
				while (performance.now() < end) {
					await call();
					done++;
				}
			}));
			s[`thr.c${conc}`] = done / ((performance.now() - start) / 1000);
		}
	}

	return s;
}

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function javaRung(cfg: JavaConfig): Promise<JavaResults> {
	const results: JavaResults = {config: cfg, rungs: {}, errors: []};
	const missing = javaMissing();
	if (missing !== undefined) {
		results.skipped = missing;
		console.log(`java rung: SKIP, ${missing}`);
		return results;
	}

	const classpath = buildJava();
	const requestTopic = `bench.java.${randomBytes(4).toString('hex')}`;
	const runner = await RunnerProcess.start({pipelines: [path.join(here, 'pipelines.py')], requestTopic, group: `${requestTopic}.runners`, brokers, python});
	const client = await PipelineClient.connect({requestTopic, brokers});
	const rounds: Record<string, JavaSample[]> = {'mlbridge (TS client)': [], 'mlbridge (Java client)': []};
	try {
		for (let round = 0; round < cfg.rounds; round++) {
			const order = round % 2 === 0 ? ['ts', 'java'] : ['java', 'ts'];
			for (const which of order) {
				const name = which === 'ts' ? 'mlbridge (TS client)' : 'mlbridge (Java client)';
				try {
					const s = which === 'ts' ? await tsRound(client, cfg) : await javaRound(classpath, requestTopic, cfg);
					rounds[name]!.push(s);
					console.log(`round ${round + 1}/${cfg.rounds} ${name.padEnd(24)} p50 ${s['lat.p50']!.toFixed(2)} ms  p99 ${s['lat.p99']!.toFixed(2)} ms  c1 ${s['thr.c1']!.toFixed(0)}/s  c256 ${s['thr.c256']!.toFixed(0)}/s`);
				} catch (error) {
					results.errors.push(`${name} round ${round + 1}: ${String(error)}`);
					console.error(`✗ ${name} round ${round + 1}: ${String(error)}`);
				}
			}
		}
	} finally {
		await client.close();
		await runner.stop();
		const admin = new Kafka({clientId: 'bench-cleanup', brokers, logLevel: logLevel.NOTHING}).admin();
		await admin.connect();
		await admin.deleteTopics({topics: [requestTopic, `${requestTopic}.dlq`], timeout: 5000}).catch(() => undefined);
		await admin.disconnect();
	}

	for (const [name, samples] of Object.entries(rounds)) {
		if (samples.length === 0) continue;
		const keys = Object.keys(samples[0]!);
		results.rungs[name] = {median: Object.fromEntries(keys.map(k => [k, median(samples.map(s => s[k]!))])), rounds: samples};
	}

	return results;
}

export function reportJava(r: JavaResults): void {
	if (r.skipped !== undefined) {
		console.log(`\njava client rung: skipped (${r.skipped})`);
		return;
	}

	console.log(`\nJava client rung: echo 100 B (mlbridge's no-op), one runner, both clients against it; median of ${r.config.rounds} interleaved rounds`);
	const cols: Array<[string, string, number]> = [['p50 ms', 'lat.p50', 2], ['p99 ms', 'lat.p99', 2], ['c1/s', 'thr.c1', 0], ['c256/s', 'thr.c256', 0]];
	const rows = [['client', ...cols.map(c => c[0])], ...Object.entries(r.rungs).map(([name, {median: m}]) => [name, ...cols.map(([, k, d]) => m[k]?.toFixed(d) ?? '—')])];
	const widths = rows[0]!.map((_, j) => Math.max(...rows.map(row => row[j]!.length)));
	rows.forEach((row, i) => {
		console.log(row.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '));
		if (i === 0) console.log(widths.map(w => '─'.repeat(w)).join('  '));
	});
}

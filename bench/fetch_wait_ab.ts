/**
 * Does the runner's fetch.wait.max.ms cost latency? Two runners (two request topics, one client
 * each) in this process, one per `--fetch-wait-max-ms` value, measured alternately:
 * `node --import tsx bench/fetch_wait_ab.ts [A] [B] [ROUNDS]` (default 20 500 8): per round and
 * runner, 300 calls at concurrency 1 and 3 s open loop at 100 calls/s; medians of the rounds' p50 / p99.
 */
import {openLoop} from './open-loop.js';
import {median} from './stats.js';
import {experimentRungs, kafkaRungs, type System} from './systems.js';
import {latency} from './windows.js';

const [a = '20', b = '500', roundsArg = '8'] = process.argv.slice(2);
const systems: Array<[string, System]> = [];
try {
	// systems.ts reads BENCH_RUNNER_ARGS when a runner starts: one value per slot.
	process.env['BENCH_RUNNER_ARGS'] = `--fetch-wait-max-ms ${a}`;
	systems.push([`wait ${a}`, await kafkaRungs.find(r => r.name === 'mlbridge')!.start()]);
	process.env['BENCH_RUNNER_ARGS'] = `--fetch-wait-max-ms ${b}`;
	systems.push([`wait ${b}`, await experimentRungs.find(r => r.name === 'mlbridge-alt')!.start()]);
	const got = new Map(systems.map(([n]) => [n, {c1p50: [] as number[], c1p99: [] as number[], o50: [] as number[], o99: [] as number[]}]));
	for (const [, s] of systems) await latency(s, 300, 100, 100);
	for (let round = 0; round < Number(roundsArg); round++) {
		for (const [name, s] of round % 2 === 0 ? systems : [...systems].reverse()) {
			const c1 = await latency(s, 300, 100, 20);
			const o = await openLoop(s, 100, 3);
			const g = got.get(name)!;
			g.c1p50.push(c1.p50);
			g.c1p99.push(c1.p99);
			g.o50.push(o.p50);
			g.o99.push(o.p99);
			console.log(`round ${round + 1} ${name.padEnd(9)} c1 p50 ${c1.p50.toFixed(2)} p99 ${c1.p99.toFixed(2)} ms; 100/s p50 ${o.p50.toFixed(2)} p99 ${o.p99.toFixed(2)} ms`);
		}
	}

	for (const [name, g] of got) {
		console.log(`${name.padEnd(9)} c1 p50 ${median(g.c1p50).toFixed(2)} p99 ${median(g.c1p99).toFixed(2)} ms; open loop 100/s p50 ${median(g.o50).toFixed(2)} p99 ${median(g.o99).toFixed(2)} ms (medians of ${g.o50.length} rounds)`);
	}
} finally {
	for (const [, s] of systems) await s.stop();
}

/**
 * How long a throughput window and how many interleaved rounds the headline needs:
 * `node --import tsx bench/steady_study.ts [CALLS,...] [ROUNDS] [CONCURRENCY]` (default
 * `10000,30000,60000 8 256`). For every window length (in calls) it runs ROUNDS rounds of one floor
 * window and one mlbridge window back to back (order alternating, so slow drift of the machine falls
 * on both), and prints the per-round mlbridge / floor ratios, their median and their half-range (±%),
 * and the median of the first k rounds for k = 3…ROUNDS (how many rounds the median needs to settle).
 * The window lengths are interleaved too: each round visits every length. bench/README.md quotes it.
 */
import {drive} from './windows.js';
import {halfRangePct, median} from './stats.js';
import {kafkaRungs, type System} from './systems.js';

const [callsArg = '10000,30000,60000', roundsArg = '8', concArg = '256'] = process.argv.slice(2);
const windows = callsArg.split(',').map(Number);
const rounds = Number(roundsArg);
const conc = Number(concArg);
const start = async (name: string) => kafkaRungs.find(r => r.name === name)!.start();
const systems: Array<[string, System]> = [];
try {
	systems.push(['floor', await start('floor')], ['mlbridge', await start('mlbridge')]);
	for (const [, s] of systems) await drive(s, 5000, conc);
	const rates = new Map<number, {floor: number[]; mlbridge: number[]}>(windows.map(w => [w, {floor: [], mlbridge: []}]));
	for (let round = 0; round < rounds; round++) {
		for (const w of windows) {
			const order = round % 2 === 0 ? systems : [...systems].reverse();
			for (const [name, s] of order) {
				const r = await drive(s, w, conc);
				rates.get(w)![name as 'floor' | 'mlbridge'].push(r.perSecond);
			}
		}

		console.log(`round ${round + 1}/${rounds} ${windows.map(w => `${w}: ${(rates.get(w)!.mlbridge.at(-1)! / rates.get(w)!.floor.at(-1)!).toFixed(2)}×`).join('  ')}`);
	}

	for (const w of windows) {
		const {floor, mlbridge} = rates.get(w)!;
		const ratios = mlbridge.map((m, i) => m / floor[i]!);
		const settle = ratios.map((_, k) => k + 1).filter(k => k >= 3).map(k => `${k}:${median(ratios.slice(0, k)).toFixed(2)}`);
		console.log(`window ${String(w).padStart(6)} calls: ratio ${median(ratios).toFixed(3)} ±${halfRangePct(ratios).toFixed(0)}% [${ratios.map(x => x.toFixed(2)).join(' ')}]  floor ${median(floor).toFixed(0)}/s ±${halfRangePct(floor).toFixed(0)}%  mlbridge ${median(mlbridge).toFixed(0)}/s ±${halfRangePct(mlbridge).toFixed(0)}%  median of first k rounds ${settle.join(' ')}`);
	}
} finally {
	for (const [, s] of systems) await s.stop();
}

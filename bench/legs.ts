/**
 * Diagnose where a call's time goes at a given concurrency on the +avro rung (ms-resolution wall
 * clock legs: client → echo, in the echo, echo → client): `node --import tsx bench/legs.ts [RUNG] [C...]`.
 */
import {experimentRungs, kafkaRungs, legs} from './systems.js';

const [name = '+avro', ...cs] = process.argv.slice(2);
const rung = [...kafkaRungs, ...experimentRungs].find(r => r.name === name)!;
const system = await rung.start();
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
try {
	for (const c of (cs.length ? cs : ['1', '4', '16', '64', '256']).map(Number)) {
		const end = performance.now() + 2500;
		await Promise.all(Array.from({length: c}, async () => {
			while (performance.now() < end) await system.call(100);
		}));
		legs.length = 0;
		let n = 0;
		const t0 = performance.now();
		const stop = t0 + 2500;
		await Promise.all(Array.from({length: c}, async () => {
			while (performance.now() < stop) {
				await system.call(100);
				n++;
			}
		}));
		const rate = n / ((performance.now() - t0) / 1000);
		const col = (i: number) => legs.map(l => l[i]!);
		console.log(`${name} c=${String(c).padStart(3)} ${rate.toFixed(0).padStart(6)}/s  to-echo p50 ${pct(col(0), 0.5)} p90 ${pct(col(0), 0.9)}  in-echo p50 ${pct(col(1), 0.5)}  back p50 ${pct(col(2), 0.5)} p90 ${pct(col(2), 0.9)} ms`);
	}
} finally {
	await system.stop();
}

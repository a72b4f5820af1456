/**
 * Open-loop latency at fixed rates, rungs and pacings interleaved: `node --import tsx
 * bench/open_sweep.ts [RUNGS] [RATES] [SECONDS] [ROUNDS] [PACINGS]`, e.g. `mlbridge,floor
 * 1000,3000,6000 3 3 timer,spin`. Prints the median over rounds of p50 / p99 (ms) and of the CPU
 * per call of the client (this process), the worker (runner or echo) and the broker (from /proc, 10 ms
 * ticks). For diagnosis: `npm run bench` runs the 50% / 80% points with the timer.
 */
import {openLoop, type Pacing} from './open-loop.js';
import {cpuMs, experimentRungs, kafkaRungs, type System} from './systems.js';


const [rungsArg = 'mlbridge,floor', ratesArg = '1000,3000,6000', secondsArg = '3', roundsArg = '3', pacingArg = 'timer,spin'] = process.argv.slice(2);
const rates = ratesArg.split(',').map(Number);
const pacings = pacingArg.split(',') as Pacing[];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const systems: Array<[string, System]> = [];
const results = new Map<string, {p50: number[]; p99: number[]; cpu: number[]; worker: number[]; broker: number[]}>();
try {
	for (const name of rungsArg.split(',')) {
		const rung = [...kafkaRungs, ...experimentRungs].find(r => r.name === name);
		if (rung === undefined) throw new Error(`no rung ${name}`);
		const system = await rung.start();
		systems.push([name, system]);
		await openLoop(system, 500, 1); // warm-up
	}

	for (let round = 0; round < Number(roundsArg); round++) {
		for (const rate of rates) {
			for (const pacing of pacings) {
				for (const [name, system] of systems) {
					const cpu0 = process.cpuUsage();
					const [worker0, broker0] = [cpuMs(system.serverPids()), cpuMs(system.brokerPids())];
					const r = await openLoop(system, rate, Number(secondsArg), pacing);
					const cpu = process.cpuUsage(cpu0);
					const calls = rate * Number(secondsArg);
					const key = `${name.padEnd(12)} ${String(rate).padStart(6)}/s ${pacing.padEnd(5)}`;
					const entry = results.get(key) ?? {p50: [], p99: [], cpu: [], worker: [], broker: []};
					entry.p50.push(r.p50);
					entry.p99.push(r.p99);
					entry.cpu.push((cpu.user + cpu.system) / calls);
					entry.worker.push(((cpuMs(system.serverPids()) - worker0) * 1000) / calls);
					entry.broker.push(((cpuMs(system.brokerPids()) - broker0) * 1000) / calls);
					results.set(key, entry);
				}
			}
		}
	}

	for (const [key, r] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
		console.log(`${key}  p50 ${median(r.p50).toFixed(2).padStart(7)} ms  p99 ${median(r.p99).toFixed(2).padStart(7)} ms  CPU µs/call client ${median(r.cpu).toFixed(0).padStart(4)} worker ${median(r.worker).toFixed(0).padStart(4)} broker ${median(r.broker).toFixed(0).padStart(4)}  [p50 per round: ${r.p50.map(x => x.toFixed(1)).join(', ')}]`);
	}
} finally {
	for (const [, system] of systems) await system.stop();
}

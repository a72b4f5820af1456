/**
 * Client CPU per call at saturation: `npm run bench:client-cpu` (or `node --import tsx
 * bench/client_cpu.ts [RUNGS] [CALLS] [ROUNDS] [CONCURRENCY] [SIZE]`, RUNGS comma-separated, default
 * `mlbridge,floor`). For each rung, process.cpuUsage() (user + system) of this Node process around
 * CALLS calls at CONCURRENCY, payload SIZE bytes; rungs interleaved over ROUNDS rounds after a
 * warm-up; prints the median and spread of µs per call and of calls/s, and the median CPU µs per call
 * of the rung's worker (runner or echo, from /proc, 10 ms ticks) and of the Kafka broker JVM (which
 * also serves anything else running on the machine). Compare rungs from the same run only: the
 * machine is shared, so absolute figures move between runs.
 */
import {cpuMs, experimentRungs, kafkaRungs, type System} from './systems.js';


const [rungsArg = 'mlbridge,floor', callsArg = '20000', roundsArg = '5', concArg = '256', sizeArg = '100'] = process.argv.slice(2);
const names = rungsArg.split(',');
const calls = Number(callsArg);
const rounds = Number(roundsArg);
const conc = Number(concArg);
const size = Number(sizeArg);

async function drive(system: System, n: number): Promise<void> {
	let left = n;
	await Promise.all(Array.from({length: Math.min(conc, n)}, async () => {
		while (left > 0) {
			left--;
			await system.call(size);
		}
	}));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const systems: Array<{name: string; system: System; us: number[]; rate: number[]; worker: number[]; broker: number[]}> = [];
try {
	for (const name of names) {
		const rung = [...kafkaRungs, ...experimentRungs].find(r => r.name === name);
		if (rung === undefined) throw new Error(`no rung ${name}`);
		const system = await rung.start();
		systems.push({name, system, us: [], rate: [], worker: [], broker: []});
		await drive(system, Math.max(2000, calls / 4));
	}

	for (let round = 0; round < rounds; round++) {
		for (const s of systems) {
			const cpu0 = process.cpuUsage();
			const [worker0, broker0] = [cpuMs(s.system.serverPids()), cpuMs(s.system.brokerPids())];
			const t0 = performance.now();
			await drive(s.system, calls);
			const wall = performance.now() - t0;
			const cpu = process.cpuUsage(cpu0);
			s.us.push((cpu.user + cpu.system) / calls);
			s.worker.push(((cpuMs(s.system.serverPids()) - worker0) * 1000) / calls);
			s.broker.push(((cpuMs(s.system.brokerPids()) - broker0) * 1000) / calls);
			s.rate.push(calls / (wall / 1000));
		}
	}

	for (const s of systems) {
		const spread = `${Math.min(...s.us).toFixed(1)}–${Math.max(...s.us).toFixed(1)}`;
		const sum = s.us.map((us, i) => us + s.worker[i]! + s.broker[i]!);
		console.log(`${s.name.padEnd(10)} client CPU ${median(s.us).toFixed(1).padStart(6)} µs/call (${spread})  worker ${median(s.worker).toFixed(1).padStart(6)}  broker ${median(s.broker).toFixed(1).padStart(6)}  sum ${median(sum).toFixed(1).padStart(6)}  ${median(s.rate).toFixed(0).padStart(6)} calls/s  [c=${conc}, ${size} B, ${calls} calls × ${rounds}]`);
	}
} finally {
	for (const s of systems) await s.system.stop();
}

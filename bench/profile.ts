/**
 * Profile one rung under saturation: `node --cpu-prof --cpu-prof-dir bench/results/prof --import tsx
 * bench/profile.ts RUNG [SECONDS] [CONCURRENCY] [SIZE]`. Samples the server process with py-spy
 * (from bench/.venv) for the same window and prints the top self-time frames of both sides
 * (the Node side is summarised from the .cpuprofile by bench/cpuprof-top.ts after exit).
 */
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {here, kafkaRungs} from './systems.js';
import {peerRungs, stopRedis} from './peers.js';

const [name = 'mlbridge', secondsArg = '8', concArg = '256', sizeArg = '100'] = process.argv.slice(2);
const rung = [...kafkaRungs, ...peerRungs].find(r => r.name === name);
if (!rung) throw new Error(`no rung ${name}`);
const seconds = Number(secondsArg);
const conc = Number(concArg);
const size = rung.payloads ? Number(sizeArg) : 0;
const system = await rung.start();
const outDir = path.join(here, 'results', 'prof');
mkdirSync(outDir, {recursive: true});
try {
	const warmEnd = performance.now() + 1000;
	await Promise.all(Array.from({length: conc}, async () => {
		while (performance.now() < warmEnd) await system.call(size);
	}));
	const pyspy = path.join(here, '.venv/bin/py-spy');
	const pid = system.serverPids()[0]!;
	const flame = path.join(outDir, `${name.replaceAll(/\W/g, '_')}-py.txt`);
	const spy = existsSync(pyspy)
		? spawn(pyspy, ['record', '-p', String(pid), '-d', String(seconds), '-r', '200', '--threads', '-f', 'raw', '-o', flame, '--nonblocking'], {stdio: 'ignore'})
		: undefined;
	let done = 0;
	const t0 = performance.now();
	const end = t0 + seconds * 1000;
	await Promise.all(Array.from({length: conc}, async () => {
		while (performance.now() < end) {
			await system.call(size);
			done++;
		}
	}));
	console.log(`${name}: ${(done / ((performance.now() - t0) / 1000)).toFixed(0)} calls/s at c=${conc}, ${size} B`);
	if (spy) {
		await new Promise(resolve => spy.once('exit', resolve));
		console.log(`py-spy samples: ${flame}`);
	}
} finally {
	await system.stop();
	await stopRedis();
}

// kafkajs and the peers' clients can keep handles open after stop(): without an explicit exit the
// process lingers and --cpu-prof never writes its profile.
process.exit(0);

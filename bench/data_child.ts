/**
 * One system of the data rung in a process of its own (bench/data.ts starts two: `floor` and
 * `mlbridge`). Sharing one process, each system's windows paid for the other's garbage and heap:
 * the same 64 KB tensor echo measured 0.38–0.93× the floor in one process and 1.0× in two.
 *
 * Args: `floor|mlbridge <tableRows>`. Prints `ready <case count>`, then for each stdin line
 * `{"case": i, "seconds": s}` one `result <Measured JSON>` line; `stop` (or stdin closing) ends it.
 */
import {createInterface} from 'node:readline';
import {dataCases, startSide} from './data_systems.js';

const [system, rows] = process.argv.slice(2);
if (system !== 'floor' && system !== 'mlbridge') {
	throw new Error(`data_child: floor or mlbridge, not ${String(system)}`);
}

const cases = await dataCases(Number(rows));
const side = await startSide(system, cases);
console.log(`ready ${cases.length}`);
for await (const line of createInterface({input: process.stdin})) {
	if (line.trim() === 'stop') break;
	const {case: i, seconds} = JSON.parse(line) as {case: number; seconds: number};
	try {
		console.log(`result ${JSON.stringify(await side.measure(i, seconds))}`);
	} catch (error) {
		console.log(`result ${JSON.stringify({error: String(error)})}`);
	}
}

await side.stop();
process.exit(0);

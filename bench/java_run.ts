/**
 * `npm run bench:java` — the Java client rung alone (bench/java_rung.ts): the TypeScript and the
 * Java client against one runner, echo 100 B, latency at c1 and throughput at c1 and c256.
 * `--smoke`: tiny counts. Env: BENCH_JAVA_ROUNDS=3 BENCH_JAVA_LAT_CALLS=3000 BENCH_JAVA_WARMUP=500
 * BENCH_JAVA_SECONDS=2. Writes bench/results/java.json.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {javaConfig, javaRung, reportJava} from './java_rung.js';
import {here} from './systems.js';

const smoke = process.argv.includes('--smoke');
const cfg = javaConfig(smoke);
console.log(`mlbridge bench: java client ${smoke ? '(smoke) ' : ''}— ${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}`);
console.log(`config ${JSON.stringify(cfg)}`);
const results = await javaRung(cfg);
reportJava(results);
const dir = path.join(here, 'results');
mkdirSync(dir, {recursive: true});
writeFileSync(path.join(dir, smoke ? 'java-smoke.json' : 'java.json'), JSON.stringify({date: new Date().toISOString(), ...results}, null, '\t'));
if (results.errors.length > 0) process.exitCode = 1;

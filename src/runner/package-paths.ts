import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * The root of the mlbridge package (the repo in development, `node_modules/mlbridge` when
 * installed): found by walking up from this file, so it works from `src/` and from `dist/src/`.
 */
export const packageRoot: string = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The bundled Python runner: `python -m mlbridge_runner` works with this on PYTHONPATH. */
export const pythonRunnerDir: string = path.join(packageRoot, 'python-runner');

function findPackageRoot(start: string): string {
	let dir = start;
	for (;;) {
		const manifest = path.join(dir, 'package.json');
		if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as {name?: string}).name === 'mlbridge') {
			return dir;
		}

		const parent = path.dirname(dir);
		if (parent === dir) {
			throw new Error(`Cannot find the mlbridge package root above ${start}`);
		}

		dir = parent;
	}
}

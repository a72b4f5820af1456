/**
 * Where a result came from (issue 19): the date, the commit (and whether the tree had uncommitted
 * changes), the machine and how busy it was — load average at the start and at the end, since the
 * bench shares two cores with whatever else runs. Written into every result file, and into its name.
 */
import {execFileSync} from 'node:child_process';
import os from 'node:os';
import {root} from './systems.js';

export type Provenance = {
	when: string; commit: string; dirty: boolean;
	machine: {hostname: string; cpus: number; model: string | undefined; memGb: number; node: string; kernel: string; loadStart: number[]; loadEnd?: number[]};
};

function git(...args: string[]): string {
	try {
		return execFileSync('git', args, {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
	} catch {
		return '';
	}
}

export function provenanceStart(): Provenance {
	return {
		when: new Date().toISOString(),
		commit: git('rev-parse', '--short=7', 'HEAD') || 'unknown',
		// Tracked files only: the bench's own results and other untracked files do not count.
		dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
		machine: {
			hostname: os.hostname(), cpus: os.cpus().length, model: os.cpus()[0]?.model, memGb: os.totalmem() / 2 ** 30,
			node: process.version, kernel: os.release(), loadStart: os.loadavg(),
		},
	};
}

export function provenanceEnd(p: Provenance): Provenance {
	return {...p, machine: {...p.machine, loadEnd: os.loadavg()}};
}

/** `2026-12-04-2130-bench-abc1234` (UTC; `-dirty` when the tree had uncommitted changes). */
export function resultName(p: Provenance, kind: string): string {
	const d = p.when.slice(0, 16).replace('T', '-').replace(':', '');
	return `${d}-${kind}-${p.commit}${p.dirty ? '-dirty' : ''}`;
}

export function describe(p: Provenance): string {
	const m = p.machine;
	const load = (l: number[] | undefined) => (l === undefined ? '?' : l.map(x => x.toFixed(2)).join(' '));
	return `${p.when.slice(0, 16).replace('T', ' ')} UTC, commit ${p.commit}${p.dirty ? ' (+ uncommitted changes)' : ''}, ${m.hostname}: ${m.cpus} × ${m.model ?? '?'}, ${m.memGb.toFixed(1)} GB, Node ${m.node}; load average ${load(m.loadStart)} at the start, ${load(m.loadEnd)} at the end`;
}

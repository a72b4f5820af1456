import {Command} from 'commander';
import {type ClusterStatus, readClusterStatus, type RunnerStatus} from '../operations/cluster-status.js';
import {addCommonOptions, processIo, runStandaloneCommand, type CliIo} from './command-context.js';
import {addOperationsOptions, operationsTarget, type OperationsOptions} from './operations-options.js';
import {clip, formatDuration, formatTable, printError} from './output.js';

export type StatusCommandOptions = OperationsOptions & {readonly group: string};

/**
 * `mlbridge status`: runners of a group (from the presence topic, joined with the consumer
 * groups), lag per partition, dead letters. Exit 0 with an answer, 1 when the broker did not give
 * one in time, 2 for bad usage.
 */
export async function runStatusCommand(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
	const program = addOperationsOptions(addCommonOptions(
		new Command('mlbridge status')
			.description('the runners of a group (pipelines, partitions, in-flight, last seen), lag per partition, dead letters')
			.option('--group <group>', 'the runners\' consumer group (its job lane is <group>.jobs)', 'mlbridge-runners'),
	));
	return runStandaloneCommand(program, argv, io, async (options: StatusCommandOptions) => status(options, io));
}

async function status(options: StatusCommandOptions, io: CliIo): Promise<number> {
	try {
		const result = await readClusterStatus({...operationsTarget(options, io), group: options.group, timeoutMs: options.timeout, now: io.now});
		io.stdout.write(options.json === true ? `${JSON.stringify(result)}\n` : formatStatus(result));
		return 0;
	} catch (error) {
		printError(io, error, {json: options.json === true, verbose: options.verbose === true});
		return 1;
	}
}

/** `[0, 1, 2, 5]` → `0-2,5`; `-` for none. */
export function partitionRanges(partitions: readonly number[]): string {
	const sorted = [...partitions].sort((a, b) => a - b);
	const ranges: string[] = [];
	for (let i = 0; i < sorted.length;) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) {
			j++;
		}

		ranges.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
		i = j + 1;
	}

	return ranges.length === 0 ? '-' : ranges.join(',');
}

function runnerRow(runner: RunnerStatus): string[] {
	const pipelines = runner.pipelines.length <= 3 ? runner.pipelines.join(',') : `${runner.pipelines.slice(0, 3).join(',')} +${runner.pipelines.length - 3}`;
	let state = runner.live ? 'live' : 'STALE';
	if (runner.live && !runner.inCallGroup) {
		state = 'live, not in group';
	}

	return [
		runner.id,
		state,
		runner.version,
		clip(pipelines, 40),
		partitionRanges(runner.callPartitions),
		partitionRanges(runner.jobPartitions),
		String(runner.inFlight),
		String(runner.queued),
		String(runner.jobsRunning),
		String(runner.served),
		`${formatDuration(runner.ageMs)} ago`,
	];
}

/** The human form: a line of totals, the runners table, lag per group, other members, problems. */
export function formatStatus(status: ClusterStatus): string {
	const live = status.runners.filter(r => r.live).length;
	const stale = status.runners.length - live;
	let text = `group ${status.group} on ${status.requestTopic}: ${live} runner${live === 1 ? '' : 's'} live${stale > 0 ? `, ${stale} stale` : ''}; `
		+ `dead letters ${status.deadLetters.count}${status.deadLetters.exists ? '' : ' (no dead-letter topic yet)'}\n`;
	text += status.runners.length === 0
		? 'no runner has announced itself on this request topic (none running, or runners older than presence)\n'
		: formatTable(
			['RUNNER', 'STATE', 'VERSION', 'PIPELINES', 'CALL P', 'JOB P', 'IN-FLIGHT', 'QUEUED', 'JOBS', 'SERVED', 'LAST SEEN'],
			status.runners.map(r => runnerRow(r)),
		);
	const byGroup = new Map<string, Array<{partition: number; lag: number; topic: string}>>();
	for (const p of status.lag) {
		byGroup.set(p.group, [...(byGroup.get(p.group) ?? []), p]);
	}

	for (const [group, partitions] of byGroup) {
		const detail = partitions.map(p => `${p.partition}:${p.lag}`).join(' ');
		text += `lag ${group} on ${partitions[0]!.topic}: ${status.totalLag[group] ?? 0}  [${detail}]\n`;
	}

	for (const member of status.otherMembers) {
		text += `other member of ${member.group}: ${member.clientId} from ${member.host} (no presence record)\n`;
	}

	for (const problem of status.problems) {
		text += `note: ${problem}\n`;
	}

	return text;
}

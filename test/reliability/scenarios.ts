/**
 * Every scenario of the reliability suite: its file and the `scenario` name its row carries.
 * Adding a scenario is one line here (and its file, which calls `recordResult` with that name).
 * `9-table.test.ts` fails a run that lacks a row for any of them, and a `*.test.ts` file that is
 * not listed here; `npm run reliability:publish` publishes only a run that has them all.
 */
export const scenarios: ReadonlyArray<{readonly file: string; readonly scenario: string}> = [
	{file: '1-sigkill.test.ts', scenario: '1 SIGKILL runners'},
	{file: '2-rolling-restart.test.ts', scenario: '2 rolling SIGTERM restart'},
	{file: '3-scale.test.ts', scenario: '3 scale 1→4→1'},
	{file: '4-broker-kill.test.ts', scenario: '4 broker kill -9, back after 10 s'},
	{file: '5-client-kill.test.ts', scenario: '5 client process SIGKILLed'},
	{file: '6-long-pipeline.test.ts', scenario: '6 long pipeline vs max.poll.interval'},
	{file: '7-bad-input.test.ts', scenario: '7 bad-input catalogue'},
	{file: '8-jobs.test.ts', scenario: '8a job runner SIGKILLed mid-job'},
	{file: '8-jobs.test.ts', scenario: '8b job that kills its runners'},
	{file: '8-jobs.test.ts', scenario: '8c jobs while every runner is down'},
	{file: '8-jobs.test.ts', scenario: '8d broker kill -9 during a job'},
	{file: '10-cluster.test.ts', scenario: '10a cluster: busiest partition leader SIGKILLed'},
	{file: '10-cluster.test.ts', scenario: '10b cluster: active controller SIGKILLed'},
	{file: '10-cluster.test.ts', scenario: '10c cluster: rolling restart of 3 nodes'},
	{file: '11-rolling-upgrade.test.ts', scenario: '11 rolling upgrade adding a pipeline'},
];

/** The file that checks the rows of a run; it runs last (the glob sorts it after `[1-8]-*`). */
export const tableFile = '9-table.test.ts';

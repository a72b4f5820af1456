/**
 * Event-level precision and recall of flagged rows against the injected incidents: the definition of
 * examples/aiops/incident_scoring.py (which scores the training job's held-out week), for the
 * TypeScript side's detections. Operators are paged per incident, not per row:
 *
 * - a detection is a run of flagged rows; runs less than `mergeGap` rows apart are one detection;
 * - an incident's window is its ground-truth interval plus `tolerance` rows after its end (trailing
 *   features still see an incident for up to an hour after it stops; a leak's restart is part of it);
 * - precision: the share of detections that overlap an incident's window;
 * - recall: the share of incidents whose window holds a flagged row.
 */

export type Incident = {readonly kind: string; readonly start: number; readonly end: number};
export type Detection = {readonly start: number; readonly end: number; readonly peakScore: number; readonly peakRow: number};
export type EventScore = {
	readonly precision: number;
	readonly recall: number;
	readonly detections: number;
	readonly trueDetections: number;
	readonly incidents: number;
	readonly found: number;
	/** Rows from each found incident's start to its first flagged row, by kind. */
	readonly delays: ReadonlyArray<{readonly kind: string; readonly rows: number}>;
	readonly missed: readonly Incident[];
};

/** Rows per hour of the example's series (5-minute rows); the defaults below are in rows. */
export const ROWS_PER_HOUR = 12;
export const MERGE_GAP = ROWS_PER_HOUR / 2;
export const TOLERANCE = ROWS_PER_HOUR;

/** Runs of flagged rows as [start, end) intervals, runs closer than `mergeGap` joined. */
export function detections(flags: ArrayLike<number>, scores: ArrayLike<number>, mergeGap = MERGE_GAP): Detection[] {
	const runs: Array<{start: number; end: number; peakScore: number; peakRow: number}> = [];
	for (let row = 0; row < flags.length; row++) {
		if (!flags[row]) continue;
		const last = runs.at(-1);
		if (last !== undefined && row - last.end < mergeGap) {
			last.end = row + 1;
			if (scores[row]! > last.peakScore) Object.assign(last, {peakScore: scores[row]!, peakRow: row});
		} else {
			runs.push({start: row, end: row + 1, peakScore: scores[row]!, peakRow: row});
		}
	}

	return runs;
}

/** The incident whose window (interval + tolerance) `detection` overlaps, if any. */
export function matchingIncident(detection: Detection, incidents: readonly Incident[], tolerance = TOLERANCE): Incident | undefined {
	return incidents.find(i => detection.start < i.end + tolerance && i.start < detection.end);
}

export function scoreEvents(flags: ArrayLike<number>, scores: ArrayLike<number>, incidents: readonly Incident[], tolerance = TOLERANCE, mergeGap = MERGE_GAP): EventScore {
	const found = detections(flags, scores, mergeGap);
	const trueDetections = found.filter(d => matchingIncident(d, incidents, tolerance) !== undefined).length;
	const delays: Array<{kind: string; rows: number}> = [];
	const missed: Incident[] = [];
	for (const incident of incidents) {
		let row = incident.start;
		while (row < Math.min(incident.end + tolerance, flags.length) && !flags[row]) row++;
		if (row < Math.min(incident.end + tolerance, flags.length)) {
			delays.push({kind: incident.kind, rows: row - incident.start});
		} else {
			missed.push(incident);
		}
	}

	return {
		precision: found.length === 0 ? 0 : trueDetections / found.length,
		recall: incidents.length === 0 ? 1 : delays.length / incidents.length,
		detections: found.length,
		trueDetections,
		incidents: incidents.length,
		found: delays.length,
		delays,
		missed,
	};
}

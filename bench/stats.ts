/** Small statistics shared by the bench modules: medians, spreads over rounds, HDR histograms. */
import * as hdr from 'hdr-histogram-js';

export type Sample = Record<string, number>;
export type Summary = Record<string, {median: number; min: number; max: number; spreadPct: number; n: number}>;

/** Microsecond histogram up to 10 minutes, 3 significant digits. */
export function histogram() {
	return hdr.build({lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3});
}

export type Histogram = ReturnType<typeof histogram>;

export const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Half the range of `xs` around their median, in percent: "±x%" means every round lies within
 * x% of the median (the bench's spread figure; (max−min)/median is twice it).
 */
export const halfRangePct = (xs: number[]) => {
	const m = median(xs);
	return xs.length === 0 || m === 0 ? 0 : ((Math.max(...xs) - Math.min(...xs)) / 2 / m) * 100;
};

/** Median, min, max and (max−min)/median of every key over the rounds' samples. */
export function summarise(samples: Sample[]): Summary {
	const keys = new Set(samples.flatMap(s => Object.keys(s)));
	const out: Summary = {};
	for (const k of keys) {
		const xs = samples.map(s => s[k]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
		if (xs.length === 0) continue;
		const med = median(xs);
		const min = Math.min(...xs);
		const max = Math.max(...xs);
		out[k] = {median: med, min, max, spreadPct: med === 0 ? 0 : ((max - min) / med) * 100, n: xs.length};
	}

	return out;
}

export const fmt = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '—' : x >= 1000 ? x.toFixed(0) : x.toFixed(d));

/** A plain-text table, first row the header, first column left-aligned. */
export function printTable(rows: string[][]): void {
	const widths = rows[0]!.map((_, i) => Math.max(...rows.map(row => row[i]?.length ?? 0)));
	for (const [i, row] of rows.entries()) {
		console.log(row.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '));
		if (i === 0) console.log(widths.map(w => '─'.repeat(w)).join('  '));
	}
}

import {timingSafeEqual} from 'node:crypto';
import {isIP} from 'node:net';
import type {IncomingMessage} from 'node:http';

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
	const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') {
		return true;
	}

	if (isIP(bare) === 4) {
		return bare.startsWith('127.');
	}

	return bare.startsWith('::ffff:127.');
}

export class DashboardAccessError extends Error {
	override readonly name = 'DashboardAccessError';
}

/** Beyond loopback the dashboard needs a token: refused at start without one. */
export function checkBind(host: string, token: string | undefined): void {
	if (!isLoopback(host) && (token === undefined || token === '')) {
		throw new DashboardAccessError(`binding to ${host} (not loopback) needs an access token: pass --token or set MLBRIDGE_DASHBOARD_TOKEN`);
	}
}

/** The token a request carries: `Authorization: Bearer T`, or `?token=T` (EventSource sets no headers). */
export function requestToken(request: IncomingMessage, url: URL): string | undefined {
	const header = request.headers.authorization;
	if (typeof header === 'string' && header.startsWith('Bearer ')) {
		return header.slice('Bearer '.length).trim();
	}

	return url.searchParams.get('token') ?? undefined;
}

/** Constant-time comparison; true when no token is configured. */
export function tokenMatches(expected: string | undefined, given: string | undefined): boolean {
	if (expected === undefined || expected === '') {
		return true;
	}

	if (given === undefined) {
		return false;
	}

	const a = Buffer.from(expected);
	const b = Buffer.from(given);
	return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Without a token the dashboard serves loopback only, and a page from elsewhere must not reach it
 * through a DNS name rebound to 127.0.0.1: the Host header must name loopback too.
 */
export function hostAllowed(hostHeader: string | undefined, token: string | undefined): boolean {
	if (token !== undefined && token !== '') {
		return true;
	}

	if (hostHeader === undefined) {
		return false;
	}

	const hostname = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d+$/, '');
	return isLoopback(hostname);
}

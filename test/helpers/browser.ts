import {existsSync} from 'node:fs';
import puppeteer, {type Browser, type Page} from 'puppeteer-core';

/** Debian's chromium (apt-get install chromium), or CHROMIUM_PATH. Browser downloads are not used. */
export function chromiumPath(): string | undefined {
	const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
	return candidates.find(candidate => candidate !== undefined && candidate !== '' && existsSync(candidate));
}

export async function launchBrowser(): Promise<Browser> {
	const executablePath = chromiumPath();
	if (executablePath === undefined) {
		throw new Error('no chromium: apt-get install chromium, or set CHROMIUM_PATH');
	}

	return puppeteer.launch({
		executablePath,
		headless: true,
		// Root in a container: no user namespaces for the sandbox.
		args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
		defaultViewport: {width: 1280, height: 800},
	});
}

/** The text of `selector`'s first match, or undefined. */
export async function textOf(page: Page, selector: string): Promise<string | undefined> {
	return page.$eval(selector, element => element.textContent ?? '').catch(() => undefined);
}

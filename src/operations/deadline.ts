/** `work`, or the error `error()` makes once `deadline` (epoch ms) passes first. */
export async function withDeadline<T>(work: Promise<T>, deadline: number, error: () => Error): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const expired = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(error()), Math.max(0, deadline - Date.now()));
	});
	try {
		return await Promise.race([work, expired]);
	} finally {
		clearTimeout(timer);
	}
}

import type {Rung} from './systems.js';
export const peerRungs: Rung[] = [];
export async function stopRedis(): Promise<void> {}

import type { Block } from './blocks.js';
import { context, esc } from './blocks.js';

/** The message a button was on, its buttons replaced by a line saying what happened. */
export function settledBlocks(original: unknown, note: string): Block[] {
  const blocks = Array.isArray(original) ? (original as Block[]).filter((b) => b.type !== 'actions') : [];
  return [...blocks, context(esc(note))].slice(-50);
}

// The figures of `npm run test:queue`, gathered by the tests of this project and printed by
// scripts/test-queue.js as its last line. A figure a test did not get to measure stays null ("not measured").
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FIGURES_FILE = path.resolve(__dirname, '..', '..', '.e2e', 'queue-figures.json');

export interface QueueFigures {
	executions: number | null;
	missing: number | null;
	duplicated: number | null;
	waits_resumed: number | null;
	worker_kills: number | null;
	tracking_hits: number | null;
}

export const figures: QueueFigures = {
	executions: null,
	missing: null,
	duplicated: null,
	waits_resumed: null,
	worker_kills: null,
	tracking_hits: null,
};

export function saveFigures(): void {
	fs.mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
	fs.writeFileSync(FIGURES_FILE, JSON.stringify(figures, null, 2));
}

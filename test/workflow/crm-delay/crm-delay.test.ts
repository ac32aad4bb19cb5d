// CRM Delay in real workflows through n8n-core's WorkflowExecute: long waits put the execution into
// waiting and resume on "Due"; non-matching items leave on "Not Matched" without waiting; short waits
// complete in-process; mixed batches let "Not Matched" out before the wait.
import type { IDataObject, INodeExecutionData, INodeParameters, IRun } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { didRun, outputOf, runWorkflow, type WorkflowJson } from '../../harness/workflow';

const DAY = 86_400_000;

function workflow(
	parameters: IDataObject,
	settings: IDataObject = {},
	nodeExtra: IDataObject = {},
): WorkflowJson {
	const node = (name: string, type: string, params: IDataObject = {}, extra: IDataObject = {}) => ({
		id: name,
		name,
		type,
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: params as INodeParameters,
		...extra,
	});
	return {
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger'),
			node('CRM Delay', 'n8n-nodes-crm-mail.crmDelay', parameters, nodeExtra),
			node('Send Offer', 'n8n-nodes-base.noOp'),
			node('Skipped', 'n8n-nodes-base.noOp'),
		],
		connections: {
			Start: { main: [[{ node: 'CRM Delay', type: NodeConnectionTypes.Main, index: 0 }]] },
			'CRM Delay': {
				main: [
					[{ node: 'Send Offer', type: NodeConnectionTypes.Main, index: 0 }],
					[{ node: 'Skipped', type: NodeConnectionTypes.Main, index: 0 }],
				],
			},
		},
		settings,
	} as WorkflowJson;
}

const offerConditions = {
	combine: 'all',
	conditions: {
		conditions: [
			{
				source: 'field',
				field: 'stage',
				type: 'string',
				stringOperator: 'equals',
				compareTo: 'Offer',
			},
			{ source: 'field', field: 'amount', type: 'number', numberOperator: 'gt', compareTo: '0' },
		],
	},
};
const deal = (
	id: number,
	stage: string,
	amount: unknown,
	extra: IDataObject = {},
): INodeExecutionData => ({ json: { id, stage, amount: amount as number, ...extra } });
const ids = (items: INodeExecutionData[]) => items.map((i) => i.json.id);
const result = (item: INodeExecutionData) => item.json.crmDelay as IDataObject;
const fail = (run: IRun) => run.data.resultData.error;

test('a long wait puts the execution into waiting until the due time; the resume continues on "Due" with the items', async () => {
	const wf = workflow({ when: 'afterNow', amount: 2, unit: 'days', ...offerConditions });
	const before = Date.now();
	const first = await runWorkflow(wf, { input: [deal(1, 'Offer', '1500'), deal(2, 'offer', 20)] });
	const after = Date.now();
	expect(first.status).toBe('waiting');
	expect(first.waitTill!.getTime()).toBeGreaterThanOrEqual(before + 2 * DAY);
	expect(first.waitTill!.getTime()).toBeLessThanOrEqual(after + 2 * DAY);
	expect(didRun(first, 'Send Offer')).toBe(false);
	expect(didRun(first, 'Skipped')).toBe(false);

	const resumed = await runWorkflow(wf, { resumeFrom: first.data });
	expect(resumed.status).toBe('success');
	const sent = outputOf(resumed, 'Send Offer');
	expect(ids(sent)).toEqual([1, 2]);
	// The items carry the result computed before the wait: the node put them as its own input on the
	// execution stack, which n8n passes to the first output on resume.
	expect(result(sent[0]).status).toBe('due');
	expect(new Date(result(sent[0]).waitUntil as string).getTime()).toBe(first.waitTill!.getTime());
	expect(result(sent[1]).reason).toContain('all conditions met');
	expect(sent[0].json.stage).toBe('Offer');
	expect(didRun(resumed, 'Skipped')).toBe(false);
});

test('relative to a date field: waits until exactly 2 days after the stage date, in the workflow time zone', async () => {
	const wf = workflow(
		{
			when: 'relative',
			amount: 2,
			unit: 'days',
			direction: 'after',
			dateSource: 'field',
			dateField: 'deal.stageDate',
			...offerConditions,
		},
		{ timezone: 'America/New_York' },
	);
	// No offset in the field: read in the workflow's zone. 2 days after Nov 1 10:00 cross the DST end.
	const first = await runWorkflow(wf, {
		input: [
			{ json: { id: 1, stage: 'Offer', amount: 10, deal: { stageDate: '2030-11-01 10:00' } } },
		],
	});
	expect(first.status).toBe('waiting');
	expect(first.waitTill!.toISOString()).toBe('2030-11-03T15:00:00.000Z');
	const node = outputOf(first, 'CRM Delay')[0];
	expect(result(node)).toMatchObject({
		dueAt: '2030-11-03T10:00:00.000-05:00',
		timezone: 'America/New_York',
	});
});

test('non-matching items leave on "Not Matched" at once, with the failed condition, and never wait', async () => {
	const wf = workflow({ when: 'afterNow', amount: 2, unit: 'days', ...offerConditions });
	const run = await runWorkflow(wf, { input: [deal(1, 'Offer', 0), deal(2, 'Won', 500)] });
	expect(run.status).toBe('success');
	expect(run.waitTill).toBeUndefined();
	const skipped = outputOf(run, 'Skipped');
	expect(ids(skipped)).toEqual([1, 2]);
	expect(result(skipped[0])).toMatchObject({
		status: 'notMatched',
		dueAt: null,
		reason: 'condition not met: amount (0) is greater than "0"',
	});
	expect(result(skipped[1]).reason).toBe('condition not met: stage ("Won") equals "Offer"');
	expect(didRun(run, 'Send Offer')).toBe(false);
});

test('a short wait completes in-process: the item leaves on "Due" in the same execution, not before its time', async () => {
	const wf = workflow({ when: 'afterNow', amount: 0.03, unit: 'minutes', ...offerConditions });
	const run = await runWorkflow(wf, { input: [deal(1, 'Offer', 5)] });
	const finished = Date.now();
	expect(run.status).toBe('success');
	const sent = outputOf(run, 'Send Offer');
	expect(ids(sent)).toEqual([1]);
	expect(finished).toBeGreaterThanOrEqual(new Date(result(sent[0]).dueAt as string).getTime());
});

test('"Immediately" with conditions splits one batch at once', async () => {
	const wf = workflow({ when: 'immediately', ...offerConditions });
	const run = await runWorkflow(wf, {
		input: [deal(1, 'Offer', 5), deal(2, 'Offer', -5), deal(3, 'Offer', '7')],
	});
	expect(run.status).toBe('success');
	expect(ids(outputOf(run, 'Send Offer'))).toEqual([1, 3]);
	expect(ids(outputOf(run, 'Skipped'))).toEqual([2]);
	expect(outputOf(run, 'CRM Delay', 0)[1].pairedItem).toEqual({ item: 2 });
});

const V1 = { executionOrder: 'v1' };

/** Adds a Set node after "Send Offer" that reads the Start item paired with each item: $('Start').item. */
function readsStartAfterSend(wf: WorkflowJson): void {
	wf.nodes.push({
		id: 'Name',
		name: 'Name',
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [0, 0],
		parameters: {
			assignments: {
				assignments: [
					{ id: 'a', name: 'startId', type: 'number', value: "={{ $('Start').item.json.id }}" },
				],
			},
			options: {},
		},
	});
	wf.connections!['Send Offer'] = {
		main: [[{ node: 'Name', type: NodeConnectionTypes.Main, index: 0 }]],
	};
}

test('mixed batch, long wait: "Not Matched" items leave at once, then the execution waits, and on resume only the due items leave on "Due"', async () => {
	const wf = workflow({ when: 'afterNow', amount: 2, unit: 'days', ...offerConditions }, V1);
	readsStartAfterSend(wf);
	const before = Date.now();
	const first = await runWorkflow(wf, {
		input: [deal(1, 'Offer', 5), deal(2, 'Offer', 0), deal(3, 'Offer', 9), deal(4, 'Won', 9)],
	});
	expect(first.status).toBe('waiting');
	expect(first.waitTill!.getTime()).toBeGreaterThanOrEqual(before + 2 * DAY);
	const skipped = outputOf(first, 'Skipped');
	expect(ids(skipped)).toEqual([2, 4]);
	expect(result(skipped[0]).reason).toBe('condition not met: amount (0) is greater than "0"');
	expect(outputOf(first, 'CRM Delay', 1).map((i) => i.pairedItem)).toEqual([
		{ item: 1 },
		{ item: 3 },
	]);
	expect(didRun(first, 'Send Offer')).toBe(false);

	const resumed = await runWorkflow(wf, { resumeFrom: first.data });
	expect(resumed.status).toBe('success');
	const sent = outputOf(resumed, 'Send Offer');
	expect(ids(sent)).toEqual([1, 3]);
	expect(sent.map((i) => result(i).status)).toEqual(['due', 'due']);
	// Paired items still lead each due item back to its own record.
	expect(outputOf(resumed, 'Name').map((i) => i.json.startId)).toEqual([1, 3]);
	// "Skipped" ran once, before the wait; not again after it.
	expect(resumed.data.resultData.runData.Skipped).toHaveLength(1);
	expect(ids(outputOf(resumed, 'Skipped'))).toEqual([2, 4]);
});

test('mixed batch, short wait: the "Not Matched" branch runs before the wait, "Due" not before its time, and $("Start").item still resolves', async () => {
	const wf = workflow({ when: 'afterNow', amount: 0.03, unit: 'minutes', ...offerConditions }, V1);
	readsStartAfterSend(wf);
	const run = await runWorkflow(wf, { input: [deal(1, 'Won', 5), deal(2, 'Offer', 5)] });
	expect(run.status).toBe('success');
	const runData = run.data.resultData.runData;
	const sent = outputOf(run, 'Send Offer');
	expect(ids(sent)).toEqual([2]);
	const dueAt = new Date(result(sent[0]).dueAt as string).getTime();
	expect(ids(outputOf(run, 'Skipped'))).toEqual([1]);
	expect(runData.Skipped[0].startTime).toBeLessThan(dueAt);
	expect(runData['Send Offer'][0].startTime).toBeGreaterThanOrEqual(dueAt);
	expect(outputOf(run, 'Name')[0].json.startId).toBe(2);
});

test('mixed batch in a workflow on the legacy execution order: stops with an error that says how to fix it, nothing leaves', async () => {
	const wf = workflow(
		{ when: 'afterNow', amount: 2, unit: 'days', ...offerConditions },
		{ executionOrder: 'v0' },
	);
	const run = await runWorkflow(wf, { input: [deal(1, 'Offer', 5), deal(2, 'Offer', 0)] });
	expect(run.status).toBe('error');
	expect(fail(run)?.message).toContain('1 of 2 items do not meet the conditions');
	expect((fail(run) as { description?: string }).description).toContain(
		'Execution Order to "v1 (recommended)"',
	);
	expect(run.waitTill).toBeUndefined();
	expect(didRun(run, 'Send Offer')).toBe(false);
	expect(didRun(run, 'Skipped')).toBe(false);
});

test('items due at different times, "Wait for the Latest": one wait until the latest, all leave together on resume', async () => {
	const wf = workflow(
		{ when: 'atDate', dateSource: 'field', dateField: 'at' },
		{ timezone: 'Europe/Moscow' },
	);
	const first = await runWorkflow(wf, {
		input: [
			{ json: { id: 1, at: '2030-01-10T09:00:00+03:00' } },
			{ json: { id: 2, at: '2030-01-12T09:00:00+03:00' } },
		],
	});
	expect(first.status).toBe('waiting');
	expect(first.waitTill!.toISOString()).toBe('2030-01-12T06:00:00.000Z');
	const resumed = await runWorkflow(wf, { resumeFrom: first.data });
	const sent = outputOf(resumed, 'Send Offer');
	expect(ids(sent)).toEqual([1, 2]);
	expect(result(sent[0])).toMatchObject({
		dueAt: '2030-01-10T09:00:00.000+03:00',
		waitUntil: '2030-01-12T09:00:00.000+03:00',
	});
});

test('items due at different times, "Stop With an Error"', async () => {
	const wf = workflow({
		when: 'atDate',
		dateSource: 'field',
		dateField: 'at',
		options: { differentTimes: 'error' },
	});
	const run = await runWorkflow(wf, {
		input: [
			{ json: { id: 1, at: '2030-01-10T09:00:00Z' } },
			{ json: { id: 2, at: '2030-01-12T09:00:00Z' } },
		],
	});
	expect(run.status).toBe('error');
	expect(fail(run)?.message).toContain('due at 2 different times');
	expect(didRun(run, 'Send Offer')).toBe(false);
});

test('a past date: "Run Now" leaves on Due at once, "Treat as Too Late" on Not Matched', async () => {
	const params = {
		when: 'relative',
		amount: 2,
		unit: 'days',
		direction: 'after',
		dateSource: 'value',
		dateValue: '={{ $json.stageDate }}',
	};
	const input = [{ json: { id: 1, stageDate: '2020-01-01T10:00:00Z' } }];
	const now = await runWorkflow(workflow(params), { input });
	expect(ids(outputOf(now, 'Send Offer'))).toEqual([1]);
	const late = await runWorkflow(workflow({ ...params, ifPast: 'tooLate' }, { timezone: 'UTC' }), {
		input,
	});
	expect(late.status).toBe('success');
	expect(result(outputOf(late, 'Skipped')[0])).toMatchObject({
		status: 'tooLate',
		dueAt: '2020-01-03T10:00:00.000Z',
	});
	expect(didRun(late, 'Send Offer')).toBe(false);
});

test('a value of the wrong type stops the run with a clear error, or with Continue On Fail goes to Not Matched', async () => {
	const input = [deal(1, 'Offer', 'lots'), deal(2, 'Won', 5)];
	const run = await runWorkflow(workflow({ when: 'immediately', ...offerConditions }), { input });
	expect(run.status).toBe('error');
	expect(fail(run)?.message).toBe('Item 1: "amount" has the value "lots", which is not a number');
	const tolerant = await runWorkflow(
		workflow({ when: 'immediately', ...offerConditions }, {}, { continueOnFail: true }),
		{ input },
	);
	expect(tolerant.status).toBe('success');
	const skipped = outputOf(tolerant, 'Skipped');
	expect(skipped.map((i) => i.json.error)).toEqual([
		'"amount" has the value "lots", which is not a number',
		undefined,
	]);
});

describe('mixed batch whose execution is saved between the two runs (a Wait on "Not Matched", a restart)', () => {
	/** Not Matched -> Wait (2 minutes, so n8n saves the execution as waiting) -> Skipped. */
	function withWaitOnNotMatched(parameters: IDataObject): WorkflowJson {
		const wf = workflow(parameters, V1);
		readsStartAfterSend(wf);
		wf.nodes.push({
			id: 'Wait',
			name: 'Wait',
			type: 'n8n-nodes-base.wait',
			typeVersion: 1.1,
			position: [0, 0],
			parameters: { resume: 'timeInterval', amount: 2, unit: 'minutes' },
		} as never);
		wf.connections!['CRM Delay'].main[1] = [
			{ node: 'Wait', type: NodeConnectionTypes.Main, index: 0 },
		];
		wf.connections!.Wait = {
			main: [[{ node: 'Skipped', type: NodeConnectionTypes.Main, index: 0 }]],
		};
		return wf;
	}
	const t0 = new Date('2030-03-01T10:00:00Z').getTime();
	beforeEach(() => {
		// only the clock is fake: the engine's own timers run as usual
		jest.useFakeTimers({
			doNotFake: [
				'nextTick',
				'setImmediate',
				'setTimeout',
				'setInterval',
				'clearTimeout',
				'clearInterval',
				'clearImmediate',
				'queueMicrotask',
				'hrtime',
				'performance',
			],
		});
		jest.setSystemTime(t0);
	});
	afterEach(() => jest.useRealTimers());

	async function waitedPastTheDueTime(parameters: IDataObject) {
		const wf = withWaitOnNotMatched(parameters);
		const first = await runWorkflow(wf, {
			input: [deal(1, 'Offer', 5), deal(2, 'Won', 5), deal(3, 'Offer', 7)],
		});
		expect(first.status).toBe('waiting'); // in the Wait node of the "Not Matched" branch
		expect(didRun(first, 'Skipped')).toBe(false);
		jest.setSystemTime(t0 + 5 * 60000); // the Wait ends after the due time (3 minutes)
		const resumed = await runWorkflow(wf, { resumeFrom: first.data }); // from the database: nothing of the first run's objects
		return { first, resumed };
	}

	it('"after N minutes": the held run waits until the time planned first, not N minutes again', async () => {
		const { resumed } = await waitedPastTheDueTime({
			when: 'afterNow',
			amount: 3,
			unit: 'minutes',
			...offerConditions,
		});
		expect(resumed.status).toBe('success'); // the due time has passed: no new wait
		const sent = outputOf(resumed, 'Send Offer');
		expect(ids(sent)).toEqual([1, 3]);
		expect(
			sent.map((i) => [result(i).status, new Date(result(i).waitUntil as string).toISOString()]),
		).toEqual([
			['due', '2030-03-01T10:03:00.000Z'],
			['due', '2030-03-01T10:03:00.000Z'],
		]);
		expect(sent.map((i) => Object.keys(i.json))).not.toContainEqual(
			expect.arrayContaining(['__crmDelayHeld']),
		);
		expect(outputOf(resumed, 'Name').map((i) => i.json.startId)).toEqual([1, 3]);
		expect(ids(outputOf(resumed, 'Skipped'))).toEqual([2]);
		expect(resumed.data.resultData.runData['Send Offer']).toHaveLength(1);
	});

	it('"Treat as Too Late": items that were due when the batch came leave on "Due", not as too late', async () => {
		const { resumed } = await waitedPastTheDueTime({
			when: 'atDate',
			dateSource: 'value',
			dateValue: '2030-03-01T10:03:00Z',
			ifPast: 'tooLate',
			...offerConditions,
		});
		expect(resumed.status).toBe('success');
		expect(ids(outputOf(resumed, 'Send Offer'))).toEqual([1, 3]);
		expect(outputOf(resumed, 'Skipped').map((i) => [i.json.id, result(i).status])).toEqual([
			[2, 'notMatched'],
		]);
	});

	it('a held run still before its time waits, as a saved execution, until the time planned first', async () => {
		const wf = withWaitOnNotMatched({
			when: 'afterNow',
			amount: 2,
			unit: 'days',
			...offerConditions,
		});
		const first = await runWorkflow(wf, { input: [deal(1, 'Offer', 5), deal(2, 'Won', 5)] });
		jest.setSystemTime(t0 + 10 * 60000);
		const held = await runWorkflow(wf, { resumeFrom: first.data });
		expect(held.status).toBe('waiting');
		expect(held.waitTill!.toISOString()).toBe('2030-03-03T10:00:00.000Z');
		expect(didRun(held, 'Send Offer')).toBe(false);
		jest.setSystemTime(t0 + 2 * DAY);
		const done = await runWorkflow(wf, { resumeFrom: held.data });
		expect(ids(outputOf(done, 'Send Offer'))).toEqual([1]);
		expect(outputOf(done, 'Name').map((i) => i.json.startId)).toEqual([1]);
		expect(done.data.resultData.runData.Skipped).toHaveLength(1);
	});
});

test('on the opt-in "engine v2" (no waiting executions, no execution stack) long waits and mixed batches stop with a clear error', async () => {
	const v2 = { executionOrder: 'v1', engineType: 'v2' };
	const long = await runWorkflow(workflow({ when: 'afterNow', amount: 2, unit: 'days' }, v2), {
		input: [deal(1, 'Offer', 5)],
	});
	expect(long.status).toBe('error');
	expect(fail(long)?.message).toMatch(/cannot wait longer than a minute on this execution engine/);
	expect(didRun(long, 'Send Offer')).toBe(false);
	const mixed = await runWorkflow(
		workflow({ when: 'afterNow', amount: 2, unit: 'days', ...offerConditions }, v2),
		{ input: [deal(1, 'Offer', 5), deal(2, 'Won', 5)] },
	);
	expect(mixed.status).toBe('error');
	expect(fail(mixed)?.message).toMatch(/engine v2/);
	expect(didRun(mixed, 'Skipped')).toBe(false);
	const short = await runWorkflow(
		workflow({ when: 'afterNow', amount: 0.01, unit: 'minutes' }, v2),
		{ input: [deal(1, 'Offer', 5)] },
	);
	expect(ids(outputOf(short, 'Send Offer'))).toEqual([1]);
});

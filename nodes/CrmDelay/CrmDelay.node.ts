import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { DateTime } from 'luxon';
import { assertZone, ValueTypeError } from './dates';
import { properties } from './description';
import { decideBatch, IN_PROCESS_LIMIT_MS, type Item, type Planned, planItem } from './plan';

export class CrmDelay implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CRM Delay',
		name: 'crmDelay',
		icon: { light: 'file:crmDelay.svg', dark: 'file:crmDelay.dark.svg' },
		group: ['organization'],
		version: 1,
		subtitle: '={{ {"immediately":"Immediately","afterNow":"After " + $parameter["amount"] + " " + $parameter["unit"],"relative":$parameter["amount"] + " " + $parameter["unit"] + " " + $parameter["direction"] + " a date","atDate":"At a date"}[$parameter["when"]] }}',
		description: 'Let items continue now, after a delay, before / after a date field, or at a date, if conditions on their fields hold',
		defaults: { name: 'CRM Delay' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Due', 'Not Matched'],
		waitingNodeTooltip: '={{ "Waiting until " + $json.crmDelay?.waitUntil }}',
		usableAsTool: true,
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const now = DateTime.now();
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const outputField = ((options.outputField as string) || 'crmDelay').trim();
		let zone: string;
		try {
			zone = assertZone(((options.timezone as string) || this.getTimezone()).trim());
		} catch (error) {
			throw new NodeOperationError(this.getNode(), (error as Error).message, {
				description: 'Set Options > Time Zone to an IANA name such as Europe/Moscow, or leave it empty for the workflow time zone',
			});
		}

		const planned: Planned[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const read = (name: string, fallback?: unknown) => this.getNodeParameter(name, i, fallback as never) as unknown;
				planned.push(planItem(items[i] as Item, i, read, { now, zone, outputField }));
			} catch (error) {
				const description = error instanceof ValueTypeError ? error.hint : undefined;
				if (this.continueOnFail()) {
					planned.push({
						status: 'error' as const,
						item: { json: { ...items[i].json, error: (error as Error).message }, binary: items[i].binary, pairedItem: i },
					});
					continue;
				}
				throw new NodeOperationError(this.getNode(), error as Error, {
					itemIndex: i,
					message: `Item ${i + 1}: ${(error as Error).message}`,
					description: description ?? 'Check the field and the condition settings of CRM Delay',
				});
			}
		}

		const decision = decideBatch(planned, now, options.differentTimes === 'error' ? 'error' : 'latest', outputField);
		if (decision.error) {
			throw new NodeOperationError(this.getNode(), decision.error.message, { description: decision.error.description });
		}
		const due = decision.due as INodeExecutionData[];
		const notMatched = decision.notMatched as INodeExecutionData[];
		const { waitUntil } = decision;
		if (!waitUntil) return [due, notMatched];

		const waitMs = waitUntil.toMillis() - Date.now();
		if (waitMs < IN_PROCESS_LIMIT_MS) {
			// Short waits stay in this process, as n8n's Wait node does: a waiting execution is only
			// picked up by n8n's wait tracker about once a minute.
			return await new Promise((resolve) => {
				const timer = setTimeout(() => resolve([due, notMatched]), Math.max(waitMs, 0));
				this.onExecutionCancellation(() => {
					clearTimeout(timer);
					resolve([[], []]);
				});
			});
		}
		// Long wait. On resume n8n does NOT run this node again: it passes the node's input (the data of
		// its execution-stack entry, which is saved with the waiting execution) to the FIRST output
		// (n8n-core 2.8.1 workflow-execute.js handleWaitingState + handleDisabledNode). So the entry's
		// input is replaced by exactly the due items, with their crmDelay field: only they leave on "Due"
		// after the wait. decideBatch guarantees that no item is "Not Matched" in a batch that waits,
		// because a waiting execution cannot send anything on any output before the wait, nor on the
		// second output after it.
		this.getExecuteData().data.main[0] = due;
		await this.putExecutionToWait(waitUntil.toJSDate());
		return [due, []];
	}
}

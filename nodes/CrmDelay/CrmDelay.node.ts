import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import * as delay from './actions/item/delay.operation';
import { router } from './actions/router';

export class CrmDelay implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CRM Delay',
		name: 'crmDelay',
		icon: { light: 'file:crmDelay.svg', dark: 'file:crmDelay.dark.svg' },
		group: ['organization'],
		version: 1,
		subtitle:
			'={{ {"immediately":"Immediately","afterNow":"After " + $parameter["amount"] + " " + $parameter["unit"],"relative":$parameter["amount"] + " " + $parameter["unit"] + " " + $parameter["direction"] + " a date","atDate":"At a date"}[$parameter["when"]] }}',
		description:
			'Let items continue now, after a delay, before / after a date field, or at a date, if conditions on their fields hold',
		defaults: { name: 'CRM Delay' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Due', 'Not Matched'],
		waitingNodeTooltip: '={{ "Waiting until " + $json.crmDelay?.waitUntil }}',
		properties: delay.description,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}

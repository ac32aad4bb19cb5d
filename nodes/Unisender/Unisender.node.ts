import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { router } from './actions/router';
import { properties } from './actions/versionDescription';
import { getLists } from './methods/loadOptions';

export class Unisender implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Unisender',
		name: 'unisender',
		icon: { light: 'file:unisender.svg', dark: 'file:unisender.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Add contacts to Unisender lists, import, exclude or unsubscribe them, and manage lists',
		defaults: { name: 'Unisender' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'unisenderApi', required: true }],
		properties,
	};

	methods = {
		loadOptions: { getLists },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}

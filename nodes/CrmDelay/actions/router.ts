// CRM Delay has one operation (no resource or operation field): every run is a delay.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import * as delay from './item/delay.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await delay.execute.call(this);
}

// The fields of the Suppression List and Campaign resources of Send Templated Email.
import type { INodeProperties } from 'n8n-workflow';
import * as report from '../campaign/report.operation';
import * as add from './add.operation';
import * as check from './check.operation';
import { CAMPAIGN, SUPPRESSION, tablePrefixOption } from './fields';
import * as remove from './remove.operation';

export const campaignResourceProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [SUPPRESSION] } },
		default: 'check',
		options: [
			{
				name: 'Add',
				value: 'add',
				action: 'Add an address to the suppression list',
				description: 'Put addresses on the list: no campaign email goes to them any more',
			},
			{
				name: 'Check',
				value: 'check',
				action: 'Check an address against the suppression list',
				description: 'Whether addresses are on the list, and why',
			},
			{
				name: 'Remove',
				value: 'remove',
				action: 'Remove an address from the suppression list',
				description: 'Take addresses off the list',
			},
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [CAMPAIGN] } },
		default: 'report',
		options: [
			{
				name: 'Report',
				value: 'report',
				action: 'Report on campaigns',
				description:
					'Sent, delivered, unique opens, clicks per link, unsubscribes, bounces, complaints and rates per campaign',
			},
		],
	},
	...add.description,
	...check.description,
	...remove.description,
	...report.description,
	tablePrefixOption([SUPPRESSION, CAMPAIGN]),
];

// One rule for a date-time without an offset, in every node: it is wall-clock time in the workflow's time zone
// (Workflow Settings → Timezone), unless the node's own Time Zone option says otherwise.
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { outputOf, runWorkflow, type WorkflowJson } from '../../harness/workflow';

const LOCAL = '2030-01-10 09:00';

function workflow(timezone: string, nodeZone = ''): WorkflowJson {
	const node = (name: string, type: string, parameters: IDataObject, extra: IDataObject = {}) => ({
		id: name,
		name,
		type,
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: parameters as INodeParameters,
		...extra,
	});
	const zone = nodeZone ? { timeZone: nodeZone } : {};
	return {
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', {}),
			node(
				'Preview',
				'n8n-nodes-crm-mail.templatedEmail',
				{
					mode: 'preview',
					to: 'client@client.local',
					subject: '{{formatDate at "yyyy-MM-dd\'T\'HH:mmZZ" tz="UTC"}}',
					html: '<p>{{formatDate at "HH:mm"}}</p>',
					options: zone,
				},
				{ credentials: { crmMailSmtp: { id: 'smtp', name: 'smtp' } } },
			),
			node('CRM Delay', 'n8n-nodes-crm-mail.crmDelay', {
				when: 'atDate',
				dateSource: 'field',
				dateField: 'at',
				options: nodeZone ? { timezone: nodeZone } : {},
			}),
		],
		connections: {
			Start: {
				main: [
					[
						{ node: 'Preview', type: NodeConnectionTypes.Main, index: 0 },
						{ node: 'CRM Delay', type: NodeConnectionTypes.Main, index: 0 },
					],
				],
			},
		},
		settings: { timezone },
	} as WorkflowJson;
}

it.each([
	['Europe/Moscow', '', '2030-01-10T06:00+00:00'],
	['Asia/Vladivostok', '', '2030-01-09T23:00+00:00'],
	['UTC', 'America/New_York', '2030-01-10T14:00+00:00'],
])(
	'"%s" workflow, node zone "%s": Send Templated Email and CRM Delay read "2030-01-10 09:00" as %s',
	async (timezone, nodeZone, instant) => {
		const run = await runWorkflow(workflow(timezone, nodeZone), {
			input: [{ json: { at: LOCAL } }],
			// preview sends nothing; the account gives the default sender
			credentials: {
				crmMailSmtp: { host: '127.0.0.1', port: 9, senderAddress: 'sales@crm.local' },
			},
		});
		expect(run.data.resultData.error?.message).toBeUndefined();
		const [preview] = outputOf(run, 'Preview');
		expect(preview.json.subject).toBe(instant);
		expect(preview.json.html).toContain('<p>09:00</p>');
		expect(run.status).toBe('waiting');
		expect(run.waitTill!.toISOString()).toBe(`${instant.slice(0, 16)}:00.000Z`);
	},
);

// When the editor shows (and n8n lets the node read) the CRM Mail Data Tables API credential of Send
// Templated Email: for the Suppression List and Campaign resources, and for emails only in Send mode with
// "Send as Campaign" on. n8n reads the first credential entry of a name, so one entry must say all of it.
import { NodeHelpers, type INodeParameters } from 'n8n-workflow';
import { TemplatedEmail } from '../../../nodes/TemplatedEmail/TemplatedEmail.node';

const description = new TemplatedEmail().description;
const entry = description.credentials!.find((c) => c.name === 'crmMailN8nApi')!;

/** As n8n resolves a node's parameters (defaults filled, hidden ones dropped), then shows a credential. */
function shown(parameters: INodeParameters): boolean {
	const node = { typeVersion: 1 };
	const resolved = NodeHelpers.getNodeParameters(
		description.properties,
		parameters,
		true,
		false,
		node,
		description,
	)!;
	return NodeHelpers.displayParameter(resolved, entry, node, description);
}

test('one entry of the credential', () => {
	expect(description.credentials!.filter((c) => c.name === 'crmMailN8nApi')).toHaveLength(1);
});

test('shown for the Suppression List and Campaign resources', () => {
	expect(shown({ resource: 'suppressionList', operation: 'check' })).toBe(true);
	expect(shown({ resource: 'campaign', operation: 'report' })).toBe(true);
});

test('an email shows it only in Send mode with Send as Campaign on; existing workflows do not ask for it', () => {
	expect(shown({})).toBe(false);
	expect(shown({ resource: 'email', mode: 'send' })).toBe(false);
	expect(shown({ mode: 'send', sendAsCampaign: true, campaign: 'spring' })).toBe(true);
	expect(shown({ mode: 'test', sendAsCampaign: true })).toBe(false);
	expect(shown({ mode: 'preview', sendAsCampaign: true })).toBe(false);
});

test('the campaign fields appear with the switch, in Send mode only', () => {
	const visible = (parameters: INodeParameters) =>
		Object.keys(
			NodeHelpers.getNodeParameters(
				description.properties,
				parameters,
				true,
				false,
				{ typeVersion: 1 },
				description,
			)!,
		);
	expect(visible({ mode: 'send' })).toContain('sendAsCampaign');
	expect(visible({ mode: 'send' })).not.toContain('campaign');
	expect(visible({ mode: 'send', sendAsCampaign: true })).toEqual(
		expect.arrayContaining(['campaign', 'campaignOptions']),
	);
	expect(visible({ mode: 'test' })).not.toContain('sendAsCampaign');
});

// Every "Docs" link of a node or credential leads to a section of the README, which npm shows on the package's
// page: the link's anchor is a README heading (GitHub-style slug, as npm renders it).
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const slug = (heading: string) =>
	heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s-]/gu, '')
		.replace(/\s/g, '-');

test('node and credential documentation links point at README sections on the npm page', () => {
	const anchors = new Set(
		fs
			.readFileSync(path.join(root, 'README.md'), 'utf8')
			.split('\n')
			.filter((l) => /^#{1,4} /.test(l))
			.map((l) => slug(l.replace(/^#+ /, ''))),
	);
	const files = [
		...fs.readdirSync(path.join(root, 'nodes')).flatMap((d) => {
			const dir = path.join(root, 'nodes', d);
			return fs.statSync(dir).isDirectory()
				? fs
						.readdirSync(dir)
						.filter((f) => f.endsWith('.node.json'))
						.map((f) => path.join(dir, f))
				: [];
		}),
		...fs
			.readdirSync(path.join(root, 'credentials'))
			.filter((f) => f.endsWith('.ts'))
			.map((f) => path.join(root, 'credentials', f)),
	];
	const links = files.flatMap((f) =>
		[...fs.readFileSync(f, 'utf8').matchAll(/https?:\/\/[^"'\s]+/g)].map((m) => ({
			file: path.relative(root, f),
			url: m[0],
		})),
	);
	const docs = links.filter((l) => l.url.includes('n8n-nodes-crm-mail'));
	expect(docs.length).toBeGreaterThanOrEqual(files.length);
	for (const { file, url } of docs) {
		expect({ file, url: url.split('#')[0] }).toEqual({
			file,
			url: 'https://www.npmjs.com/package/n8n-nodes-crm-mail',
		});
		expect({ file, anchor: url.split('#')[1], exists: anchors.has(url.split('#')[1]) }).toEqual({
			file,
			anchor: url.split('#')[1],
			exists: true,
		});
	}
});

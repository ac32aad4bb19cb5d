// A real n8n for a benchmark: this package bundled (`gulp build`: the esbuild step of `npm run build`, without the
// project-wide type check, which lint/CI do and which other work in progress must not be able to break here),
// packed and installed as a community node into a fresh user folder, the pinned n8n started on a free port, an
// owner and a public API key.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { freePort } from './n8n-load';

// Loaded at run time from the repository (not bundled): they locate the repository from their own path.
const ROOT = process.env.CRM_MAIL_ROOT ?? path.resolve(__dirname, '..', '..');
const rt = require(path.join(ROOT, 'scripts', 'lib', 'n8n-runtime.js'));
const rest = require(path.join(ROOT, 'scripts', 'lib', 'n8n-rest.js'));

export interface BenchN8n {
	baseUrl: string;
	/** The owner's REST session (imports of credentials and workflows). */
	session: unknown;
	apiKey: string;
	version: string;
	/** n8n's own log (stdout and stderr). */
	logFile: string;
	stop(): Promise<void>;
}

/** Starts n8n with this package in `work`/n8n. Call `stop` in a finally, also when this throws part-way. */
export async function startBenchN8n(
	work: string,
	log: (m: string) => void,
	onStop: (stop: () => Promise<void>) => void,
): Promise<BenchN8n> {
	log('bundling the package (gulp build) and packing it...');
	execFileSync(path.join(rt.REPO, 'node_modules', '.bin', 'gulp'), ['build'], {
		cwd: rt.REPO,
		stdio: 'ignore',
	});
	const tarball = await rt.buildAndPack({ destDir: work, build: false });
	const userFolder = path.join(work, 'n8n');
	await rt.installPackageAsCommunityNode({ userFolder, tarball });
	const runtime = await rt.ensureN8n({ log });
	const port = await freePort();
	log(`starting n8n ${runtime.version} on port ${port}...`);
	let stop: () => Promise<void> = async () => undefined;
	const n8n = await rt.startN8n({
		userFolder,
		port,
		runtime,
		log: () => {},
		listenAddress: '127.0.0.1',
		env: { N8N_LOG_LEVEL: 'warn' },
		onSpawn: (s: () => Promise<void>) => onStop((stop = s)),
	});
	const owner = {
		email: 'bench@crm.local',
		password: `Bench-${randomBytes(6).toString('hex')}-A1`,
	};
	const { session } = await rest.setupOwner(n8n.baseUrl, owner);
	const { apiKey } = await rest.createApiKey(session, 'bench');
	return {
		baseUrl: n8n.baseUrl,
		session,
		apiKey,
		version: runtime.version,
		logFile: n8n.logFile,
		stop: () => stop(),
	};
}

'use strict';
// n8n in queue mode on one machine, the topology n8n documents for scaling: a private PostgreSQL (n8n's
// database) and Redis (the Bull queue and pub/sub), one main process (editor, REST API, triggers and pollers),
// workers (`n8n worker`: run every execution from the queue) and a webhook processor (`n8n webhook`: serves
// production webhooks and puts their executions on the queue). All processes share one user folder, so they
// share the encryption key and the community packages in `<userFolder>/.n8n/nodes`, which every process type
// loads at start-up.
const fs = require('node:fs');
const path = require('node:path');
const { startPostgres } = require('./postgres');
const { startRedis } = require('./redis');
const rt = require('./n8n-runtime');
const versions = require('./n8n-versions');

/** One n8n process of the cluster that can be stopped, killed (kill -9) and started again. */
class ClusterProcess {
	constructor(name, options) {
		this.name = name;
		this.options = options;
		this.handle = null;
	}
	get pid() {
		return this.handle?.process.pid;
	}
	get logFile() {
		return path.join(this.options.userFolder, '.n8n', this.options.logName);
	}
	get running() {
		return Boolean(this.handle);
	}
	async start() {
		this.handle = await rt.startN8n(this.options);
		return this;
	}
	/** SIGTERM: n8n finishes (a worker: waits for its running executions) and exits. */
	async stop() {
		await this.handle?.stop();
		this.handle = null;
	}
	/** SIGKILL to the process and its task runner: a crashed server. */
	async kill() {
		if (!this.handle) return;
		try {
			process.kill(-this.handle.process.pid, 'SIGKILL');
		} catch {
			// already gone
		}
		await this.handle.stop();
		this.handle = null;
	}
}

/**
 * Starts PostgreSQL, Redis, the main process, `workers` workers and one webhook processor on loopback.
 * `userFolder` holds everything (postgres/, redis/, .n8n/ with the installed package and one log per process).
 * `keepData`: reuse the database of an earlier run (npm start); else everything starts empty.
 * onStart(stopAll) is called at once; onSpawn(name, pid) for each process started.
 * Returns { main, workers, webhook, processes, baseUrl, webhookUrl, env, stop() }.
 */
async function startQueueCluster({
	userFolder,
	runtime,
	port = 5678,
	webhookPort,
	workers = 2,
	env = {},
	keepData = false,
	log = () => {},
	onSpawn,
	onStart,
}) {
	const rtm = runtime || (await versions.ensureN8n({ log }));
	const stoppers = [];
	const stopAll = async () => {
		for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => undefined);
	};
	// a caller interrupted during start-up (Ctrl-C) stops what has started so far
	onStart?.(stopAll);
	try {
		const pg = await startPostgres({
			dir: path.join(userFolder, 'postgres'),
			keep: keepData,
			log,
		});
		stoppers.push(() => pg.stop());
		onSpawn?.('PostgreSQL', pg.pid);
		const redis = await startRedis({ dir: path.join(userFolder, 'redis'), log });
		stoppers.push(() => redis.stop());
		onSpawn?.('Redis', redis.pid);

		const hookPort = webhookPort || (await rt.freePort());
		const webhookUrl = `http://localhost:${hookPort}`;
		const shared = {
			...versions.versionEnv(rtm, { baseUrl: webhookUrl }),
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: pg.database,
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			// one key for every process: each decrypts the credentials the others saved
			N8N_ENCRYPTION_KEY: rt.encryptionKeyFor(userFolder),
			// the editor's "Execute workflow" runs on the workers too (n8n 3 does only this)
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			// production webhooks only on the webhook processor, as behind a load balancer
			N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
			...env,
		};
		const processes = [];
		const define = async (name, command, processPort) => {
			const p = new ClusterProcess(name, {
				userFolder,
				port: processPort,
				runtime: rtm,
				log,
				listenAddress: '127.0.0.1',
				command,
				logName: `n8n-${name}.log`,
				env: {
					...shared,
					N8N_RUNNERS_BROKER_PORT: String(await rt.freePort()),
					// each process writes its own event log next to the others
					N8N_EVENTBUS_LOGWRITER_LOGBASENAME: `n8nEventLog-${name}`,
				},
				onSpawn: (stop, child) => {
					stoppers.push(() => p.stop());
					onSpawn?.(`n8n ${name}`, child.pid);
				},
			});
			processes.push(p);
			return p;
		};
		const main = await define('main', 'start', port);
		const workerList = [];
		for (let i = 1; i <= workers; i++)
			workerList.push(await define(`worker-${i}`, 'worker', await rt.freePort()));
		const webhook = await define('webhook', 'webhook', hookPort);
		// main first: it migrates the database the others open
		log(`Starting n8n ${rtm.version} main (editor and triggers) on port ${port}...`);
		await main.start();
		log(`Starting ${workers} workers and a webhook processor on port ${hookPort}...`);
		await Promise.all([...workerList, webhook].map((p) => p.start()));
		return {
			main,
			workers: workerList,
			webhook,
			processes,
			postgres: pg,
			redis,
			runtime: rtm,
			baseUrl: main.handle.baseUrl,
			webhookUrl,
			env: shared,
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

/** Execution ids a worker's log says it `started` (or `finished`), once per line. */
function executionsLogged(proc, what = 'started') {
	let text = '';
	try {
		text = fs.readFileSync(proc.logFile, 'utf8');
	} catch {
		return [];
	}
	return [...text.matchAll(new RegExp(`Worker ${what} execution (\\d+)`, 'g'))].map((m) => m[1]);
}

/** The executions a worker started: `Worker started execution <id>` in its log. */
const executionsStartedBy = (proc) => executionsLogged(proc, 'started');

/** The executions a worker is running now: started and not finished since its last start. */
function executionsRunningOn(proc) {
	let text = '';
	try {
		text = fs.readFileSync(proc.logFile, 'utf8');
	} catch {
		return [];
	}
	const running = new Set();
	for (const m of text.matchAll(
		/Worker (started|finished) execution (\d+)|n8n worker is now ready/g,
	)) {
		if (!m[1]) running.clear();
		else if (m[1] === 'started') running.add(m[2]);
		else running.delete(m[2]);
	}
	return [...running];
}

module.exports = { startQueueCluster, executionsStartedBy, executionsRunningOn, ClusterProcess };

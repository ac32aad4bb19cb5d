// What can be observed about an n8n queue-mode cluster from outside: which process ran an execution (each
// worker logs "Worker started execution <id>"), which process holds the TCP connections to a server (from
// /proc: the sockets of each process group against the kernel's connection table), and what the executions of
// a mail trigger workflow received, crashed ones included.
import * as fs from 'node:fs';
import type { ExecutionSummary } from '../e2e/imap-flow';
import type { ClusterProcess, QueueCluster } from '../e2e/harness';

const queueLib = require('../../scripts/lib/queue-cluster');

/** The workers whose log says they started this execution (a resumed wait is started again). */
export function workersThatRan(cluster: QueueCluster, executionId: string): string[] {
	return cluster.workers
		.filter((w) => queueLib.executionsStartedBy(w).includes(String(executionId)))
		.map((w) => w.name);
}

/** The workers that started this execution, once per start (a worker started again appends to its log). */
export function startsOf(cluster: QueueCluster, executionId: string): string[] {
	return cluster.workers.flatMap((w) =>
		(queueLib.executionsStartedBy(w) as string[])
			.filter((id) => id === String(executionId))
			.map(() => w.name),
	);
}

/** Every execution id any worker started, with the workers that started it. */
export function executionsOnWorkers(cluster: QueueCluster): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const w of cluster.workers)
		for (const id of queueLib.executionsStartedBy(w) as string[])
			out.set(id, [...(out.get(id) ?? []), w.name]);
	return out;
}

/** Process ids of each cluster process's group (n8n and the task runners it spawned). */
function groups(processes: ClusterProcess[]): Map<number, string> {
	const leaders = new Map(processes.filter((p) => p.pid).map((p) => [p.pid!, p.name]));
	const members = new Map<number, string>();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			// pid (comm) state ppid pgrp ...: comm may hold spaces, so read after the last ")"
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
			const name = leaders.get(pgrp);
			if (name) members.set(Number(entry), name);
		} catch {
			// the process ended meanwhile
		}
	}
	return members;
}

/** Established TCP connections to `port` on this machine, counted per cluster process that holds them. */
export function connectionsTo(cluster: QueueCluster, port: number): Record<string, number> {
	const inodes = new Set<string>();
	for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text = '';
		try {
			text = fs.readFileSync(table, 'utf8');
		} catch {
			continue;
		}
		for (const line of text.split('\n').slice(1)) {
			const f = line.trim().split(/\s+/);
			if (f.length < 10) continue;
			const remotePort = parseInt(f[2].split(':')[1], 16);
			if (remotePort === port && f[3] === '01') inodes.add(f[9]);
		}
	}
	const counts: Record<string, number> = {};
	for (const [pid, name] of groups(cluster.processes)) {
		let fds: string[] = [];
		try {
			fds = fs.readdirSync(`/proc/${pid}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			let target = '';
			try {
				target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
			} catch {
				continue;
			}
			const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
			if (inode && inodes.has(inode)) counts[name] = (counts[name] ?? 0) + 1;
		}
	}
	return counts;
}

export interface QueueDelivery {
	/** Delivered messages no successful execution processed. */
	missing: string[];
	/** Delivered messages in no execution at all, neither successful nor failed. */
	unaccounted: string[];
	/** Delivered messages processed by more than one successful execution. */
	duplicated: string[];
	/** Messages in executions that failed or that n8n marked crashed (the admin sees them and can retry). */
	inFailed: string[];
	executions: number;
	failedExecutions: string[];
}

const FAILED = new Set(['error', 'crashed']);

/**
 * Counts what the trigger's executions received against what was delivered. A successful execution processed
 * its messages; one that failed or that n8n marked crashed (its worker died) lists them in the executions view.
 */
export function countQueueDelivery(
	executions: ExecutionSummary[],
	delivered: string[],
): QueueDelivery {
	const processed = new Map<string, number>();
	const failed = new Set<string>();
	for (const e of executions) {
		for (const json of e.items) {
			const id = json.messageId as string | undefined;
			if (!id) continue;
			if (e.status === 'success') processed.set(id, (processed.get(id) ?? 0) + 1);
			else if (FAILED.has(e.status)) failed.add(id);
		}
	}
	return {
		missing: delivered.filter((id) => !processed.has(id)),
		unaccounted: delivered.filter((id) => !processed.has(id) && !failed.has(id)),
		duplicated: delivered.filter((id) => (processed.get(id) ?? 0) > 1),
		inFailed: delivered.filter((id) => failed.has(id)),
		executions: executions.length,
		failedExecutions: executions.filter((e) => FAILED.has(e.status)).map((e) => e.id),
	};
}
